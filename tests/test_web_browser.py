"""End-to-end in Debian's Chromium: sign in, the patient's page, keyboard navigation, the dashboard's charts, the
ledger and the audit page — each checked with axe-core for WCAG 2.1 A/AA, at a laptop and a tablet viewport."""

from __future__ import annotations

import datetime as dt

import pytest

from browser_fixtures import axe_violations, sign_in
from helsefellesskap.db import Database
from helsefellesskap.indicators import service as indicators
from web_seed import feed_waiting_stay, seed_users, tiny_twin

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def twin_dir(tmp_path_factory):
    return tiny_twin(tmp_path_factory.getbasetemp() / "tiny-twin")


def _with_twin(db: Database, twin_dir) -> None:
    seed_users(db)
    indicators.load_twin(db, twin_dir)


def test_sign_in_page_has_no_wcag_violations(db, page) -> None:
    seed_users(db)
    page.goto("/login")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_patient_signs_in_and_sees_the_access_log(db, page) -> None:
    seed_users(db)
    feed_waiting_stay(db, now=dt.datetime.now(dt.UTC))
    sign_in(page, "pasient")
    assert page.url.endswith("/my/access-log")
    assert "Hvem har sett mine opplysninger" in page.locator("h1").inner_text()
    assert axe_violations(page) == []


def test_tab_reaches_the_skip_link_then_the_main_menu(db, page) -> None:
    seed_users(db)
    sign_in(page, "analytiker")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className + '|' + document.activeElement.getAttribute('href')")
    assert focused == "skip-link|#main"
    page.keyboard.press("Enter")  # the skip link moves focus to the main content
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto("/dashboard")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('nav[aria-label]')"):
            break
    else:
        pytest.fail("Tab never reached the main menu")


def test_dashboard_renders_charts_with_their_tables(db, twin_dir, page) -> None:
    _with_twin(db, twin_dir)
    sign_in(page, "analytiker")
    assert page.url.endswith("/dashboard")
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 4
    assert page.locator("#chart-month-title").text_content().endswith("etter måned")
    page.select_option("#indicator", "transitions_per_person_year")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**indicator=transitions_per_person_year")
    assert "Overganger mellom omsorgsnivåer" in page.locator("#dashboard-figures h2").inner_text()
    assert page.locator("#chart-month-title").text_content().startswith("Overganger")
    assert page.locator("svg.chart rect").count() > 0  # bars for the cells that are not suppressed
    assert axe_violations(page) == []


def test_dashboard_on_a_tablet(db, twin_dir, tablet_page) -> None:
    _with_twin(db, twin_dir)
    sign_in(tablet_page, "admin")
    tablet_page.goto("/dashboard")
    assert tablet_page.locator("svg.chart").first.bounding_box()["width"] <= 768
    assert axe_violations(tablet_page) == []


def test_ledger_page(db, page) -> None:
    seed_users(db)
    feed_waiting_stay(db, now=dt.datetime.now(dt.UTC))
    sign_in(page, "tildeling")
    page.click("nav[aria-label] a[href='/ledger']")
    page.wait_for_url("**/ledger")
    assert page.locator("table tbody tr").first.locator("th").inner_text() == "Hamar (3403)"
    assert page.locator("a[download]").get_attribute("href").startswith("/api/v1/ledger?")
    assert axe_violations(page) == []


def test_ledger_page_on_a_tablet(db, tablet_page) -> None:
    seed_users(db)
    feed_waiting_stay(db, now=dt.datetime.now(dt.UTC))
    sign_in(tablet_page, "utskrivning")
    tablet_page.goto("/ledger")
    assert tablet_page.locator("table tbody tr").count() >= 1
    assert axe_violations(tablet_page) == []


def test_audit_page_search(db, page) -> None:
    seed_users(db)
    patient = feed_waiting_stay(db, now=dt.datetime.now(dt.UTC))
    sign_in(page, "personvern")
    assert page.url.endswith("/audit")
    page.fill("#person", patient)
    page.press("#person", "Enter")
    page.wait_for_url(f"**person={patient}**")
    assert page.locator("table tbody tr").count() >= 1
    assert "Sykehusets EPJ" in page.locator("table tbody").inner_text()
    assert axe_violations(page) == []


def test_audit_page_on_a_tablet(db, tablet_page) -> None:
    seed_users(db)
    sign_in(tablet_page, "admin")
    tablet_page.goto("/audit?emergency=on")
    assert axe_violations(tablet_page) == []


def test_patient_page_on_a_tablet(db, tablet_page) -> None:
    seed_users(db)
    sign_in(tablet_page, "pasient")
    assert tablet_page.url.endswith("/my/access-log")
    assert axe_violations(tablet_page) == []
