"""A message's id is its sender's own (docs/message-schema.json: "The sender's own id, unique per sender"): idempotency
and id conflicts are per sender and id. Two systems numbering their messages with counters both use "1001": both
messages are received and folded, never an id-conflict; the same sender sending its id again is a redelivery (the
same receipt back) with the same content and an id-conflict with other content — in the offline replay, through the
service one message at a time and in a batch, and over HTTP. A submission's audit entry names `<sender>/<id>`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from helsefellesskap.access import audit
from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.migrations import alembic_config, upgrade
from helsefellesskap.settings import Settings
from helsefellesskap.transitions import service
from helsefellesskap.transitions.messages import Message, parse_message
from helsefellesskap.transitions.replay import deduplicate, replay
from helsefellesskap.transitions.store import MessageRow, StayRow
from helsefellesskap.transitions.views import ReceiptView
from transitions_support import HOSPITAL, MUNICIPALITY_ADDRESS, NOW, at, auth, builder, waiting_stay

SHARED_ID = "1001"  # both systems' counters reach it: the municipality's first, the hospital's later


def shared_id_stay() -> list[dict[str, Any]]:
    """A delayed discharge where the municipality's answer and the hospital's discharge both have the id 1001."""
    messages = waiting_stay()
    response, discharge = messages[3], messages[4]
    assert (response["type"], response["sender"]) == ("municipal_response", MUNICIPALITY_ADDRESS)
    assert (discharge["type"], discharge["sender"]) == ("discharge", HOSPITAL)
    response["id"] = discharge["id"] = SHARED_ID
    return messages


def parsed(message: dict[str, Any]) -> Message:
    return parse_message(json.dumps(message))


def other_content(message: dict[str, Any]) -> dict[str, Any]:
    return {**message, "destination": "home"}


def principal_of(parties: dict[str, Principal], message: dict[str, Any]) -> Principal:
    return parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]


# ---- the domain: deduplicate and replay -------------------------------------------------------------------------


def test_deduplicate_keeps_two_senders_messages_with_the_same_id() -> None:
    messages = [parsed(m) for m in shared_id_stay()]
    unique, extra = deduplicate(messages)
    assert unique == messages and extra == []


def test_deduplicate_answers_a_senders_redelivery_as_a_duplicate_and_other_content_as_a_conflict() -> None:
    messages = [parsed(m) for m in shared_id_stay()]
    discharge = messages[4]
    changed = parsed(other_content(shared_id_stay()[4]))
    unique, extra = deduplicate([*messages, discharge, changed])
    assert unique == messages
    assert [(r.message_id, r.status, r.duplicate, [e.code for e in r.errors]) for r in extra] == [
        (SHARED_ID, "ok", True, []), (SHARED_ID, "rejected", False, ["id-conflict"])]
    assert [r.sender for r in extra] == [HOSPITAL, HOSPITAL]


def test_replay_folds_both_senders_messages_with_the_same_id() -> None:
    [result] = replay([parsed(m) for m in shared_id_stay()])
    assert result.state == "discharged" and result.payment.payable_days == 3
    assert all(r.status == "ok" and not r.duplicate for r in result.receipts)
    assert sorted((r.sender, r.message_id) for r in result.receipts if r.message_id == SHARED_ID) == [
        (HOSPITAL, SHARED_ID), (MUNICIPALITY_ADDRESS, SHARED_ID)]


def test_replay_cli_reports_both_messages_with_the_same_id(cli, tmp_path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(m) for m in shared_id_stay()) + "\n", encoding="utf-8")
    result = cli("transitions", "replay", str(log), "--json", "--final")
    assert result.exit_code == 0, result.stderr
    [stay] = json.loads(result.stdout)["stays"]
    assert stay["state"] == "discharged"
    assert sorted((r["sender"], r["status"]) for r in stay["receipts"] if r["message_id"] == SHARED_ID) == [
        (HOSPITAL, "ok"), (MUNICIPALITY_ADDRESS, "ok")]


# ---- the service: one message at a time, and a batch ----------------------------------------------------------


Messages = list[dict[str, Any]]


def receive_one_by_one(db: Database, parties: dict[str, Principal], messages: Messages) -> list[ReceiptView]:
    receipts = []
    for message in messages:
        with db.unit_of_work() as session:
            receipts.append(service.receive_message(session, principal_of(parties, message), message, now=NOW))
    return receipts


def receive_as_batch(db: Database, parties: dict[str, Principal], messages: Messages) -> list[ReceiptView]:
    with db.unit_of_work() as session:
        outcomes = service.receive_messages(session, [(principal_of(parties, m), m) for m in messages], now=NOW)
    assert all(isinstance(o, ReceiptView) for o in outcomes), outcomes
    return [o for o in outcomes if isinstance(o, ReceiptView)]


def receive_in_own_unit(db: Database, parties: dict[str, Principal], messages: Messages) -> list[ReceiptView]:
    outcomes = service.receive_batch(db, lambda _: [(principal_of(parties, m), m) for m in messages], now=NOW)
    assert all(isinstance(o, ReceiptView) for o in outcomes), outcomes
    return [o for o in outcomes if isinstance(o, ReceiptView)]


RECEIVERS = [receive_one_by_one, receive_as_batch, receive_in_own_unit]
# (sender, message_id, raw_id, pathway_status) of the two messages with the shared id: both claimed it
BOTH_STORED = [(MUNICIPALITY_ADDRESS, SHARED_ID, SHARED_ID, "ok"), (HOSPITAL, SHARED_ID, SHARED_ID, "ok")]


def stored_rows(db: Database) -> list[tuple[str | None, str | None, str | None, str]]:
    with db.reading() as session:
        return [(row.sender, row.message_id, row.raw_id, row.pathway_status)
                for row in session.scalars(select(MessageRow).where(MessageRow.raw_id == SHARED_ID)
                                           .order_by(MessageRow.seq))]


def stay_state(db: Database) -> tuple[str, int]:
    with db.reading() as session:
        stay = session.get(StayRow, "S1")
        assert stay is not None
        return stay.state, stay.payable_days


@pytest.mark.parametrize("receive", RECEIVERS)
def test_two_senders_messages_with_the_same_id_are_both_received_and_folded(db: Database, parties, receive) -> None:
    receipts = receive(db, parties, shared_id_stay())
    assert [(r.message_id, r.status, r.duplicate) for r in receipts[3:5]] == [
        (SHARED_ID, "ok", False), (SHARED_ID, "ok", False)]
    assert stay_state(db) == ("discharged", 3)
    assert stored_rows(db) == BOTH_STORED


@pytest.mark.parametrize("receive", RECEIVERS)
def test_a_senders_redelivery_is_a_duplicate_and_its_id_for_other_content_a_conflict(db: Database, parties,
                                                                                   receive) -> None:
    messages = shared_id_stay()
    first = receive(db, parties, messages)
    response, discharge = messages[3], messages[4]
    again = receive(db, parties, [response, discharge, other_content(discharge), {**response, "can_receive": True}])
    assert again[0] == first[3].model_copy(update={"duplicate": True})
    assert again[1] == first[4].model_copy(update={"duplicate": True})
    for conflict in again[2:]:
        assert conflict.status == "rejected" and [e.code for e in conflict.errors] == ["id-conflict"]
    assert stay_state(db) == ("discharged", 3)
    assert stored_rows(db) == [*BOTH_STORED, (HOSPITAL, None, SHARED_ID, "rejected"),
                               (MUNICIPALITY_ADDRESS, None, SHARED_ID, "rejected")]


@pytest.mark.parametrize("receive", RECEIVERS)
def test_each_message_with_a_shared_id_keeps_its_own_status_in_the_pathway(db: Database, parties, receive) -> None:
    """The municipality's answer is applied (ok); the hospital's second admission, with the same id, contradicts the
    pathway (ok_with_errors): each stored message has its own status, and the receipt is the sender's own."""
    stay = builder()
    stay.admission(at(1))
    stay.ready(at(4))
    answer = stay.response(at(4, 13), can_receive=False)
    again = stay.admission(at(5))
    answer["id"] = again["id"] = SHARED_ID
    receipts = receive(db, parties, stay.messages)
    assert [(r.message_id, r.status) for r in receipts[2:]] == [(SHARED_ID, "ok"), (SHARED_ID, "ok_with_errors")]
    assert [e.code for e in receipts[3].errors] == ["admission-repeated"]
    assert stored_rows(db) == [(MUNICIPALITY_ADDRESS, SHARED_ID, SHARED_ID, "ok"),
                               (HOSPITAL, SHARED_ID, SHARED_ID, "ok_with_errors")]
    assert stay_state(db)[0] == "municipality_cannot_receive"


