"""The audit log: an append-only hash chain; any altered or removed entry is found by `audit verify`;
appends from many transactions at once keep one unbroken chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import delete, text, update

from helsefellesskap.access import audit
from helsefellesskap.access.store import AuditEntryRow
from helsefellesskap.db import Database

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def record(i: int, *, national_id: str | None = "17854101463", basis: str = "care_relation") -> audit.AuditRecord:
    return audit.AuditRecord(
        at=T0 + dt.timedelta(minutes=i), user_id=f"user-{i % 3}", username=f"user{i % 3}", display_name="Lege Lise",
        organisation_address="1060200", role="hospital_physician", action="read", resource="person.pathway",
        national_id=national_id, outcome="allowed", basis_kind=basis, basis_reference="stay-1",
        reason="care relation: hospital_stay (stay-1)", source="http 10.0.0.1",
    )


def fill(db: Database, count: int) -> None:
    with db.unit_of_work() as session:
        for i in range(count):
            audit.append(session, record(i))


def verify(db: Database) -> audit.Verification:
    with db.reading() as session:
        return audit.verify(session)


def test_an_empty_log_verifies(db: Database) -> None:
    assert verify(db) == audit.Verification(True, 0, audit.GENESIS_HASH)


def test_entries_link_to_the_one_before(db: Database) -> None:
    fill(db, 3)
    with db.reading() as session:
        rows = [(r.seq, r.prev_hash, r.hash) for r in reversed(audit.query(session, audit.AuditFilter()))]
    assert [seq for seq, _, _ in rows] == [1, 2, 3]
    assert rows[0][1] == audit.GENESIS_HASH
    assert rows[1][1] == rows[0][2] and rows[2][1] == rows[1][2]
    assert verify(db) == audit.Verification(True, 3, rows[2][2])


def test_the_hash_covers_every_field_and_the_time_to_the_microsecond() -> None:
    base = record(1)
    digests = {audit.entry_hash(1, base, audit.GENESIS_HASH)}
    for name, value in {"user_id": "x", "reason": "other", "national_id": None, "outcome": "denied",
                        "at": base.at + dt.timedelta(microseconds=1), "source": None}.items():
        changed = audit.AuditRecord(**{**base.__dict__, name: value})
        digests.add(audit.entry_hash(1, changed, audit.GENESIS_HASH))
    digests.add(audit.entry_hash(2, base, audit.GENESIS_HASH))
    assert len(digests) == 8


def test_an_altered_entry_is_named(db: Database) -> None:
    fill(db, 5)
    with db.engine.begin() as conn:
        conn.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 3).values(reason="nothing to see"))
    result = verify(db)
    assert not result.intact and result.broken_seq == 3 and "altered" in (result.problem or "")


def test_an_altered_and_rehashed_entry_breaks_the_link_of_the_next(db: Database) -> None:
    fill(db, 5)
    with db.reading() as session:
        row = session.get(AuditEntryRow, 2)
        assert row is not None
        forged = audit.AuditRecord(**{**audit.record_of(row).__dict__, "user_id": "someone-else"})
        forged_hash = audit.entry_hash(2, forged, row.prev_hash)
    with db.engine.begin() as conn:
        conn.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 2).values(user_id="someone-else",
                                                                                  hash=forged_hash))
    result = verify(db)
    assert not result.intact and result.broken_seq == 3 and "does not link" in (result.problem or "")


def test_a_removed_entry_is_named(db: Database) -> None:
    fill(db, 5)
    with db.engine.begin() as conn:
        conn.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 2))
    result = verify(db)
    assert not result.intact and result.broken_seq == 2 and "missing" in (result.problem or "")


def test_removing_the_newest_entries_is_detected_by_the_head(db: Database) -> None:
    fill(db, 5)
    with db.engine.begin() as conn:
        conn.execute(delete(AuditEntryRow).where(AuditEntryRow.seq >= 4))
    result = verify(db)
    assert not result.intact and result.broken_seq == 4


def test_removing_everything_is_detected_by_the_head(db: Database) -> None:
    fill(db, 2)
    with db.engine.begin() as conn:
        conn.execute(delete(AuditEntryRow))
    assert not verify(db).intact


def test_a_rolled_back_access_leaves_no_entry_and_no_gap(db: Database) -> None:
    fill(db, 1)
    try:
        with db.unit_of_work() as session:
            audit.append(session, record(1))
            raise RuntimeError("the use case failed after auditing")
    except RuntimeError:
        pass
    fill(db, 1)
    result = verify(db)
    assert result.intact and result.entries == 2


def test_entries_appended_together_chain_as_appended_one_by_one(db: Database) -> None:
    """A board or a batch of messages appends its entries together (three statements): the chain is the one
    appending each in turn gives, and it continues where it was."""
    fill(db, 2)
    with db.reading() as session:
        head = audit.verify(session).head_hash
    with db.unit_of_work() as session:
        appended = audit.append_many(session, [record(i) for i in range(2, 7)])
    expected, prev = [], head
    for seq, i in enumerate(range(2, 7), start=3):
        prev = audit.entry_hash(seq, record(i), prev)
        expected.append(audit.Appended(seq, prev))
    assert appended == expected
    with db.unit_of_work() as session:
        assert audit.append_many(session, []) == []
        audit.append(session, record(7))
    result = verify(db)
    assert result.intact and result.entries == 8
    with db.reading() as session:
        rows = [(r.seq, r.hash) for r in reversed(audit.query(session, audit.AuditFilter()))]
    assert [seq for seq, _ in rows] == list(range(1, 9))
    assert [digest for _, digest in rows[2:7]] == [a.hash for a in expected]


def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for i in range(10):
                with db.unit_of_work() as session:
                    audit.append(session, record(offset * 100 + i))
        except BaseException as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify(db)
    assert result.intact and result.entries == 40


def test_queries_filter_by_person_user_organisation_and_emergency(db: Database) -> None:
    with db.unit_of_work() as session:
        audit.append(session, record(0))
        audit.append(session, record(1, national_id="01819012345"))
        audit.append(session, record(2, basis="emergency"))
    with db.reading() as session:
        assert [r.seq for r in audit.query(session, audit.AuditFilter(person="01819012345"))] == [2]
        assert [r.seq for r in audit.query(session, audit.AuditFilter(user="user1"))] == [2]
        assert [r.seq for r in audit.query(session, audit.AuditFilter(user="user-2"))] == [3]
        assert [r.seq for r in audit.query(session, audit.AuditFilter(emergency=True))] == [3]
        assert [r.seq for r in audit.query(session, audit.AuditFilter(emergency=False))] == [2, 1]
        assert audit.query(session, audit.AuditFilter(organisation="9999999")) == []
        since = audit.AuditFilter(since=T0 + dt.timedelta(minutes=1), until=T0 + dt.timedelta(minutes=2))
        assert [r.seq for r in audit.query(session, since)] == [2]


def test_cli_verify_passes_on_an_intact_chain(db: Database, cli) -> None:
    fill(db, 3)
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert "intact: 3 entries" in result.stdout


def test_cli_verify_fails_naming_the_first_broken_entry(db: Database, cli) -> None:
    fill(db, 4)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE access_audit_entries SET national_id = '01819012345' WHERE seq = 2"))
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stderr.strip() == "audit chain BROKEN at entry 2: entry 2 has been altered"
