"""The discharge boards through the real app: who sees which stays, sorting and filtering, the htmx partial, and
the municipality answering a readiness notice from its board (stored as a municipal_response message)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.users import get_user
from helsefellesskap.transitions import service
from helsefellesskap.web import boards as boards_page
from web_transitions_support import ADMITTED, DAY, NEIGHBOUR, NOW, STRANGER, WAITING, builder, seed, send, sign_in

OSLO = ZoneInfo("Europe/Oslo")
HTMX = {"HX-Request": "true"}


def _patients(html: str) -> list[str]:
    """The patients of the board's rows, in the order shown."""
    return re.findall(r'<a href="/persons/(\d{11})"', html)


def _last_audit_seq(db) -> int:
    """The sequence number of the newest audit entry (0 when there is none)."""
    with db.reading() as session:
        return max((e.seq for e in audit_log.query(session, audit_log.AuditFilter(limit=1))), default=0)


def _audited_since(db, username: str, seq: int) -> list[str]:
    """The persons the user's audit entries after `seq` name, sorted (one per entry: a repeat shows twice)."""
    with db.reading() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(user=username))
        return sorted(e.national_id for e in entries if e.seq > seq and e.national_id)


def _board_state(db, username: str, stay_id: str):
    with db.unit_of_work() as session:
        user = get_user(session, username)
        rows = service.municipality_board(session, user, now=dt.datetime.now(dt.UTC), state="all")
    return next(r for r in rows if r.stay_id == stay_id)


def test_hospital_board_lists_its_active_stays(client, db) -> None:
    seed(db)
    sign_in(client, "utskrivning")
    page = client.get("/boards/hospital")
    assert page.status_code == 200
    assert "<h1>Utskrivningstavle</h1>" in page.text
    assert sorted(_patients(page.text)) == sorted([WAITING, ADMITTED, NEIGHBOUR])
    assert "Ikke besvart" in page.text and "Psykisk helsevern" in page.text
    assert 'hx-trigger="every 30s, board-refresh"' in page.text
    # default: most days waiting first
    assert re.search(r'aria-sort="descending">\s*<a[^>]*id="sort-days_waiting"', page.text)
    assert page.text.count('aria-sort="none"') == 8
    assert _patients(page.text)[0] == WAITING


def test_hospital_board_filters(client, db) -> None:
    seed(db)
    sign_in(client, "utskrivning")
    assert _patients(client.get("/boards/hospital?municipality=3411").text) == [NEIGHBOUR]
    assert _patients(client.get("/boards/hospital?service=mental_health").text) == [ADMITTED]
    assert sorted(_patients(client.get("/boards/hospital?state=ready_for_discharge").text)) == sorted(
        [WAITING, NEIGHBOUR])
    discharged = builder("SIH-4", STRANGER)
    discharged.admission(NOW - 9 * DAY)
    discharged.discharge(NOW - 7 * DAY, destination="home")
    send(db, discharged.messages)
    assert STRANGER not in _patients(client.get("/boards/hospital").text)  # in hospital now, by default
    assert STRANGER in _patients(client.get("/boards/hospital?state=all").text)
    assert _patients(client.get("/boards/hospital?state=discharged").text) == [STRANGER]
    with_alerts = client.get("/boards/hospital?alerts=1").text
    assert WAITING in _patients(with_alerts) and ADMITTED not in _patients(with_alerts)
    filtered = client.get("/boards/hospital?municipality=3411")
    assert '<option value="3411" selected>Ringsaker</option>' in filtered.text


def test_sorting_and_the_partial_keeps_the_url(client, db) -> None:
    seed(db)
    sign_in(client, "utskrivning")
    ascending = client.get("/boards/hospital/rows?sort=patient&dir=asc", headers=HTMX)
    assert ascending.status_code == 200
    assert "<html" not in ascending.text  # a partial
    assert _patients(ascending.text) == sorted([WAITING, ADMITTED, NEIGHBOUR])
    assert ascending.headers["HX-Push-Url"] == "/boards/hospital?sort=patient&dir=asc"
    assert re.search(r'aria-sort="ascending">\s*<a[^>]*id="sort-patient"', ascending.text)
    descending = client.get("/boards/hospital/rows?sort=patient&dir=desc", headers=HTMX)
    assert _patients(descending.text) == sorted([WAITING, ADMITTED, NEIGHBOUR], reverse=True)
    refresh = client.get("/boards/hospital/rows?sort=patient&dir=asc", headers={**HTMX, "HX-Trigger": "board"})
    assert "HX-Push-Url" not in refresh.headers  # the periodic refresh adds no history entries
    assert _patients(client.get("/boards/hospital?sort=nonsense&dir=up").text)[0] == WAITING


