"""The GP in a real browser (Debian's Chromium): signs in to "Mine pasienter", which passes axe, and opens a
patient's timeline from it; the list on a tablet."""

from __future__ import annotations

import re

import pytest

from browser_fixtures import ARTIFACTS, axe_violations, sign_in
from gp_list_support import EXPECTED, IN_HOSPITAL, seed_gp_list

pytestmark = pytest.mark.browser


def test_the_gp_signs_in_to_its_list_and_opens_a_timeline(db, page) -> None:
    seed_gp_list(db)
    sign_in(page, "fastlege")
    assert page.url.endswith("/patients")
    assert page.locator("h1").inner_text() == "Mine pasienter"
    assert [a.inner_text() for a in page.locator("#gp-list th[scope=row] a").all()] == EXPECTED
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gp-list.png"), full_page=True)
    page.click(f"#gp-list a[href='/persons/{IN_HOSPITAL}']")
    page.wait_for_url(re.compile(f"/persons/{IN_HOSPITAL}$"))
    assert f"Tidslinje for {IN_HOSPITAL}" in page.locator("h1").inner_text()


def test_the_gp_list_on_a_tablet(db, tablet_page) -> None:
    seed_gp_list(db)
    sign_in(tablet_page, "fastlege")
    assert tablet_page.locator("#gp-list th[scope=row] a").count() == len(EXPECTED)
    assert axe_violations(tablet_page) == []
