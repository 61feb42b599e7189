"""The SQL statement budget of ingest: how many statements one received message costs (counted with a
`before_cursor_execute` listener on the real database, SQLite or PostgreSQL). A behavioural budget, not a
timing: a change that adds look-ups, re-reads or per-row writes to every message shows here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.transitions import service
from transitions_support import NOW, OTHER_PERSON, PERSON, at, builder, waiting_stay

# Measured after the ingest work of November 2026 (before it: about 24 per message in the benchmark feed, now
# about 12): here 11-16 per message on SQLite, one more on PostgreSQL (the patient's advisory lock). The worst
# single message is a discharge that rewrites the stay, its obligations, payable months and alerts and updates
# the care relations; the mean is over a feed of three stays of two patients.
MAX_PER_MESSAGE = 19
MEAN_PER_MESSAGE = 16
REDELIVERY = 8  # authorisation and audit, the insert that claims nothing, reading the stored receipt


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def feed() -> list[dict]:
    second = builder("B", PERSON)
    second.admission(at(12))  # a readmission of A: the refold folds both of the patient's stays
    second.admission_notice(at(12, 13))
    second.ready(at(15))
    return waiting_stay("A", PERSON) + second.messages + waiting_stay("C", OTHER_PERSON)


def receive(db: Database, parties: dict[str, Principal], message: dict) -> tuple[int, str]:
    sender = parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]
    with counted(db) as statements, db.unit_of_work() as session:
        receipt = service.receive_message(session, sender, message, now=NOW)
    return len(statements), receipt.status


def test_a_received_message_costs_a_bounded_number_of_statements(db: Database, parties) -> None:
    messages = feed()
    counts = [receive(db, parties, message) for message in messages]
    print("statements per message:", [n for n, _ in counts])
    assert all(status != "rejected" for _, status in counts)
    assert max(n for n, _ in counts) <= MAX_PER_MESSAGE
    assert sum(n for n, _ in counts) / len(counts) <= MEAN_PER_MESSAGE


def test_a_redelivery_costs_fewer_statements_than_the_first_delivery(db: Database, parties) -> None:
    message = feed()[0]
    first, _ = receive(db, parties, message)
    again, _ = receive(db, parties, message)
    print("statements: first", first, "redelivery", again)
    assert again <= REDELIVERY < first
