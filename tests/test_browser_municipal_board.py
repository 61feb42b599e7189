"""End-to-end in Debian's Chromium: the municipal board's pager with the keyboard (the hospital board's pager,
focus kept on it), the periodic refresh keeping the page; WCAG 2.1 A/AA (axe-core)."""

from __future__ import annotations

from typing import Any

import pytest

from browser_fixtures import axe_violations, sign_in
from helsefellesskap.transitions.sample import synthetic_national_id
from web_transitions_support import DAY, NOW, builder, seed, send

pytestmark = pytest.mark.browser


def _patients(page: Any) -> list[str]:
    return [link.inner_text() for link in page.locator("#board-rows th[scope=row] a").all()]


def test_municipal_board_pages_with_the_keyboard_and_the_refresh_keeps_the_page(db, page, monkeypatch) -> None:
    from helsefellesskap.web import boards as boards_page
    monkeypatch.setattr(boards_page, "BOARD_PAGE_SIZE", 2)  # the server runs in this process
    seed(db)  # two Hamar residents in hospital; a third:
    ready = builder("SIH-4", synthetic_national_id(606))
    ready.admission(NOW - 6 * DAY)
    ready.ready(NOW - 3 * DAY)
    send(db, ready.messages)
    sign_in(page, "tildeling")
    assert page.url.endswith("/boards/municipality")
    first = _patients(page)
    assert len(first) == 2 and "Side 1 av 2" in page.inner_text(".pager")
    assert "Opphold: 3. Viser 1–2." in page.inner_text("caption")
    page.locator(".pager a[rel=next]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".pager a[rel=prev]")
    second = _patients(page)
    assert len(second) == 1 and not set(second) & set(first) and "page=2" in page.url
    # Focus kept on the pager (a function, not an expression: Playwright evals an expression, which the CSP forbids).
    page.wait_for_function("() => document.activeElement !== null && document.activeElement.rel === 'prev'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".pager a[rel=next]")
    assert _patients(page) == first
    page.wait_for_function("() => document.activeElement !== null && document.activeElement.rel === 'next'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".pager a[rel=prev]")
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelectorAll('[data-refresh]').forEach(b => htmx.trigger(b, 'board-refresh'))")
    page.wait_for_timeout(500)
    assert _patients(page) == second and "Side 2 av 2" in page.inner_text(".pager")
