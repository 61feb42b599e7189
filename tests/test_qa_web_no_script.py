"""The boards sort without JavaScript: each column's sort control is a link to the board sorted by it (with the
filters as they stand, from page 1), which htmx follows in place when script runs. It was a button that did nothing
without script."""

from __future__ import annotations

import html
import re

from web_transitions_support import ADMITTED, NEIGHBOUR, WAITING, seed, sign_in


def _sort_link(page: str, key: str) -> str:
    found = re.search(rf'<a class="sort" id="sort-{key}" href="([^"]+)"', page)
    assert found, f"no sort link for {key}"
    return html.unescape(found.group(1))


def _patients(page: str) -> list[str]:
    return re.findall(r'<a href="/persons/(\d{11})"', page)


def test_the_sort_links_sort_the_board_without_script_and_keep_the_filters(client, db) -> None:
    seed(db)
    sign_in(client, "utskrivning")
    filtered = client.get("/boards/hospital?state=all&page=3").text
    link = _sort_link(filtered, "patient")
    assert link == "/boards/hospital?state=all&sort=patient&dir=desc"  # the filter kept, back to page 1
    descending = client.get(link).text
    assert _patients(descending) == sorted([WAITING, ADMITTED, NEIGHBOUR], reverse=True)
    assert re.search(r'aria-sort="descending">\s*<a[^>]*id="sort-patient"', descending)
    ascending = client.get(_sort_link(descending, "patient")).text  # the active column's link turns the order
    assert _patients(ascending) == sorted([WAITING, ADMITTED, NEIGHBOUR])
    assert re.search(r'aria-sort="ascending">\s*<a[^>]*id="sort-patient"', ascending)


def test_the_municipal_board_sorts_without_script_too(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    page = client.get("/boards/municipality").text
    assert client.get(_sort_link(page, "patient")).status_code == 200
    assert _sort_link(page, "hospital").startswith("/boards/municipality?")
