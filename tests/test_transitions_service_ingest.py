"""The transitions service and the ingest CLI on the real database: redelivery changes nothing, arrival order
does not matter, a failure mid-ingest leaves nothing behind, concurrent duplicates are answered as such."""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import TEST_DATABASE_URL
from helsefellesskap.access.model import Principal
from helsefellesskap.access.store import CareRelationRow
from helsefellesskap.db import Database
from helsefellesskap.errors import Forbidden
from helsefellesskap.transitions import service
from helsefellesskap.transitions.store import AlertRow, MessageRow, ObligationRow, StayRow
from transitions_support import NOW, OTHER_PERSON, PERSON, at, builder, setup_parties, waiting_stay


def count(db: Database, table: type) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def projection(db: Database) -> list[tuple]:
    with db.reading() as session:
        stays = [(s.stay_id, s.state, s.payable_days, s.amount_ore, s.ready_at, s.answer, s.readmission_of)
                 for s in session.scalars(select(StayRow).order_by(StayRow.stay_id))]
        obligations = sorted((o.stay_id, o.kind, o.due_at, o.met_at) for o in session.scalars(select(ObligationRow)))
        # Open alerts only: an intermediate state may raise an alert that a later message resolves (kept as history).
        alerts = sorted(a.id for a in session.scalars(select(AlertRow).where(AlertRow.resolved_at.is_(None))))
    return [stays, obligations, alerts]


def receive_all(db: Database, parties: dict[str, Principal], messages: list[dict]) -> None:
    for message in messages:
        sender = parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]
        with db.unit_of_work() as session:
            service.receive_message(session, sender, message, now=NOW)


def two_stays_with_readmission() -> list[dict]:
    first = waiting_stay("A", PERSON)
    second = builder("B", PERSON)
    second.admission(at(12))  # readmitted within 30 days of the discharge on 7 March
    second.admission_notice(at(12, 13))
    second.ready(at(15))
    return first + second.messages


def test_any_arrival_order_gives_the_same_projection(db: Database, parties) -> None:
    messages = two_stays_with_readmission() + waiting_stay("C", OTHER_PERSON)
    receive_all(db, parties, messages)
    in_order = projection(db)
    assert in_order[0][1][-1] == "A"  # B is linked as a readmission of A
    from conftest import empty_all_tables

    for seed in (1, 2):
        empty_all_tables(db)
        parties = setup_parties(db)
        shuffled = messages[:]
        random.Random(seed).shuffle(shuffled)
        receive_all(db, parties, shuffled)
        assert projection(db) == in_order


def test_redelivery_of_everything_changes_nothing(db: Database, parties) -> None:
    messages = two_stays_with_readmission()
    receive_all(db, parties, messages)
    before, stored = projection(db), count(db, MessageRow)
    receive_all(db, parties, messages)
    assert projection(db) == before and count(db, MessageRow) == stored == len(messages)


def test_admission_grants_the_hospital_and_the_municipality_a_care_relation(db: Database, parties) -> None:
    receive_all(db, parties, waiting_stay("A", PERSON))
    with db.reading() as session:
        relations = {(r.organisation_address, r.kind, r.reference, r.valid_to is not None)
                     for r in session.scalars(select(CareRelationRow))}
    assert relations == {("1060200", "hospital_stay", "A", True), ("2340300", "municipal_service", "A", True)}


def test_a_failure_mid_transaction_leaves_nothing_behind(db: Database, parties) -> None:
    messages = waiting_stay("A", PERSON)  # the fourth is the municipality's answer: not the hospital's to send

    def ingest_all() -> None:
        with db.unit_of_work() as session:
            for message in messages:
                service.receive_message(session, parties["hospital_system"], message, now=NOW)

    with pytest.raises(Forbidden):
        ingest_all()
    assert count(db, MessageRow) == count(db, StayRow) == count(db, ObligationRow) == count(db, CareRelationRow) == 0


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="concurrent writers: PostgreSQL (SQLite has one writer at a time)")
def test_concurrent_deliveries_of_one_message_store_it_once(db: Database, parties) -> None:
    message = waiting_stay("A", PERSON)[0]
    barrier = threading.Barrier(4)

    def deliver() -> tuple[str, bool]:
        barrier.wait()
        with db.unit_of_work() as session:
            receipt = service.receive_message(session, parties["hospital_system"], message, now=NOW)
        return receipt.status, receipt.duplicate

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: deliver(), range(4)))
    assert sorted(outcomes) == [("ok", False), ("ok", True), ("ok", True), ("ok", True)]
    assert count(db, MessageRow) == 1 and count(db, StayRow) == 1


def write_log(path: Path, messages: list[dict], *extra: str) -> Path:
    path.write_text("\n".join([*(json.dumps(m) for m in messages), *extra]) + "\n", encoding="utf-8")
    return path


def test_ingest_cli_feeds_the_service_and_redelivery_changes_nothing(cli, db: Database, parties,
                                                                     tmp_path: Path) -> None:
    messages = [m for m in two_stays_with_readmission() if m["type"] != "municipal_response"]
    log = write_log(tmp_path / "log.jsonl", messages, json.dumps({**messages[0], "id": "bad", "service": "x"}))
    first = cli("transitions", "ingest", str(log), "--as", "his", "--now", NOW.isoformat())
    assert first.exit_code == 0, first.stderr
    assert f"{len(messages) + 1} messages: {len(messages)} accepted (0 flagged), 0 duplicate, 1 rejected" in \
        first.stdout
    before = projection(db)
    again = cli("transitions", "ingest", str(log), "--as", "his", "--now", NOW.isoformat())
    assert f"0 accepted (0 flagged), {len(messages) + 1} duplicate, 0 rejected" in again.stdout
    assert projection(db) == before and count(db, MessageRow) == len(messages) + 1  # the invalid one kept once
    board = cli("transitions", "board", "--as", "coord", "--state", "all")
    assert board.exit_code == 0 and "A" in board.stdout and "B" in board.stdout


def test_ingest_cli_is_all_or_nothing(cli, db: Database, parties, tmp_path: Path) -> None:
    messages = waiting_stay("A", PERSON)  # its municipal_response is not the hospital's to send
    result = cli("transitions", "ingest", str(write_log(tmp_path / "log.jsonl", messages)), "--as", "his")
    assert result.exit_code == 2 and result.stderr.startswith("error: line 4:")
    assert count(db, MessageRow) == count(db, StayRow) == 0
    broken = cli("transitions", "ingest", str(write_log(tmp_path / "bad.jsonl", messages[:1], "not json")),
                 "--as", "his")
    assert broken.exit_code == 2 and "line 2" in broken.stderr and count(db, MessageRow) == 0
