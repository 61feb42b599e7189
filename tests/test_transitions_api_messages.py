"""The transitions API over HTTP: messages in (idempotent, conflicts, rejections kept), reads scoped to the
principal's party, refusals audited, alert workflow surviving refolds, the ledger as JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helsefellesskap.access import audit
from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.settings import Settings
from helsefellesskap.transitions.ingest import MAX_RECEIVE_AHEAD, ReceiveFromOutOfRange, check_receive_from
from helsefellesskap.transitions.store import MessageRow
from transitions_support import (
    MUNICIPALITY,
    NOW,
    OTHER_PERSON,
    PERSON,
    at,
    auth,
    builder,
    waiting_stay,
)


@pytest.fixture
def app_client(client):  # the app's clock is the tests' NOW
    client.app.state.clock = lambda: NOW
    return client


def send(client, settings: Settings, parties: dict[str, Principal], message: dict) -> object:
    sender = parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]
    return client.post("/api/v1/messages", json=message, headers=auth(settings, sender))


def stored(db: Database, **where: object) -> int:
    with db.reading() as session:
        query = select(func.count()).select_from(MessageRow)
        for name, value in where.items():
            query = query.where(getattr(MessageRow, name) == value)
        return int(session.scalar(query) or 0)


def test_the_same_message_twice_is_stored_once_and_acknowledged_twice(app_client, db, settings, parties) -> None:
    message = waiting_stay()[0]
    first = send(app_client, settings, parties, message)
    second = send(app_client, settings, parties, message)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["status"] == "ok"
    assert second.headers["x-duplicate"] == "true" and "x-duplicate" not in first.headers
    assert stored(db, raw_id=message["id"]) == 1


def test_the_same_id_with_other_content_is_a_kept_conflict(app_client, db, settings, parties) -> None:
    message = waiting_stay()[0]
    assert send(app_client, settings, parties, message).status_code == 200
    changed = {**message, "acute": False}
    response = send(app_client, settings, parties, changed)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["code"] == "id-conflict"
    assert stored(db, raw_id=message["id"]) == 2 and stored(db, message_id=message["id"]) == 1


def test_a_readiness_notice_without_criteria_is_rejected_and_kept_with_its_reasons(app_client, db, settings,
                                                                                  parties) -> None:
    stay = builder()
    stay.admission(at(1))
    stay.ready(at(4), criteria={"admission_problems_clarified": True, "other_problems_clarified": True,
                                "diagnosis_and_follow_up_plan": False, "functional_level_assessed": True})
    assert send(app_client, settings, parties, stay.messages[0]).status_code == 200
    response = send(app_client, settings, parties, stay.messages[1])
    assert response.status_code == 422
    body = response.json()
    assert body["receipt"]["status"] == "rejected" and body["receipt"]["apprec_code"] == 2
    assert [e["code"] for e in body["errors"]] == ["readiness-criteria-missing"]
    assert body["errors"][0]["field"] == "criteria.diagnosis_and_follow_up_plan"
    assert stored(db, message_id=stay.messages[1]["id"], receipt_status="rejected") == 1


def test_a_message_failing_the_schema_is_kept_and_rejected(app_client, db, settings, parties) -> None:
    message = {**waiting_stay()[0], "service": "dentistry"}
    response = send(app_client, settings, parties, message)
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "invalid-message"
    assert stored(db, raw_id=message["id"], receipt_status="rejected") == 1


def test_a_message_contradicting_the_pathway_is_kept_and_flagged(app_client, db, settings, parties) -> None:
    stay = builder()
    stay.admission(at(1))
    stay.withdrawn(at(2))  # no readiness notice to withdraw
    send(app_client, settings, parties, stay.messages[0])
    response = send(app_client, settings, parties, stay.messages[1])
    assert response.status_code == 200
    assert response.json()["status"] == "ok_with_errors" and response.json()["errors"][0]["code"] == "not-ready"
    assert stored(db, message_id=stay.messages[1]["id"], receipt_status="ok_with_errors") == 1


def test_a_sender_of_another_organisation_is_refused_and_nothing_is_stored(app_client, db, settings,
                                                                           parties) -> None:
    message = waiting_stay()[0]
    response = app_client.post("/api/v1/messages", json=message, headers=auth(settings, parties["municipal_system"]))
    assert response.status_code == 403 and stored(db) == 0


def test_only_json_is_accepted(app_client, settings, parties) -> None:
    response = app_client.post("/api/v1/messages", content=b"id=1", headers={
        **auth(settings, parties["hospital_system"]), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (415, 422) and response.headers["content-type"] == "application/problem+json"


def test_out_of_order_arrival_gives_the_same_pathway(app_client, db, settings, parties) -> None:
    in_order = waiting_stay("A", PERSON)
    reversed_order = list(reversed(waiting_stay("B", OTHER_PERSON)))
    for message in [*in_order, *reversed_order]:
        assert send(app_client, settings, parties, message).status_code == 200
    nurse = auth(settings, parties["nurse"])
    first = app_client.get(f"/api/v1/persons/{PERSON}/pathway", headers=nurse).json()[0]
    second = app_client.get(f"/api/v1/persons/{OTHER_PERSON}/pathway", headers=nurse).json()[0]
    for key in ("state", "payable_days", "amount_ore", "ready_at", "answer", "discharged_at"):
        assert first[key] == second[key], key
    assert [o["status"] for o in first["obligations"]] == [o["status"] for o in second["obligations"]]
    assert first["state"] == "discharged" and first["payable_days"] == 3


def test_boards_show_only_the_principals_own_stays(app_client, settings, parties) -> None:
    for message in waiting_stay("A", PERSON, discharged=False):
        send(app_client, settings, parties, message)
    board = app_client.get("/api/v1/boards/municipality", headers=auth(settings, parties["allocation"]))
    assert board.status_code == 200 and [row["stay_id"] for row in board.json()] == ["A"]
    assert board.json()[0]["municipality"] == {"number": MUNICIPALITY, "name": "Hamar"}
    hospital = app_client.get("/api/v1/boards/hospital", headers=auth(settings, parties["coordinator"]))
    assert [row["stay_id"] for row in hospital.json()] == ["A"] and hospital.json()[0]["days_waiting"] > 0
    other = app_client.get("/api/v1/boards/municipality", headers=auth(settings, parties["other_allocation"]))
    assert other.status_code == 200 and other.json() == []
    other_hospital = app_client.get("/api/v1/boards/hospital", headers=auth(settings, parties["other_nurse"]))
    assert other_hospital.json() == []
    assert app_client.get("/api/v1/boards/hospital", headers=auth(settings, parties["allocation"])).status_code == 403


def test_a_person_without_relation_is_refused_and_the_refusal_is_audited(app_client, db, settings,
                                                                         parties) -> None:
    for message in waiting_stay("A", PERSON):
        send(app_client, settings, parties, message)
    response = app_client.get(f"/api/v1/persons/{PERSON}/timeline", headers=auth(settings, parties["other_nurse"]))
    assert response.status_code == 403
    with db.reading() as session:
        entries = audit.query(session, audit.AuditFilter(person=PERSON, user="nurse2"))
        assert [(row.outcome, row.resource) for row in entries] == [("denied", "person.timeline")]
    allowed = app_client.get(f"/api/v1/persons/{PERSON}/timeline", headers=auth(settings, parties["nurse"]))
    assert allowed.status_code == 200 and allowed.json()[0]["at"] >= allowed.json()[-1]["at"]
    assert app_client.get("/api/v1/persons/123/pathway", headers=auth(settings, parties["nurse"])).status_code == 422


def test_alert_acknowledgement_and_assignment_survive_a_refold(app_client, settings, parties) -> None:
    stay = builder("A", PERSON)
    stay.admission(at(1))
    stay.admission_notice(at(1, 12))
    stay.ready(at(4))  # the municipality never answers: its answer is overdue
    for message in stay.messages:
        send(app_client, settings, parties, message)
    municipal = auth(settings, parties["allocation"])
    alerts = app_client.get("/api/v1/alerts", headers=municipal).json()
    assert [a["rule_id"] for a in alerts] == ["KB-OVERDUE-OBLIGATION"]
    alert_id = alerts[0]["id"]
    assert app_client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=municipal).json()["status"] == \
        "acknowledged"
    assigned = app_client.post(f"/api/v1/alerts/{alert_id}/assign", json={"assignee": "kari"}, headers=municipal)
    assert assigned.json()["assignee"] == "kari"
    app_client.post(f"/api/v1/alerts/{alert_id}/comments", json={"text": "ringer sykehuset"}, headers=municipal)
    stay.health_information(at(5))  # a new message refolds the stay
    send(app_client, settings, parties, stay.messages[-1])
    after = app_client.get("/api/v1/alerts?status=acknowledged", headers=municipal).json()
    assert [(a["id"], a["assignee"], a["acknowledged_by"]) for a in after] == [(alert_id, "kari", "alloc")]
    assert after[0]["comments"][0]["text"] == "ringer sykehuset"
    none = app_client.get("/api/v1/alerts?status=acknowledged&offset=1", headers=municipal)
    assert none.json() == [] and none.headers["X-Total-Count"] == "1"
    assert app_client.get("/api/v1/alerts?limit=0", headers=municipal).status_code == 422
    assert app_client.post(f"/api/v1/alerts/{alert_id}/acknowledge",
                           headers=auth(settings, parties["other_allocation"])).status_code == 403


def test_the_addressed_municipality_acts_on_its_alert_without_a_care_relation(app_client, db, settings,
                                                                             parties) -> None:
    """Two short stays, no notice to the municipality: KB-REPEATED-TRANSITIONS is addressed to it. Its inbox lists
    the alert (organisation basis) and it may handle it there, though it may not open the person's timeline."""
    for n, day in enumerate((1, 8)):
        stay = builder(f"R{n}", PERSON)
        stay.admission(at(day))
        stay.discharge(at(day + 2), destination="home")
        for message in stay.messages:
            assert send(app_client, settings, parties, message).status_code == 200  # type: ignore[attr-defined]
    municipal = auth(settings, parties["allocation"])
    alerts = [a for a in app_client.get("/api/v1/alerts", headers=municipal).json()
              if a["rule_id"] == "KB-REPEATED-TRANSITIONS"]
    assert len(alerts) == 1
    assert app_client.get(f"/api/v1/persons/{PERSON}/timeline", headers=municipal).status_code == 403
    handled = app_client.post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", headers=municipal)
    assert handled.status_code == 200 and handled.json()["status"] == "acknowledged"
    with db.reading() as session:
        entries = audit.query(session, audit.AuditFilter(user="alloc"))
        written = [(e.resource, e.action, e.outcome, e.basis_kind) for e in entries if e.action == "write"]
    assert written == [("person.alerts", "write", "allowed", "role")]  # the inbox's basis, not a care relation
    other = auth(settings, parties["other_allocation"])  # not addressed to it, no relation: refused
    assert app_client.post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", headers=other).status_code == 403


