"""Shared fixtures: one migrated database per test session (SQLite file, or a fresh PostgreSQL database
when HELSEFELLESSKAP_TEST_DATABASE_URL names a server), emptied after every test; an API client; the CLI; the
transitions tests' parties."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.migrations import upgrade
from helsefellesskap.schema import metadata
from helsefellesskap.settings import Settings, get_settings

TEST_DATABASE_URL = os.environ.get("HELSEFELLESSKAP_TEST_DATABASE_URL")
# Cheap password hashes in tests: hash strength is configuration, the behaviour is what the tests check.
os.environ.setdefault("HELSEFELLESSKAP_ARGON2_TIME_COST", "1")
os.environ.setdefault("HELSEFELLESSKAP_ARGON2_MEMORY_KIB", "1024")


def _postgres_database(admin_url: str, worker: str) -> Iterator[str]:
    url = make_url(admin_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"hf_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    if TEST_DATABASE_URL:
        yield from _postgres_database(TEST_DATABASE_URL, worker_id)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


def empty_all_tables(database: Database) -> None:
    tables = [t for t in reversed(metadata.sorted_tables)]
    if not tables:
        return
    with database.engine.begin() as conn:
        if database.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(migrated_database: Database) -> Iterator[Database]:
    """The session's database, emptied after the test."""
    yield migrated_database
    empty_all_tables(migrated_database)


TEST_SECRET_KEY = "test-secret-key-0123456789abcdef-0123"  # a test value, 32+ bytes for HS256


@pytest.fixture(scope="session")
def dev_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the development provider's RS256 key is generated once per session (never the user's data dir)."""
    return tmp_path_factory.mktemp("keys") / "dev-key.pem"


@pytest.fixture(scope="session")
def make_settings(dev_key_file: Path) -> Callable[..., Settings]:
    """Settings for tests: the development identity provider on, its signing key in a temporary directory (a test
    never writes the key into the user's data directory), a test secret. ``make_settings(database_url,
    **overrides)``; the shared ``settings`` fixture and the browser tests' live server are built with it, and a
    module that needs other values overrides ``settings`` with ``make_settings(database_url, ...)``, so ``client``
    serves with them too. Session-scoped, so session fixtures (``live_server``) can use it."""

    def make(database_url: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "dev_identity_provider": True,
                                  "dev_signing_key_file": dev_key_file, "secret_key": TEST_SECRET_KEY}
        return Settings(**(values | overrides))

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    """The settings ``client`` serves with: ``make_settings`` defaults over the session's database."""
    return make_settings(database_url)


@pytest.fixture
def parties(db: Database) -> dict[str, Principal]:
    """The users of the transitions tests (`transitions_support.setup_parties`: the demo hospital's and the
    municipality's messaging systems and staff), with the register loaded. A module adds users by overriding
    ``parties`` with a fixture that takes this one."""
    from transitions_support import setup_parties

    return setup_parties(db)


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from helsefellesskap.api import create_app

    with TestClient(create_app(settings, database=db), raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path):
    """Run the real `helsefellesskap` entry point (``cli.main``) against the test database."""
    from helsefellesskap import cli as cli_module

    monkeypatch.setenv("HELSEFELLESSKAP_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["helsefellesskap", *args])
        code: int = 0
        try:
            cli_module.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    yield run
    get_settings.cache_clear()


# Browser tests (Playwright + Debian's Chromium): live_server, browser, page, tablet_page — see browser_fixtures.py.
from browser_fixtures import browser, live_server, live_server_settings, page, tablet_page  # noqa: E402, F401
