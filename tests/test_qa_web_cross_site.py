"""Cross-site request forgery: a page's form post that a browser says comes from another origin is refused with a
bokmål 403 page, and nothing is written. The session cookie is `SameSite=Lax`, which a sibling origin of the same
site (another port, a subdomain) still receives; the browser's `Sec-Fetch-Site` or `Origin` tells them apart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helsefellesskap.db import Database
from helsefellesskap.transitions.store import MessageRow
from web_transitions_support import seed, sign_in

ANSWER = "/boards/municipality/stays/SIH-1/answer"


def _answers(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(MessageRow)
                              .where(MessageRow.type == "municipal_response")) or 0


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # e.g. a page on another port of the same host
    {"Origin": "http://evil.example"},  # a browser without Fetch Metadata
    {"Origin": "null"},  # a sandboxed frame or a data: page
])
def test_a_forged_answer_from_another_origin_is_refused_and_not_stored(client, db: Database, headers) -> None:
    seed(db)
    sign_in(client, "tildeling")
    before = _answers(db)
    response = client.post(ANSWER, data={"answer": "cannot"}, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html") and '<html lang="nb">' in response.text
    assert "annet nettsted" in response.text
    assert "content-security-policy" in response.headers
    assert _answers(db) == before


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},  # the board's own form or htmx call
    {"Origin": "http://testserver"},  # a browser without Fetch Metadata, from this host
    {},  # no browser (curl, an integration)
])
def test_the_pages_own_answer_is_accepted(client, db: Database, headers) -> None:
    seed(db)
    sign_in(client, "tildeling")
    before = _answers(db)
    response = client.post(ANSWER, data={"answer": "cannot"}, headers=headers, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert _answers(db) == before + 1


def test_a_forged_sign_in_sets_no_session(client, db: Database) -> None:
    seed(db)
    response = client.post("/login", data={"username": "tildeling", "password": "helsefellesskap-demo"},
                           headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False)
    assert response.status_code == 403 and "helsefellesskap_session" not in response.headers.get("set-cookie", "")


def test_reading_a_page_from_a_link_on_another_site_still_works(client, db: Database) -> None:
    seed(db)
    sign_in(client, "tildeling")
    page = client.get("/boards/municipality", headers={"Sec-Fetch-Site": "cross-site"})
    assert page.status_code == 200