def test_municipality_sees_only_its_residents(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    page = client.get("/boards/municipality")
    assert page.status_code == 200
    assert sorted(_patients(page.text)) == sorted([WAITING, ADMITTED])
    assert NEIGHBOUR not in page.text
    assert 'class="awaiting"' in page.text and "Svarfrist" in page.text
    refreshed = client.get("/boards/municipality/rows", headers={**HTMX, "HX-Trigger": "board"}).text
    assert re.search(r'<strong class="figure">1</strong> meldinger om utskrivningsklar venter på svar', refreshed)
    client.cookies.clear()
    sign_in(client, "naboen")
    assert _patients(client.get("/boards/municipality").text) == [NEIGHBOUR]


def test_each_board_is_for_its_own_roles(client, db) -> None:
    seed(db)
    assert client.get("/boards/hospital", follow_redirects=False).headers["location"] == "/login"
    sign_in(client, "utskrivning")
    assert client.get("/boards/municipality").status_code == 403
    assert client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "can"}).status_code == 403
    client.cookies.clear()
    sign_in(client, "tildeling")
    assert client.get("/boards/hospital").status_code == 403
    assert client.get("/boards/hospital/rows").status_code == 403


def test_a_board_read_is_audited_per_person(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    client.get("/boards/municipality")
    with db.unit_of_work() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(user="tildeling"))
        seen = sorted(e.national_id or "" for e in entries if e.national_id)
        resources = {e.resource for e in entries if e.national_id}
        intact = audit_log.verify(session).intact
    assert seen == sorted([WAITING, ADMITTED])  # one entry per person (the answer deadlines come with the rows)
    assert resources == {"board.municipality"} and intact


def test_answer_can_receive_from_the_board(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    local = (NOW + dt.timedelta(days=1)).astimezone(OSLO).replace(hour=14, minute=30, tzinfo=None)
    response = client.post("/boards/municipality/stays/SIH-1/answer", headers=HTMX,
                           data={"answer": "can", "receive_from": local.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<tr id="stay-SIH-1"')  # the row, swapped in place
    assert "Kan ta imot fra" in response.text and "14:30" in response.text
    row = _board_state(db, "tildeling", "SIH-1")
    assert row.state == "municipality_can_receive"
    assert row.receive_from == local.replace(tzinfo=OSLO).astimezone(dt.UTC)
    with db.unit_of_work() as session:
        timeline = service.person_timeline(session, get_user(session, "tildeling"), WAITING,
                                           now=dt.datetime.now(dt.UTC))
    assert [e.type for e in timeline if e.type == "municipal_response"] == ["municipal_response"]
    page = client.get(f"/persons/{WAITING}").text
    assert "<strong>Kommunens svar: Kan ta imot</strong>" in page
    assert "fra Hamar" in page  # sent by the municipality


def test_answer_cannot_receive_without_htmx_redirects_back(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    response = client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "cannot"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/boards/municipality"
    assert _board_state(db, "tildeling", "SIH-1").state == "municipality_cannot_receive"


def test_a_wrong_answer_is_shown_inline_in_bokmal(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    response = client.post("/boards/municipality/stays/SIH-1/answer", headers=HTMX,
                           data={"answer": "can", "receive_from": "i morgen"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text and 'role="alert"' in response.text
    assert "Skriv dato og klokkeslett" in response.text
    assert 'value="i morgen"' in response.text  # what was typed is kept
    assert _board_state(db, "tildeling", "SIH-1").state == "ready_for_discharge"
    page = client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "maybe"})
    assert page.status_code == 422
    assert "Velg om kommunen kan ta imot pasienten." in page.text


def test_a_municipality_cannot_answer_for_another_municipalitys_resident(client, db) -> None:
    seed(db)
    sign_in(client, "naboen")
    response = client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "can"})
    assert response.status_code == 422
    assert "Du kan ikke svare for denne pasienten." in response.text
    assert WAITING not in response.text
    assert _board_state(db, "tildeling", "SIH-1").state == "ready_for_discharge"


def test_an_htmx_update_without_a_session_sends_the_page_to_sign_in(client, db) -> None:
    response = client.get("/boards/hospital/rows", headers=HTMX, follow_redirects=False)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/login"
    assert client.get("/boards/hospital/rows", follow_redirects=False).headers["location"] == "/login"


def test_answering_a_stay_no_longer_on_the_board_says_so_in_place(client, db) -> None:
    seed(db)
    sign_in(client, "naboen")
    response = client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "cannot"}, headers=HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.text and "Du kan ikke svare for denne pasienten." in response.text
    assert WAITING not in response.text


def test_a_receive_from_time_out_of_bounds_is_refused_in_bokmal(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    for when in ("9999-12-31T23:59", "1900-01-01T00:00"):
        response = client.post("/boards/municipality/stays/SIH-1/answer", headers=HTMX,
                               data={"answer": "can", "receive_from": when})
        assert response.status_code == 200 and 'role="alert"' in response.text
        assert "Velg et tidspunkt fra meldingen om utskrivningsklar" in response.text
        assert "9999" not in response.text.replace(f'value="{when}"', "")  # only the typed value, kept
        assert "readiness notice" not in response.text and "days ahead" not in response.text  # no English
    assert _board_state(db, "tildeling", "SIH-1").state == "ready_for_discharge"
    page = client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "can",
                                                                         "receive_from": "9999-12-31T23:59"})
    assert page.status_code == 422 and "Velg et tidspunkt fra meldingen om utskrivningsklar" in page.text
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=89)).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")
    accepted = client.post("/boards/municipality/stays/SIH-1/answer", headers=HTMX,
                           data={"answer": "can", "receive_from": soon})
    assert "Kan ta imot fra" in accepted.text and 'role="alert"' not in accepted.text


