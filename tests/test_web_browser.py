"""End-to-end in Debian's Chromium: sign in, the patient's page, keyboard navigation, WCAG 2.1 A/AA (axe-core)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from browser_fixtures import axe_violations, sign_in
from helsefellesskap.access.seeding import seed_demo
from helsefellesskap.db import Database
from helsefellesskap.registry.service import load_register

pytestmark = pytest.mark.browser


def _seed(db: Database) -> None:
    load_register(db)
    with db.unit_of_work() as session:
        seed_demo(session, now=datetime.now(UTC))


def test_sign_in_page_has_no_wcag_violations(db, page) -> None:
    _seed(db)
    page.goto("/login")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_patient_signs_in_and_sees_the_access_log(db, page) -> None:
    _seed(db)
    sign_in(page, "pasient")
    assert page.url.endswith("/my/access-log")
    assert "Hvem har sett mine opplysninger" in page.locator("h1").inner_text()
    assert axe_violations(page) == []


def test_tab_reaches_the_skip_link_then_the_main_menu(db, page) -> None:
    _seed(db)
    sign_in(page, "pasient")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className + '|' + document.activeElement.getAttribute('href')")
    assert focused == "skip-link|#main"
    menu_links = page.locator("nav[aria-label] a")
    assert menu_links.count() >= 1
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('nav[aria-label]')"):
            break
    else:
        pytest.fail("Tab never reached the main menu")