def test_the_municipality_answers_from_its_board(app_client, settings, parties) -> None:
    for message in waiting_stay("A", PERSON, discharged=False)[:3]:
        send(app_client, settings, parties, message)
    municipal = auth(settings, parties["allocation"])
    answer = app_client.post("/api/v1/stays/A/municipal-response", json={"can_receive": True}, headers=municipal)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    board = app_client.get("/api/v1/boards/municipality", headers=municipal).json()
    assert board[0]["state"] == "municipality_can_receive" and board[0]["answer"] == "can"
    assert app_client.post("/api/v1/stays/A/municipal-response", json={"can_receive": True},
                           headers=auth(settings, parties["other_allocation"])).status_code == 403


def test_a_receive_from_before_the_notice_or_too_far_ahead_is_422(app_client, settings, parties) -> None:
    for message in waiting_stay("A", PERSON, discharged=False)[:3]:
        send(app_client, settings, parties, message)
    municipal = auth(settings, parties["allocation"])
    for when in ("9999-12-31T23:59:00+00:00", "1900-01-01T00:00:00+00:00"):
        refused = app_client.post("/api/v1/stays/A/municipal-response", headers=municipal,
                                  json={"can_receive": True, "receive_from": when})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["pointer"] == "/receive_from"
    board = app_client.get("/api/v1/boards/municipality", headers=municipal).json()
    assert board[0]["state"] == "ready_for_discharge" and board[0]["answer"] is None


