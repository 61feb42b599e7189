"""The benchmarks that fill a database given with --database-url (audit, web pages) refuse one in use and the server's
maintenance database with one line and exit 2, writing nothing. Given the README's PostgreSQL command with the
`postgres` database (the admin URL the ingest benchmarks take), the audit benchmark created the platform's whole
schema in it and appended its entries to whatever chain was there."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {  # as benchmarks/README.md gives them
    "audit": [sys.executable, "-m", "benchmarks.audit", "--entries", "5"],
    "web": [sys.executable, "-m", "benchmarks.web", "--stays", "1", "--requests", "1"],
}


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("benchmark", sorted(COMMANDS))
def test_a_database_in_use_is_refused_and_left_as_it_was(benchmark: str, tmp_path: Path) -> None:
    in_use = tmp_path / "in-use.db"
    with sqlite3.connect(in_use) as connection:
        connection.execute("CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)")
    result = _run([*COMMANDS[benchmark], "--database-url", f"sqlite:///{in_use}"])
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: the database at --database-url holds 1 tables")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    with sqlite3.connect(in_use) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["someone_elses"]


@pytest.mark.parametrize("benchmark", sorted(COMMANDS))
def test_the_maintenance_database_is_refused_before_connecting(benchmark: str) -> None:
    # Port 1: nothing listens there, so only a refusal before connecting can give this line.
    result = _run([*COMMANDS[benchmark], "--database-url", "postgresql://postgres@127.0.0.1:1/postgres"])
    assert result.returncode == 2, result.stderr
    assert "maintenance database" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_url_that_does_not_parse_is_one_line() -> None:
    result = _run([*COMMANDS["audit"], "--database-url", "not a url"])
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot open the database at --database-url")
    assert len(result.stderr.splitlines()) == 1
