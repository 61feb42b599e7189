"""The alerts inbox through the real app: the organisation's alerts with the bokmål explanation and who must act;
acknowledge, assign to a colleague, comment — in place with htmx, errors inline."""

from __future__ import annotations

import datetime as dt
import re

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.users import demo_patient_national_id, get_user
from helsefellesskap.transitions import service
from helsefellesskap.transitions.sample import synthetic_national_id
from helsefellesskap.web import alerts as alerts_page
from web_transitions_support import DAY, HOUR, NOW, WAITING, builder, seed, send, sign_in

HTMX = {"HX-Request": "true"}


def _alert_ids(html: str) -> list[str]:
    return re.findall(r'action="/alerts/([^/"]+)/assign"', html)


def _inbox_reads(db) -> list[str]:
    """The persons audited as read in the alert inbox (by the case worker)."""
    with db.unit_of_work() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(user="tildeling"))
    return sorted(e.national_id for e in entries  # the inbox's own resource ("varsellisten" on the patient's log)
                  if e.national_id and e.resource == "board.alerts" and e.reason == "listed in the alert inbox")


def _the_alert(client) -> str:
    ids = _alert_ids(client.get("/alerts").text)
    assert len(ids) == 1, ids
    return ids[0]


def test_inbox_shows_the_organisations_alerts_in_bokmal(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "Melding over fristen" in page.text
    assert "En melding som regelverket krever, kom for sent" in page.text  # the nurse-readable explanation
    assert re.search(r"<dt>Må handle</dt><dd>Hamar</dd>", page.text)
    assert f'href="/persons/{WAITING}"' in page.text
    assert len(_alert_ids(page.text)) == 1
    # the Ringsaker case worker's municipality owes nothing overdue yet: an empty inbox
    client.cookies.clear()
    sign_in(client, "naboen")
    assert _alert_ids(client.get("/alerts").text) == []


def test_filter_by_rule_and_status(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    assert len(_alert_ids(client.get("/alerts?rule=KB-OVERDUE-OBLIGATION").text)) == 1
    assert _alert_ids(client.get("/alerts?rule=KB-READMISSION-30D").text) == []
    assert _alert_ids(client.get("/alerts?status=acknowledged").text) == []
    assert len(_alert_ids(client.get("/alerts?status=all").text)) == 1
    assert len(_alert_ids(client.get("/alerts?status=bogus&rule=bogus").text)) == 1  # unknown: the defaults


def test_acknowledge_in_place(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    alert = _the_alert(client)
    card = client.post(f"/alerts/{alert}/acknowledge", headers=HTMX)
    assert card.status_code == 200
    assert card.text.lstrip().startswith('<li class="card alert-card"')
    assert "Tatt tak i" in card.text and "Saksbehandler Tor Tildeling" in card.text
    assert "/acknowledge" not in card.text  # no second acknowledge button
    assert _alert_ids(client.get("/alerts").text) == []
    assert _alert_ids(client.get("/alerts?status=acknowledged").text) == [alert]


def test_assign_to_a_colleague_only(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    alert = _the_alert(client)
    page = client.get("/alerts").text
    assert '<option value="koordinator">Koordinator Kari Kommune</option>' in page
    assert 'value="utskrivning"' not in page and 'value="integrasjon"' not in page
    # no one is preselected while the alert is unassigned: an unintended "Tildel" is a message, not an assignment
    assert '<option value="" selected>Velg en kollega</option>' in page
    nobody = client.post(f"/alerts/{alert}/assign", data={"assignee": ""}, headers=HTMX)
    assert nobody.text == "Velg en kollega i din virksomhet."
    card = client.post(f"/alerts/{alert}/assign", data={"assignee": "koordinator"}, headers=HTMX)
    assert card.status_code == 200
    assert re.search(r"<dt>Tildelt</dt><dd>Koordinator Kari Kommune</dd>", card.text)
    assert 'Velg en kollega</option>' not in card.text  # assigned: the select shows who
    assert '<option value="koordinator" selected>' in card.text
    refused = client.post(f"/alerts/{alert}/assign", data={"assignee": "utskrivning"}, headers=HTMX)
    assert refused.status_code == 200
    assert refused.headers["HX-Retarget"] == f"#alert-{alert}-error"
    assert refused.text == "Velg en kollega i din virksomhet."
    assert re.search(r"<dt>Tildelt</dt><dd>Koordinator Kari Kommune</dd>", client.get("/alerts").text)


def test_comment_in_place_and_an_empty_comment_is_refused(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    alert = _the_alert(client)
    card = client.post(f"/alerts/{alert}/comment", data={"text": "Ringer sykehuset kl. 13"}, headers=HTMX)
    assert card.status_code == 200 and "Ringer sykehuset kl. 13" in card.text
    empty = client.post(f"/alerts/{alert}/comment", data={"text": "   "})
    assert empty.status_code == 422 and "Skriv en kommentar" in empty.text
    redirect = client.post(f"/alerts/{alert}/comment", data={"text": "Avklart"}, follow_redirects=False)
    assert redirect.status_code == 303
    page = client.get("/alerts").text
    assert "Ringer sykehuset kl. 13" in page and "Avklart" in page


def test_another_organisation_cannot_change_the_alert(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    alert = _the_alert(client)
    client.cookies.clear()
    sign_in(client, "naboen")
    refused = client.post(f"/alerts/{alert}/acknowledge", headers=HTMX)
    assert refused.status_code == 200 and refused.headers["HX-Retarget"] == f"#alert-{alert}-error"
    client.cookies.clear()
    sign_in(client, "tildeling")
    assert _alert_ids(client.get("/alerts").text) == [alert]  # still open


def test_the_gp_and_the_hospital_have_inboxes_of_their_own(client, db) -> None:
    seed(db)
    sign_in(client, "fastlege")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "ingen er rettet mot fastlegekontor" in page.text and 'action="/persons"' in page.text
    assert "Marker et varsel som tatt tak i" not in page.text  # the inbox's instructions: not for a GP
    found = client.get(f"/persons?national_id={demo_patient_national_id()}", follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/persons/{demo_patient_national_id()}"
    assert client.get(found.headers["location"]).status_code == 200  # the demo patient is on the GP's list
    assert client.get(f"/persons?national_id={WAITING}").status_code == 403  # not the GP's patient
    assert client.get("/persons?national_id=123").status_code == 422
    client.cookies.clear()
    sign_in(client, "utskrivning")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "<dt>Må handle</dt><dd>Hamar</dd>" not in page.text  # the municipality's alert is not the hospital's


def test_roles_without_an_inbox_get_403(client, db) -> None:
    seed(db)
    sign_in(client, "analytiker")
    assert client.get("/alerts").status_code == 403
    assert client.post("/alerts/x/acknowledge").status_code == 403


def test_bad_input_on_an_alert_is_a_bokmal_message_in_the_card(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    alert = _the_alert(client)
    too_long = client.post(f"/alerts/{alert}/comment", data={"text": "x" * 2001}, headers=HTMX)
    assert too_long.status_code == 200 and too_long.headers["HX-Retarget"] == f"#alert-{alert}-error"
    assert too_long.text == "En kommentar kan være høyst 2000 tegn."
    assert client.post(f"/alerts/{alert}/comment", data={"text": "x" * 2001}).status_code == 422
    junk_assignee = client.post(f"/alerts/{alert}/assign", data={"assignee": "x" * 500}, headers=HTMX)
    assert junk_assignee.text == "Velg en kollega i din virksomhet."
    missing = client.post("/alerts/no-such-alert/acknowledge", headers=HTMX)
    assert missing.status_code == 200 and missing.headers["HX-Retarget"] == "#alert-no-such-alert-error"
    # an unknown alert is refused as one of a person without a care relation (alert ids can be computed)
    assert missing.text == "Du kan ikke endre dette varselet." and "No alert" not in missing.text
    page = client.post("/alerts/no-such-alert/acknowledge")
    assert page.status_code == 422 and "Du kan ikke endre dette varselet." in page.text and "No alert" not in page.text


def test_a_long_inbox_is_shown_a_page_at_a_time(client, db, monkeypatch) -> None:
    seed(db)
    more = []
    for n in (1, 2):  # two more Hamar residents whose readiness notices have gone unanswered past the deadline
        stay = builder(f"SIH-P{n}", synthetic_national_id(500 + n))
        stay.admission(NOW - 5 * DAY)
        stay.admission_notice(NOW - 5 * DAY + HOUR)
        stay.ready(NOW - 2 * DAY - n * HOUR)
        more += stay.messages
    send(db, more)
    monkeypatch.setattr(alerts_page, "PAGE_SIZE", 2)
    sign_in(client, "tildeling")
    first = client.get("/alerts?rule=KB-OVERDUE-OBLIGATION")
    assert len(_alert_ids(first.text)) == 2
    assert _inbox_reads(db) == sorted(re.findall(r'href="/persons/(\d{11})"', first.text))  # only those shown
    assert "Varsler: 3. Viser 1–2, nyeste først." in first.text and "Side 1 av 2" in first.text
    assert 'href="/alerts?status=open&amp;rule=KB-OVERDUE-OBLIGATION&amp;page=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    second = client.get("/alerts?rule=KB-OVERDUE-OBLIGATION&page=2")
    assert len(_alert_ids(second.text)) == 1 and "Viser 3–3" in second.text and 'rel="next"' not in second.text
    assert set(_alert_ids(first.text)).isdisjoint(_alert_ids(second.text))
    assert _alert_ids(client.get("/alerts?rule=KB-OVERDUE-OBLIGATION&page=999").text) == _alert_ids(second.text)
    for junk in ("-1", "abc", "1e9", "99999999999999999999"):
        assert _alert_ids(client.get(f"/alerts?rule=KB-OVERDUE-OBLIGATION&page={junk}").text) == _alert_ids(first.text)
    monkeypatch.setattr(alerts_page, "PAGE_SIZE", 50)
    single = client.get("/alerts").text
    assert "Varsler: 3, nyeste først." in single and "Side 1" not in single


def test_the_service_pages_alerts_with_the_status_filtered_in_sql(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    alert = _the_alert(client)
    client.post(f"/alerts/{alert}/acknowledge", headers=HTMX)
    with db.unit_of_work() as session:
        user = get_user(session, "tildeling")
        now = dt.datetime.now(dt.UTC)
        everything = service.list_alerts(session, user, now=now, status="all")
        for status in ("open", "acknowledged", "resolved"):
            page = service.alert_page(session, user, now=now, status=status)
            assert [a.id for a in page.alerts] == [a.id for a in everything if a.status == status]
            assert page.total == len(page.alerts)
        assert service.alert_page(session, user, now=now, status="acknowledged").alerts[0].id == alert
        tail = service.alert_page(session, user, now=now, status="all", limit=1, offset=len(everything) - 1)
        assert tail.total == len(everything) and [a.id for a in tail.alerts] == [everything[-1].id]
