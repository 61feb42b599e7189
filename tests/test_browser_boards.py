"""End-to-end in Debian's Chromium: read and sort/filter the discharge board, answer a readiness notice from the
municipality's board with the keyboard only, acknowledge an alert, open a timeline; WCAG 2.1 A/AA (axe-core).
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from browser_fixtures import ARTIFACTS, assert_board_pages_with_the_keyboard, axe_violations, board_patients, sign_in
from web_transitions_support import ADMITTED, NEIGHBOUR, WAITING, seed

pytestmark = pytest.mark.browser


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"boards-{name}.png"), full_page=True)


def test_hospital_board_sorts_and_filters_in_place(db, page) -> None:
    seed(db)
    sign_in(page, "utskrivning")
    assert page.url.endswith("/boards/hospital")
    assert sorted(board_patients(page)) == sorted([WAITING, ADMITTED, NEIGHBOUR])
    assert axe_violations(page) == []
    _shot(page, "hospital")

    page.click("#sort-patient")
    page.wait_for_selector("th[aria-sort=descending] #sort-patient")
    assert board_patients(page) == sorted([WAITING, ADMITTED, NEIGHBOUR], reverse=True)
    page.click("#sort-patient")
    page.wait_for_selector("th[aria-sort=ascending] #sort-patient")
    assert board_patients(page) == sorted([WAITING, ADMITTED, NEIGHBOUR])

    page.select_option("#filter-municipality", "3411")
    page.locator(f"#board-rows a[href='/persons/{WAITING}']").wait_for(state="detached")
    assert board_patients(page) == [NEIGHBOUR]
    assert "municipality=3411" in page.url and "sort=patient" in page.url
    page.reload()
    assert board_patients(page) == [NEIGHBOUR]  # the filter survives a reload
    assert page.locator("#filter-municipality").input_value() == "3411"


def test_municipality_answers_a_readiness_notice_with_the_keyboard(db, page) -> None:
    seed(db)
    sign_in(page, "tildeling")
    row = page.locator("#stay-SIH-1")
    assert "awaiting" in (row.get_attribute("class") or "")
    assert axe_violations(page) == []
    _shot(page, "municipality-before")

    for _ in range(80):  # Tab from the top of the page to the answer field of the waiting patient
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "stay-SIH-1-from":
            break
    else:
        pytest.fail("Tab never reached the answer field")
    # Arrow keys set each segment of the date-time field (day and month in the locale's order, year, hour, minute,
    # maybe AM/PM): one step up from empty gives the first value, two on the year give next year (a future time).
    field = page.locator("#stay-SIH-1-from")
    for segment in range(8):
        page.keyboard.press("ArrowUp")
        if segment == 2:
            page.keyboard.press("ArrowUp")
        if field.input_value():
            break
        page.keyboard.press("ArrowRight")
    value = field.input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value), value
    for _ in range(4):  # Tab also steps through the field's remaining segments
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    assert page.evaluate("document.activeElement.value") == "can"
    page.keyboard.press("Enter")
    day, clock = value.split("T")
    shown = f"Kan ta imot fra {day[8:10]}.{day[5:7]}.{day[0:4]}, {clock}"
    page.wait_for_selector(f"#stay-SIH-1 >> text={shown}")
    assert "Kommunen kan ta imot" in page.locator("#stay-SIH-1").inner_text()
    # focus stays in the row, on its new state, so the keyboard user is not thrown back to the top
    page.wait_for_function("() => document.activeElement.closest('#stay-SIH-1') !== null")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Kommunen kan ta imot"
    assert "awaiting" not in (page.locator("#stay-SIH-1").get_attribute("class") or "")
    _shot(page, "municipality-answered")


def test_a_malformed_answer_shows_the_error_at_the_field(db, page) -> None:
    seed(db)
    sign_in(page, "tildeling")
    # A browser without datetime support sends what was typed: simulate it by turning the field into text.
    page.evaluate("document.getElementById('stay-SIH-1-from').type = 'text'")
    page.fill("#stay-SIH-1-from", "neste uke")
    page.click("#stay-SIH-1 button[value=can]")
    page.wait_for_selector("#stay-SIH-1-error")
    assert "Skriv dato og klokkeslett" in page.locator("#stay-SIH-1-error").inner_text()
    assert page.locator("#stay-SIH-1-from").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []


def test_acknowledge_an_alert(db, page) -> None:
    seed(db)
    sign_in(page, "tildeling")
    page.goto("/alerts")
    assert axe_violations(page) == []
    card = page.locator(".alert-card").first
    assert "Melding over fristen" in card.inner_text()
    card.get_by_role("button", name="Ta tak i").click()
    page.wait_for_selector(".alert-card >> text=Tatt tak i av")
    assert "Saksbehandler Tor Tildeling" in page.locator(".alert-card").first.inner_text()
    page.wait_for_function("() => document.activeElement.tagName === 'H2'")
    page.locator(".alert-card textarea").first.fill("Ringer avdelingen")
    page.locator(".alert-card").first.get_by_role("button", name="Legg til kommentar").click()
    page.wait_for_selector(".alert-card >> text=Ringer avdelingen")
    _shot(page, "alert-acknowledged")


def test_open_a_timeline_from_the_board(db, page) -> None:
    seed(db)
    sign_in(page, "tildeling")
    page.click(f"#board-rows a[href='/persons/{WAITING}']")
    page.wait_for_url(re.compile(f"/persons/{WAITING}$"))
    assert f"Tidslinje for {WAITING}" in page.locator("h1").inner_text()
    assert page.locator("ol.timeline li").count() >= 3
    assert axe_violations(page) == []
    _shot(page, "timeline")


def test_municipal_board_on_a_tablet(db, tablet_page) -> None:
    seed(db)
    sign_in(tablet_page, "tildeling")
    assert tablet_page.locator("#stay-SIH-1").count() == 1
    assert axe_violations(tablet_page) == []


def test_the_periodic_refresh_does_not_wipe_an_answer_being_typed(db, page) -> None:
    seed(db)
    sign_in(page, "tildeling")
    refresh = "() => htmx.ajax('GET', '/boards/municipality/rows', {source: '#board', target: '#board'})"
    page.evaluate("() => { document.getElementById('stay-SIH-1').dataset.before = 'refresh'; }")
    page.evaluate(refresh)  # nothing typed: the board is refreshed (the row is a new element)
    page.wait_for_selector("#stay-SIH-1:not([data-before])", state="attached")
    field = page.locator("#stay-SIH-1-from")
    field.focus()
    page.keyboard.press("ArrowUp")  # starts an answer
    page.evaluate("() => { document.getElementById('stay-SIH-1').dataset.before = 'refresh'; }")
    page.evaluate(refresh)  # htmx.ajax's promise settles when the request is done or was cancelled
    assert page.locator("#stay-SIH-1[data-before]").count() == 1  # the same row: the refresh was skipped


def test_a_board_left_open_after_the_session_ends_goes_to_sign_in(db, page) -> None:
    seed(db)
    sign_in(page, "utskrivning")
    page.context.clear_cookies()  # the session has ended (signed out in another tab, or expired)
    page.evaluate("() => htmx.ajax('GET', '/boards/hospital/rows', {source: '#board', target: '#board'})")
    page.wait_for_url(re.compile(r"/login$"))
    assert page.locator("#board").count() == 0


def test_a_board_in_a_hidden_tab_waits_and_catches_up_when_shown(db, page) -> None:
    seed(db)
    sign_in(page, "utskrivning")
    mark = "() => { document.getElementById('stay-SIH-1').dataset.before = 'refresh'; }"
    page.evaluate("() => Object.defineProperty(document, 'hidden', {value: true, configurable: true})")
    page.evaluate(mark)
    page.evaluate("() => htmx.ajax('GET', '/boards/hospital/rows', {source: '#board', target: '#board'})")
    assert page.locator("#stay-SIH-1[data-before]").count() == 1  # hidden: not refreshed
    page.evaluate("() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
                  " document.dispatchEvent(new Event('visibilitychange')); }")
    page.wait_for_selector("#stay-SIH-1:not([data-before])", state="attached")  # shown again: refreshed


def test_hospital_board_pages_with_the_keyboard_and_the_refresh_keeps_the_page(db, page, monkeypatch) -> None:
    from helsefellesskap.web import boards as boards_page
    monkeypatch.setattr(boards_page, "BOARD_PAGE_SIZE", 2)  # the server runs in this process
    seed(db)
    sign_in(page, "utskrivning")
    assert_board_pages_with_the_keyboard(page)
