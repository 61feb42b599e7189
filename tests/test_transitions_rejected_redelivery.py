"""A rejected message sent again by its sender is a redelivery (docs/transitions.md, "A rejected message sent
again"): a message kept without claiming its id — failing the schema, or reusing its sender's id for other content
— is not kept again when the same sender sends the same content; the first receipt comes back, marked a duplicate.
One by one, in a batch (also twice in one batch), over HTTP (`X-Duplicate`), and two deliveries at once (on either
database; many at once on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from conftest import TEST_DATABASE_URL
from helsefellesskap.access.model import Principal, Role
from helsefellesskap.db import Database
from helsefellesskap.errors import DomainError
from helsefellesskap.settings import Settings
from helsefellesskap.transitions import rejected as rejections
from helsefellesskap.transitions import service
from helsefellesskap.transitions.store import MessageRow
from helsefellesskap.transitions.views import ReceiptView
from transitions_support import HOSPITAL, NOW, auth, user, waiting_stay

Submissions = Sequence[tuple[Principal, dict[str, Any]]]


def one_by_one(db: Database, submissions: Submissions) -> list[ReceiptView]:
    receipts = []
    for principal, message in submissions:
        with db.unit_of_work() as session:
            receipts.append(service.receive_message(session, principal, message, now=NOW))
    return receipts


def as_batch(db: Database, submissions: Submissions) -> list[ReceiptView]:
    with db.unit_of_work() as session:
        outcomes = service.receive_messages(session, list(submissions), now=NOW)
    assert not any(isinstance(outcome, DomainError) for outcome in outcomes)
    return [outcome for outcome in outcomes if isinstance(outcome, ReceiptView)]


RECEIVERS = [pytest.param(one_by_one, id="one_by_one"), pytest.param(as_batch, id="batch")]
Receive = Callable[[Database, Submissions], list[ReceiptView]]


def kept(db: Database) -> list[tuple[str | None, str | None, str | None, str, str]]:
    """(sender, id claimed, id held, receipt status, submitted by) of every stored message, in order."""
    with db.reading() as session:
        return [(r.sender, r.raw_id, r.message_id, r.receipt_status, r.submitted_by)
                for r in session.scalars(select(MessageRow).order_by(MessageRow.seq))]


def again(receipt: ReceiptView) -> ReceiptView:
    return receipt.model_copy(update={"duplicate": True})


def admission_and_rejections() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An admission, a message failing the schema (a service no stay has) and one reusing the admission's id."""
    admission = waiting_stay()[0]
    invalid = {**admission, "id": "S1-bad", "service": "dentistry"}
    conflict = {**admission, "acute": not admission["acute"]}
    return admission, invalid, conflict


@pytest.mark.parametrize("receive", RECEIVERS)
def test_a_rejected_message_sent_again_by_its_sender_is_kept_once(db: Database, parties, receive: Receive) -> None:
    admission, invalid, conflict = admission_and_rejections()
    hospital = parties["hospital_system"]
    first = receive(db, [(hospital, admission), (hospital, invalid), (hospital, conflict), (hospital, invalid),
                         (hospital, conflict)])
    assert [(r.status, [e.code for e in r.errors], r.duplicate) for r in first[:3]] == [
        ("ok", [], False), ("rejected", ["invalid-message"], False), ("rejected", ["id-conflict"], False)]
    assert first[3:] == [again(first[1]), again(first[2])]  # twice in one delivery (a batch): kept once too
    stored = kept(db)
    assert stored == [(HOSPITAL, admission["id"], admission["id"], "ok", "his"),
                      (HOSPITAL, "S1-bad", None, "rejected", "his"),
                      (HOSPITAL, admission["id"], None, "rejected", "his")]
    later = receive(db, [(hospital, conflict), (hospital, invalid), (hospital, admission)])
    assert later == [again(first[2]), again(first[1]), again(first[0])]
    assert kept(db) == stored


@pytest.mark.parametrize("receive", RECEIVERS)
def test_other_content_is_another_rejected_message(db: Database, parties, receive: Receive) -> None:
    admission, invalid, conflict = admission_and_rejections()
    hospital = parties["hospital_system"]
    receive(db, [(hospital, admission), (hospital, invalid), (hospital, conflict)])
    other_invalid, other_conflict = {**invalid, "service": "veterinary"}, {**admission, "diagnoses": ["I50.9"]}
    first = receive(db, [(hospital, other_invalid), (hospital, other_conflict)])
    assert [(r.status, [e.code for e in r.errors], r.duplicate) for r in first] == [
        ("rejected", ["invalid-message"], False), ("rejected", ["id-conflict"], False)]
    assert len(kept(db)) == 5


