"""Batch ingest (`transitions.service.receive_messages`) against message-by-message ingest (`receive_message`) on the
demo's feed: the care-transition messages of a synthetic twin of Innlandet (`--scale`, default the demo's 0.3),
the first `--days` days of its year (default 60; `--days 366` for the whole year), fed as the demo feeds them —
one unit of work per day of sending, the service clock at the end of that day — once each way into its own
database, measured in the same run: wall and CPU seconds of this process, messages per CPU second, SQL statements
per message (counted with a `before_cursor_execute` listener). Both runs must store the same: the benchmark
compares the stored messages, stays, obligations, payable months, alerts, care relations and audit entries.

Run: `.venv/bin/python -m benchmarks.ingest_batch [--days 60] [--scale 0.3] [--twin DIR] [--database-url URL]`
(default: temporary SQLite files; `--database-url`: a PostgreSQL server's admin URL, where a database is created
and dropped for each run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from benchmarks.ingest import postgres_database
from sqlalchemy import event, select

from helsefellesskap.access import audit
from helsefellesskap.access.seeding import seed_demo
from helsefellesskap.access.store import AuditEntryRow, CareRelationRow
from helsefellesskap.access.users import get_user
from helsefellesskap.db import Database
from helsefellesskap.demo_feed import Senders, daily_batches
from helsefellesskap.demo_twin import generate_demo_twin, live_messages
from helsefellesskap.errors import DomainError
from helsefellesskap.migrations import upgrade
from helsefellesskap.registry.service import load_register
from helsefellesskap.transitions import service
from helsefellesskap.transitions.store import AlertRow, MessageRow, ObligationRow, PayableMonthRow, StayRow

Receive = Callable[[Any, list[tuple[Any, dict[str, Any]]], dt.datetime], list[str]]


def one_by_one(session: Any, submissions: list[tuple[Any, dict[str, Any]]], now: dt.datetime) -> list[str]:
    statuses = []
    for principal, message in submissions:
        try:
            statuses.append(str(service.receive_message(session, principal, message, now=now, source="demo").status))
        except DomainError as error:
            statuses.append(type(error).__name__)
    return statuses


def as_batch(session: Any, submissions: list[tuple[Any, dict[str, Any]]], now: dt.datetime) -> list[str]:
    return [type(o).__name__ if isinstance(o, DomainError) else str(o.status)
            for o in service.receive_messages(session, submissions, now=now, source="demo")]


@contextmanager
def counted(database: Database) -> Iterator[list[int]]:
    count = [0]

    def listener(*_: Any) -> None:
        count[0] += 1

    event.listen(database.engine, "before_cursor_execute", listener)
    try:
        yield count
    finally:
        event.remove(database.engine, "before_cursor_execute", listener)


def run(url: str, messages: list[dict[str, Any]], now: dt.datetime, receive: Receive) -> dict[str, Any]:
    database = Database(url)
    upgrade(database.engine)
    load_register(database)
    with database.unit_of_work() as session:
        seed_demo(session, now=now)
    with database.reading() as session:
        senders = Senders(session, get_user(session, "integrasjon"))
    statuses: dict[str, int] = {}
    with counted(database) as statements:
        started, cpu = time.perf_counter(), time.process_time()
        for clock, day in daily_batches(messages, now):
            with database.unit_of_work() as session:
                for status in receive(session, [(senders.of(session, m["sender"]), m) for m in day], clock):
                    statuses[status] = statuses.get(status, 0) + 1
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    digest = fingerprint(database)
    database.dispose()
    return {"wall": wall, "cpu": cpu, "statements": statements[0], "statuses": statuses, "stored": digest}


def fingerprint(database: Database) -> str:
    """A hash of everything the ingest stored (generated row ids left out)."""
    def columns(row: Any, *skip: str) -> tuple[Any, ...]:
        return tuple(str(getattr(row, c.key)) for c in row.__table__.columns if c.key not in skip)

    with database.reading() as session:
        parts = [
            [columns(r, "seq") for r in session.scalars(select(MessageRow).order_by(MessageRow.seq))],
            sorted(columns(r) for r in session.scalars(select(StayRow))),
            sorted(columns(r, "id") for r in session.scalars(select(ObligationRow))),
            sorted(columns(r, "id") for r in session.scalars(select(PayableMonthRow))),
            sorted(columns(r) for r in session.scalars(select(AlertRow))),
            sorted(columns(r, "id") for r in session.scalars(select(CareRelationRow))),
            # the seeded users' ids are random per database, and the hashes cover them: the chain is verified
            [columns(r, "user_id", "prev_hash", "hash")
             for r in session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq))],
        ]
        intact = audit.verify(session).intact
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16] + ("" if intact else " (audit chain broken!)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--twin", type=Path, help="a demo twin already generated (demo/twin)")
    parser.add_argument("--database-url", help="a PostgreSQL server's admin URL (default: SQLite files)")
    parser.add_argument("--batch-only", action="store_true", help="skip the message-by-message run")
    args = parser.parse_args()
    if args.days < 1 or not 0 < args.scale <= 1:
        parser.error("--days must be at least 1, --scale in (0, 1]")
    work = Path(tempfile.mkdtemp(prefix="hf-bench-batch-"))
    try:  # the twin and the SQLite files are removed after the run (each run left them in /tmp)
        measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(args: argparse.Namespace, work: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    twin = args.twin
    if twin is None:
        twin = work / "twin"
        generate_demo_twin(twin, today=now.date(), scale=args.scale)
    messages = live_messages(twin, discharged_since=None, sent_after=None, sent_until=now)
    first = min(dt.datetime.fromisoformat(m["sent_at"]) for m in messages)
    messages = [m for m in messages if dt.datetime.fromisoformat(m["sent_at"]) < first + dt.timedelta(days=args.days)]
    print(f"{len(messages):,} messages of {args.days} days of the demo twin")
    results = {}
    for name, receive in (("one by one", one_by_one), ("batch", as_batch)):
        if args.batch_only and name == "one by one":
            continue
        database = postgres_database(args.database_url) if args.database_url else nullcontext(
            f"sqlite:///{work / name.replace(' ', '_')}.db")
        with database as url:
            results[name] = result = run(url, messages, now, receive)
        n = len(messages)
        print(f"{name:<11} wall {result['wall']:7.1f} s  CPU {result['cpu']:7.1f} s  "
              f"{n / result['cpu']:7,.0f} msg/CPU s  {result['statements'] / n:6.2f} statements/msg  "
              f"{result['statuses']}  stored {result['stored']}")
    if len(results) == 2:
        one, batch = results["one by one"], results["batch"]
        print(f"batch/one-by-one: {one['cpu'] / batch['cpu']:.1f}x messages per CPU second, "
              f"{one['wall'] / batch['wall']:.1f}x wall, {one['statements'] / batch['statements']:.0f}x fewer "
              f"statements; same stored: {one['stored'] == batch['stored']}")


if __name__ == "__main__":
    main()