@pytest.mark.parametrize("receive", RECEIVERS)
def test_the_audit_entry_of_a_submitted_message_names_its_sender_and_id(db: Database, parties, receive) -> None:
    """An id alone does not say which message: each submission is audited with `<sender>/<id>` as its basis
    reference, so the two messages with the id 1001 are two references (both were "1001")."""
    messages = shared_id_stay()
    receive(db, parties, messages)
    with db.reading() as session:
        references = [entry.basis_reference for entry in audit.query(session, audit.AuditFilter())
                      if entry.resource == "messages.submit"]
    assert sorted(references) == sorted(f"{m['sender']}/{m['id']}" for m in messages)
    assert {f"{HOSPITAL}/{SHARED_ID}", f"{MUNICIPALITY_ADDRESS}/{SHARED_ID}"} <= set(references)


# ---- HTTP -------------------------------------------------------------------------------------------------------


@pytest.fixture
def app_client(client):
    client.app.state.clock = lambda: NOW
    return client


def post(client, settings: Settings, parties: dict[str, Principal], message: dict[str, Any]) -> Any:
    return client.post("/api/v1/messages", json=message, headers=auth(settings, principal_of(parties, message)))


def test_http_accepts_another_senders_message_with_a_used_id_and_keeps_conflicts_per_sender(
        app_client, db: Database, settings: Settings, parties) -> None:
    messages = shared_id_stay()
    responses = [post(app_client, settings, parties, m) for m in messages]
    assert [r.status_code for r in responses] == [200] * len(messages)
    assert "x-duplicate" not in responses[4].headers and responses[4].json()["status"] == "ok"
    assert stay_state(db) == ("discharged", 3)
    response, discharge = messages[3], messages[4]
    for message, first in ((response, responses[3]), (discharge, responses[4])):
        again = post(app_client, settings, parties, message)
        assert again.status_code == 200 and again.headers["x-duplicate"] == "true"
        assert again.json() == first.json()  # the first receipt again (X-Duplicate says it is one)
    conflict = post(app_client, settings, parties, other_content(discharge))
    assert conflict.status_code == 409 and conflict.headers["content-type"] == "application/problem+json"
    assert conflict.json()["errors"][0]["code"] == "id-conflict"
    assert stored_rows(db)[-1] == (HOSPITAL, None, SHARED_ID, "rejected")


