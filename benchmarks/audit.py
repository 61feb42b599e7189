"""Benchmark of the audit log: appending entries (one transaction each, as requests do) against a baseline of
inserting the same rows into an unchained table in the same way, and verifying the chain against a baseline
of reading the same rows. Reports ratios, so results compare across machines.

    .venv/bin/python -m benchmarks.audit --entries 2000
    .venv/bin/python -m benchmarks.audit --entries 2000 --database-url postgresql://postgres@127.0.0.1:5432/bench

A database given with --database-url must exist and hold no table (create one for the run and drop it after: the
platform's schema and the entries stay in it); one in use is refused, never written to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks.databases import empty_database
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, select

from helsefellesskap.access import audit
from helsefellesskap.db import Database
from helsefellesskap.migrations import upgrade

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
BASELINE = MetaData()
plain = Table("bench_plain_entries", BASELINE, Column("id", Integer, primary_key=True),
              Column("at", DateTime(timezone=True)), Column("user_id", String(100)), Column("reason", Text),
              Column("national_id", String(11)), Column("payload", Text))


def record(i: int) -> audit.AuditRecord:
    return audit.AuditRecord(
        at=T0 + dt.timedelta(seconds=i), user_id=f"user-{i % 50}", username=f"user{i % 50}", display_name="Lege",
        organisation_address="1060200", role="hospital_physician", action="read", resource="person.pathway",
        national_id="17854101463", outcome="allowed", basis_kind="care_relation", basis_reference="stay-1",
        reason="care relation: hospital_stay (stay-1)", source="http 10.0.0.1")


def timed(work) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(database: Database, entries: int) -> None:
    upgrade(database.engine)
    BASELINE.create_all(database.engine)

    def append_chained() -> None:
        for i in range(entries):
            with database.unit_of_work() as session:
                audit.append(session, record(i))

    def append_plain() -> None:
        for i in range(entries):
            with database.unit_of_work() as session:
                fields = asdict(record(i))
                session.execute(insert(plain).values(at=fields["at"], user_id=fields["user_id"],
                                                     reason=fields["reason"], national_id=fields["national_id"],
                                                     payload=str(fields)))

    def verify() -> None:
        with database.reading() as session:
            assert audit.verify(session).intact

    def read_plain() -> None:
        with database.reading() as session:
            stmt = select(audit.AuditEntryRow.__table__).order_by(audit.AuditEntryRow.seq)
            for _ in session.execute(stmt.execution_options(yield_per=1000)).mappings():
                pass

    chained, baseline = timed(append_chained), timed(append_plain)
    verified, read = timed(verify), timed(read_plain)
    print(f"backend {database.engine.url.get_backend_name()}, {entries} entries")
    print(f"append: {entries / chained:8.0f} entries/s chained, {entries / baseline:8.0f}/s plain, "
          f"ratio {chained / baseline:.2f}")
    print(f"verify: {entries / verified:8.0f} entries/s, reading alone {entries / read:8.0f}/s, "
          f"ratio {verified / read:.2f}")
    BASELINE.drop_all(database.engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    if args.entries < 1:
        parser.error("--entries must be at least 1")
    if args.database_url:
        run(empty_database(args.database_url, "bench_audit"), args.entries)
        return
    with tempfile.TemporaryDirectory() as directory:
        run(Database(f"sqlite:///{Path(directory) / 'bench.db'}"), args.entries)


if __name__ == "__main__":
    main()
