"""End-to-end ingest throughput of the transitions service: messages per second through the HTTP API
(`POST /api/v1/messages`, the full app in-process over ASGI: bearer token, access check and audit, validation,
idempotent store, refold of the patient's stays, projection rows, care relations, receipt), with persistence on
SQLite and on PostgreSQL, each against a raw INSERT baseline of the same rows (id + payload, one transaction
per message, same database and driver) measured in the same run; and the in-memory replay of the same log for
reference. Run: `.venv/bin/python -m benchmarks.ingest [--messages N] [--postgres URL | --no-postgres]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.replay import make_log
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helsefellesskap.access.model import Role
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.db import Database
from helsefellesskap.migrations import upgrade
from helsefellesskap.registry.service import create_organisation, load_register
from helsefellesskap.settings import Settings
from helsefellesskap.transitions.replay import latest_time, paused_gc, read_log, replay

HOSPITAL, MUNICIPALITY = "80000001", "90003403"  # the senders of transitions.sample
REGISTER_HOSPITAL = "1060200"  # Sykehuset Innlandet, Hamar
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    url = make_url(admin_url)
    name = f"hf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def raw_insert_rate(database: Database, lines: list[bytes]) -> float:
    """The floor: the same rows into a plain table, one transaction per message (as the API commits)."""
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_raw_messages (id VARCHAR(128) PRIMARY KEY, payload TEXT NOT NULL)"))
    rows = [{"id": json.loads(line)["id"], "payload": line.decode()} for line in lines]
    started = time.perf_counter()
    for row in rows:
        with database.engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_raw_messages (id, payload) VALUES (:id, :payload)"), row)
    return len(rows) / (time.perf_counter() - started)


def api_rate(url: str, lines: list[bytes], keys: Path) -> tuple[float, dict[str, int]]:
    from fastapi.testclient import TestClient

    from helsefellesskap.api import create_app

    settings = Settings(database_url=url, dev_identity_provider=True, dev_signing_key_file=keys,
                        secret_key="benchmark-secret-key-0123456789abcdef")
    database = Database(url)
    upgrade(database.engine)
    now = dt.datetime.now(dt.UTC)
    load_register(database, now=now)
    with database.unit_of_work() as session:
        # A user belongs to an organisation of the register: the sample's two senders, as units of the register's
        # Hamar hospital and Hamar municipality (each submits as itself, as before).
        create_organisation(session, kind="hospital_department", name="Sample hospital sender",
                            parent_address=REGISTER_HOSPITAL, address=HOSPITAL, now=now)
        create_organisation(session, kind="allocation_office", name="Sample municipal sender",
                            municipality_number="3403", address=MUNICIPALITY, now=now)
        users = {address: create_user(session, NewUser(f"system-{address}", "Messaging system",
                                                       frozenset({Role.MESSAGING_SYSTEM}), address, None, None, None),
                                      now=now) for address in (HOSPITAL, MUNICIPALITY)}
    headers = {address: {"Authorization": f"Bearer {issue_dev_token(user, settings, now)}",
                         "Content-Type": "application/json"} for address, user in users.items()}
    parsed = [json.loads(line) for line in lines]
    statuses: dict[str, int] = {}
    clock = [now]
    app = create_app(settings, database=database)
    app.state.clock = lambda: clock[0]  # a live feed: the service's clock is the message's sending time
    with TestClient(app) as client:
        started, cpu = time.perf_counter(), time.process_time()
        for line, message in zip(lines, parsed, strict=True):
            clock[0] = dt.datetime.fromisoformat(message["sent_at"])
            response = client.post("/api/v1/messages", content=line, headers=headers[message["sender"]])
            key = f"{response.status_code} {response.json().get('status', '')}"
            statuses[key] = statuses.get(key, 0) + 1
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = len(lines) / elapsed
    baseline = raw_insert_rate(database, lines)
    database.dispose()
    return rate, {**statuses, "raw_insert_per_s": round(baseline), "api_per_cpu_s": round(len(lines) / cpu)}


def replay_rate(lines: list[bytes]) -> float:
    started = time.perf_counter()
    with paused_gc():
        messages = list(read_log(lines))
        replay(messages, as_of=latest_time(messages))
    return len(lines) / (time.perf_counter() - started)


def report(backend: str, rate: float, details: dict[str, int]) -> None:
    baseline, per_cpu = details.pop("raw_insert_per_s"), details.pop("api_per_cpu_s")
    print(f"{backend:<10} API ingest {rate:>8,.0f} msg/s wall ({per_cpu:,.0f} per CPU s of this process) | "
          f"raw INSERT {baseline:>8,.0f} msg/s | ratio {rate / baseline:.3f} | receipts {details}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000, help="size of the log (default 5 000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="an admin URL of a PostgreSQL server")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    lines = make_log(args.messages, args.seed)[: args.messages]
    print(f"{len(lines):,} messages; in-memory replay {replay_rate(lines):,.0f} msg/s (wall)")
    with tempfile.TemporaryDirectory() as work:
        keys = Path(work) / "key.pem"
        rate, details = api_rate(f"sqlite:///{work}/bench.db", lines, keys)
        report("SQLite", rate, details)
        if not args.no_postgres:
            with postgres_database(args.postgres) as url:
                rate, details = api_rate(url, lines, keys)
                report("PostgreSQL", rate, details)


if __name__ == "__main__":
    main()