def test_every_refused_answer_is_a_bokmal_message_on_the_board(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    unknown = client.post("/boards/municipality/stays/NOPE/answer", headers=HTMX, data={"answer": "cannot"})
    assert unknown.status_code == 200 and 'role="alert"' in unknown.text
    # an unknown stay is refused as a stay of a person without a care relation (stay ids are guessable)
    assert "Du kan ikke svare for denne pasienten." in unknown.text and "No stay" not in unknown.text
    page = client.post("/boards/municipality/stays/NOPE/answer", data={"answer": "cannot"})
    assert page.status_code == 422 and "Du kan ikke svare for denne pasienten." in page.text
    assert "No stay" not in page.text
    long_time = client.post("/boards/municipality/stays/SIH-1/answer", headers=HTMX,
                            data={"answer": "can", "receive_from": "2026-01-01T10:00" + " " * 40})
    assert long_time.status_code == 200 and long_time.headers["content-type"].startswith("text/html")
    assert "Skriv dato og klokkeslett" in long_time.text
    long_answer = client.post("/boards/municipality/stays/SIH-1/answer", headers=HTMX,
                              data={"answer": "c" * 11})
    assert long_answer.status_code == 200 and "Velg om kommunen kan ta imot pasienten." in long_answer.text
    assert _board_state(db, "tildeling", "SIH-1").state == "ready_for_discharge"
    # a receipt the service refuses (no standing readiness notice on SIH-2) in words, not the API's English
    refused = client.post("/boards/municipality/stays/SIH-2/answer", headers=HTMX, data={"answer": "cannot"})
    assert 'role="alert"' in refused.text and "Svaret ble ikke godtatt" in refused.text
    assert "readiness notice" not in refused.text


def test_the_hospital_board_is_sorted_across_all_stays_then_paged(client, db, monkeypatch) -> None:
    seed(db)
    sign_in(client, "utskrivning")
    everything = _patients(client.get("/boards/hospital?sort=patient&dir=asc").text)
    assert len(everything) == 3
    monkeypatch.setattr(boards_page, "BOARD_PAGE_SIZE", 2)
    before = _last_audit_seq(db)
    first = client.get("/boards/hospital?sort=patient&dir=asc")
    assert _patients(first.text) == everything[:2]
    assert _audited_since(db, "utskrivning", before) == sorted(everything[:2])  # only the persons shown
    assert "Opphold: 3. Viser 1–2." in first.text and "Side 1 av 2" in first.text
    assert 'href="/boards/hospital?sort=patient&amp;dir=asc&amp;page=2"' in first.text
    assert 'rel="prev"' not in first.text
    second = client.get("/boards/hospital/rows?sort=patient&dir=asc&page=2", headers=HTMX)
    assert _patients(second.text) == everything[2:] and 'rel="next"' not in second.text
    assert second.headers["HX-Push-Url"] == "/boards/hospital?sort=patient&dir=asc&page=2"
    assert '<input type="hidden" name="page" value="2">' in second.text  # the periodic refresh keeps the page
    refresh = client.get("/boards/hospital/rows?sort=patient&dir=asc&page=2", headers={**HTMX, "HX-Trigger": "board"})
    assert _patients(refresh.text) == everything[2:] and "HX-Push-Url" not in refresh.headers
    assert _patients(client.get("/boards/hospital?sort=patient&dir=asc&page=999").text) == everything[2:]
    assert _patients(client.get("/boards/hospital?sort=patient&dir=asc&page=junk").text) == everything[:2]
    assert _patients(client.get("/boards/hospital?sort=patient&dir=desc").text) == everything[::-1][:2]