def test_ledger_json_and_csv_agree_with_the_offline_ledger(app_client, cli, settings, parties, tmp_path: Path) -> None:
    messages = waiting_stay("A", PERSON) + waiting_stay("B", OTHER_PERSON)
    for message in messages:
        send(app_client, settings, parties, message)
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(m) for m in messages) + "\n", encoding="utf-8")
    offline = json.loads(cli("transitions", "ledger", str(log), "--json", "--final").stdout)["ledger"]
    headers = auth(settings, parties["allocation"])
    rows = app_client.get("/api/v1/ledger", headers=headers).json()
    keys = ("municipality", "health_trust", "month", "payable_days", "unpriced_days", "amount_ore")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: r[k] for k in keys} for r in offline]
    as_csv = app_client.get("/api/v1/ledger", headers={**headers, "Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["month"], int(r["payable_days"]), r["amount_nok"]) for r in lines] == \
        [(r["month"], r["payable_days"], r["amount_nok"]) for r in offline]
    assert app_client.get("/api/v1/ledger?format=csv", headers=headers).text == as_csv.text
    assert app_client.get("/api/v1/ledger", headers=auth(settings, parties["other_allocation"])).json() == []


def test_open_obligations_are_the_owing_partys_and_boards_sort_and_filter(app_client, settings, parties) -> None:
    for message in waiting_stay("A", PERSON) + waiting_stay("B", OTHER_PERSON, discharged=False):
        send(app_client, settings, parties, message)
    hospital = auth(settings, parties["coordinator"])
    owed = app_client.get("/api/v1/obligations", headers=hospital).json()
    assert [(o["stay_id"], o["kind"], o["status"]) for o in owed] == [("A", "discharge_summary", "missing")]
    assert app_client.get("/api/v1/obligations", headers=auth(settings, parties["allocation"])).json() == []
    everything = app_client.get("/api/v1/boards/hospital?state=all&sort=stay_id&descending=false", headers=hospital)
    assert [r["stay_id"] for r in everything.json()] == ["A", "B"]
    assert everything.headers["X-Total-Count"] == "2"
    second = app_client.get("/api/v1/boards/hospital?state=all&sort=stay_id&descending=false&limit=1&offset=1",
                            headers=hospital)
    assert [r["stay_id"] for r in second.json()] == ["B"] and second.headers["X-Total-Count"] == "2"
    assert app_client.get("/api/v1/boards/hospital?limit=0", headers=hospital).status_code == 422
    waiting = app_client.get("/api/v1/boards/hospital", headers=hospital).json()
    assert [(r["stay_id"], r["state"]) for r in waiting] == [("B", "municipality_cannot_receive")]
    bad = app_client.get("/api/v1/boards/hospital?sort=nonsense", headers=hospital)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert app_client.get("/api/v1/boards/hospital?state=nonsense", headers=hospital).status_code == 422


def test_receive_from_bounds_are_the_notice_and_ninety_days_ahead() -> None:
    now = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    notice = now - dt.timedelta(days=2)
    check_receive_from(notice, notice, now)  # from the notice itself
    check_receive_from(now + MAX_RECEIVE_AHEAD, notice, now)  # to the bound itself
    check_receive_from(now + MAX_RECEIVE_AHEAD, None, now)  # no notice stored: only the upper bound
    for wrong in (notice - dt.timedelta(minutes=1), now + MAX_RECEIVE_AHEAD + dt.timedelta(minutes=1)):
        with pytest.raises(ReceiveFromOutOfRange) as refused:
            check_receive_from(wrong, notice, now)
        assert refused.value.status == 422 and refused.value.earliest == notice
