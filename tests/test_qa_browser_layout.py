"""In Debian's Chromium: the alert inbox fits the screen when a colleague has a long name. The assign select grew to
its widest option and took the card, and the page, to thousands of pixels (a display name may have 200 characters)."""

from __future__ import annotations

import pytest

from browser_fixtures import sign_in
from helsefellesskap.access.model import Role
from helsefellesskap.access.users import DEMO_PASSWORD, NewUser, create_user
from helsefellesskap.db import Database
from transitions_support import MUNICIPALITY_ADDRESS
from web_transitions_support import NOW, seed

pytestmark = pytest.mark.browser


def test_the_alert_inbox_fits_the_screen_with_a_long_colleague_name(db: Database, page) -> None:
    seed(db)
    with db.unit_of_work() as session:
        create_user(session, NewUser("langtnavn", "Saksbehandler " + "Langnavn-" * 20,
                                     frozenset({Role.ALLOCATION_OFFICER}), MUNICIPALITY_ADDRESS,
                                     password=DEMO_PASSWORD), now=NOW)
    sign_in(page, "tildeling")
    page.goto("/alerts")
    assert page.locator(".alert-card select option", has_text="Langnavn-Langnavn").count() == 1
    width = page.evaluate("() => window.innerWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert page.locator(".alert-card").first.bounding_box()["width"] <= width