def test_the_same_id_on_different_days_from_two_senders_is_two_messages(db: Database, parties) -> None:
    """A counter that reached 1001 in the municipality months ago does not block the hospital's 1001 later."""
    first = shared_id_stay()
    later = waiting_stay("S2")
    later[0]["id"] = SHARED_ID
    receive_one_by_one(db, parties, first[:4])  # the municipality's 1001
    receipts = receive_one_by_one(db, parties, later)
    assert receipts[0].status == "ok" and not receipts[0].duplicate and not receipts[0].errors
    with db.reading() as session:
        stay = session.get(StayRow, "S2")
        assert stay is not None and stay.state == "discharged"


# ---- the migration ------------------------------------------------------------------------------------------------


def _insert_message(connection: Any, sender: str, message_id: str) -> None:
    connection.execute(insert(MessageRow.__table__).values(
        message_id=message_id, raw_id=message_id, sender=sender, received_at=NOW, submitted_by="test", payload="{}",
        sha256="0" * 64, receipt_status="ok", receipt_errors="[]", pathway_status="ok", pathway_errors="[]"))


def test_migration_0008_makes_the_id_unique_per_sender_and_keeps_the_stored_messages(db: Database) -> None:
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    try:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007_twin_load")
            _insert_message(connection, MUNICIPALITY_ADDRESS, SHARED_ID)
        with pytest.raises(IntegrityError), db.engine.begin() as connection:  # before: unique across all senders
            _insert_message(connection, HOSPITAL, SHARED_ID)
    finally:
        upgrade(db.engine)
    with db.engine.begin() as connection:
        _insert_message(connection, HOSPITAL, SHARED_ID)  # now another sender's message
    with pytest.raises(IntegrityError), db.engine.begin() as connection:  # the same sender's id twice still is not
        _insert_message(connection, HOSPITAL, SHARED_ID)
    with db.reading() as session:
        assert sorted(session.scalars(select(MessageRow.sender).where(MessageRow.message_id == SHARED_ID))) == [
            HOSPITAL, MUNICIPALITY_ADDRESS]