@pytest.mark.parametrize("receive", RECEIVERS)
def test_the_same_sender_is_the_message_sender_or_else_the_submitting_user(db: Database, parties,
                                                                           receive: Receive) -> None:
    """A message failing the schema that names its sender is that sender's, whoever of its systems sends it again;
    one whose sender is missing (or not a string) is the submitting user's own."""
    _, invalid, _ = admission_and_rejections()
    nameless = {"id": "N-1", "type": "admission"}
    unreadable = {"id": "N-2", "type": "admission", "sender": 1060200}
    hospital, municipality = parties["hospital_system"], parties["municipal_system"]
    second_system = user(db, "his-2", Role.MESSAGING_SYSTEM, HOSPITAL)  # another system of the same hospital
    first = receive(db, [(hospital, invalid), (hospital, nameless), (hospital, unreadable)])
    assert not any(r.duplicate for r in first)
    others = receive(db, [(second_system, invalid), (municipality, nameless), (municipality, unreadable)])
    assert others[0] == again(first[0])
    assert [(r.status, r.duplicate) for r in others[1:]] == [("rejected", False), ("rejected", False)]
    later = receive(db, [(municipality, nameless), (hospital, nameless), (hospital, unreadable),
                         (municipality, unreadable)])
    assert later == [again(others[1]), again(first[1]), again(first[2]), again(others[2])]
    assert [(sender, raw_id, submitted_by) for sender, raw_id, _, _, submitted_by in kept(db)] == [
        (HOSPITAL, "S1-bad", "his"), (None, "N-1", "his"), (None, "N-2", "his"), (None, "N-1", "kis"),
        (None, "N-2", "kis")]


# ---- HTTP -------------------------------------------------------------------------------------------------------


@pytest.fixture
def app_client(client):
    client.app.state.clock = lambda: NOW
    return client


def test_http_answers_a_rejected_redelivery_as_the_first_time_with_x_duplicate(app_client, db: Database,
                                                                               settings: Settings, parties) -> None:
    admission, invalid, conflict = admission_and_rejections()
    headers = auth(settings, parties["hospital_system"])
    assert app_client.post("/api/v1/messages", json=admission, headers=headers).status_code == 200
    for message, status in ((invalid, 422), (conflict, 409)):
        first = app_client.post("/api/v1/messages", json=message, headers=headers)
        second = app_client.post("/api/v1/messages", json=message, headers=headers)
        assert first.status_code == second.status_code == status
        assert second.headers["content-type"] == "application/problem+json"
        assert "x-duplicate" not in first.headers and second.headers["x-duplicate"] == "true"
        assert second.json() == first.json()  # the first receipt again
    assert len(kept(db)) == 3


# ---- two deliveries at once ---------------------------------------------------------------------------------------


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="concurrent writers: PostgreSQL (SQLite has one writer at a time)")
def test_concurrent_deliveries_of_one_rejected_message_keep_it_once(db: Database, parties) -> None:
    admission, invalid, conflict = admission_and_rejections()
    hospital = parties["hospital_system"]
    one_by_one(db, [(hospital, admission)])
    for message in (invalid, conflict, {"id": "N-1", "type": "admission"}):
        barrier = threading.Barrier(4)

        def deliver(way: int, message: dict[str, Any] = message, barrier: threading.Barrier = barrier) -> bool:
            barrier.wait()
            if way % 2:
                [receipt] = service.receive_batch(db, lambda session: [(hospital, message)], now=NOW)
                assert isinstance(receipt, ReceiptView)
            else:
                with db.unit_of_work() as session:
                    receipt = service.receive_message(session, hospital, message, now=NOW)
            assert receipt.status == "rejected"
            return receipt.duplicate

        with ThreadPoolExecutor(4) as pool:
            duplicates = list(pool.map(deliver, range(4)))
        assert sorted(duplicates) == [False, True, True, True], message
    assert len(kept(db)) == 4


@pytest.mark.parametrize("ways", [pytest.param((one_by_one, as_batch), id="one_by_one_then_batch"),
                                  pytest.param((as_batch, one_by_one), id="batch_then_one_by_one")])
def test_a_delivery_looking_for_a_kept_rejected_message_holds_off_another(db: Database, parties, monkeypatch,
                                                                        ways: tuple[Receive, Receive]) -> None:
    """Two deliveries at once of a message failing the schema, which writes nothing before its lookup: the second
    does not look until the first has committed (PostgreSQL: the advisory lock; SQLite: the write lock, taken
    before the lookup), so it finds the first and keeps nothing. Without the lock it would look while the first
    waits here, find nothing too, and keep the message twice."""
    _, invalid, _ = admission_and_rejections()
    hospital = parties["hospital_system"]
    first_looked, second_looked = threading.Event(), threading.Event()

    def looking(lookup: Callable[..., Any]) -> Callable[..., Any]:
        def look(*args: Any) -> Any:
            found = lookup(*args)
            if not first_looked.is_set():
                first_looked.set()
                assert not second_looked.wait(timeout=1)  # the second looks only after this commits
            else:
                second_looked.set()
            return found
        return look

    monkeypatch.setattr(rejections, "first_kept", looking(rejections.first_kept))
    monkeypatch.setattr(rejections, "kept_rejections", looking(rejections.kept_rejections))

    def second() -> list[ReceiptView]:
        assert first_looked.wait(timeout=10)
        return ways[1](db, [(hospital, invalid)])

    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(second)
        [receipt] = ways[0](db, [(hospital, invalid)])
        assert later.result(timeout=30) == [again(receipt)]
    assert second_looked.is_set() and len(kept(db)) == 1
