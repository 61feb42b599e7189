"""The configured database and the schema target, given wrong, are one line on stderr and exit 2 (each was a traceback):
a database of a kind the platform does not run on (its driver is not installed), a file that is not an SQLite
database, and a schema revision alembic's parser fails on with a bare AssertionError."""

from __future__ import annotations

from pathlib import Path

import pytest

from helsefellesskap.settings import get_settings


def _one_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    line: str = result.stderr
    return line


@pytest.mark.parametrize("url", ["mysql://someone@127.0.0.1/platform", "mssql+pyodbc://someone@dsn"])
def test_a_database_the_platform_does_not_run_on_is_one_line(cli, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("HELSEFELLESSKAP_DATABASE_URL", url)
    get_settings.cache_clear()
    assert "SQLite or PostgreSQL" in _one_line(cli("db", "current"))


def test_a_file_that_is_not_an_sqlite_database_is_one_line(cli, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_text("these are not the pages of an SQLite database\n" * 20, encoding="utf-8")
    monkeypatch.setenv("HELSEFELLESSKAP_DATABASE_URL", f"sqlite:///{garbage}")
    get_settings.cache_clear()
    assert "not an SQLite database" in _one_line(cli("db", "upgrade"))
    assert garbage.read_text(encoding="utf-8").startswith("these are not")


@pytest.mark.parametrize("revision", ["", "head+5", "000"])
def test_a_revision_alembic_cannot_parse_is_one_line(cli, revision: str) -> None:
    assert "unknown revision" in _one_line(cli("db", "upgrade", revision))


def test_a_unique_start_of_a_revision_id_is_taken(cli) -> None:
    result = cli("db", "upgrade", "0001")
    assert result.exit_code == 0, result.stderr
