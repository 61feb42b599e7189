"""End-to-end in Debian's Chromium: the municipal board's pager with the keyboard (the hospital board's pager,
focus kept on it), the periodic refresh keeping the page; WCAG 2.1 A/AA (axe-core)."""

from __future__ import annotations

import pytest

from browser_fixtures import assert_board_pages_with_the_keyboard, sign_in
from helsefellesskap.transitions.sample import synthetic_national_id
from web_transitions_support import DAY, NOW, builder, seed, send

pytestmark = pytest.mark.browser


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
    assert_board_pages_with_the_keyboard(page)
