"""The `helsefellesskap` command starts without the heavy libraries: importing the CLI, and building its whole
command tree for `--help` or `--version` (typer then reads every command's signature), loads none of the engines,
dataframes, web framework, database toolkit or settings; each command imports those when it runs.

Each check runs in a fresh interpreter (the test session itself has imported everything long ago)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CliResult

# Never loaded by starting the CLI: the indicator engines and dataframes, the web app and server, the database,
# the settings (pydantic itself is left out: typer loads it to read the values of some options).
HEAVY = (
    "ibis", "duckdb", "pandas", "polars", "numpy", "pyarrow", "pyspark", "sqlglot",
    "fastapi", "starlette", "uvicorn", "jinja2", "sqlalchemy", "alembic", "pydantic_settings",
)

_LOADED = f"sorted(m for m in {HEAVY!r} if m in sys.modules)"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_importing_the_cli_loads_no_heavy_module() -> None:
    result = _run(f"import helsefellesskap.cli, sys; print({_LOADED})")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("arguments", [
    ["--version"], ["--help"], ["indicators", "--help"], ["synth", "--help"], ["registry", "communities", "--help"],
    ["transitions", "replay", "--help"], ["users", "create", "--help"], ["priority-groups", "classify", "--help"],
], ids=" ".join)
def test_the_command_tree_builds_without_heavy_modules(arguments: list[str]) -> None:
    """`main()` as the console script runs it; the loaded modules are printed to stderr as the last line."""
    code = (
        "import json, sys\n"
        "from helsefellesskap import cli\n"
        f"sys.argv = ['helsefellesskap', *{arguments!r}]\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "else:\n"
        "    code = 0\n"
        f"sys.stderr.write(json.dumps({{'code': code, 'loaded': {_LOADED}}}) + '\\n')\n"
    )
    result = _run(code)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), result.stderr
    assert "helsefellesskap" in result.stdout  # the help or the version was printed
    assert report["loaded"] == []


# What the operator can fix in the environment (a setting, the database URL, a database not upgraded or not reachable,
# an unknown schema revision) is one line on stderr like bad input, not a traceback; found by a sweep of every command.

def _one_line_error(result: CliResult) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    return result.stderr


def _use(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    from helsefellesskap.settings import get_settings

    monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def test_an_unknown_schema_revision_exits_2_in_one_line(cli) -> None:
    result = cli("db", "upgrade", "no-such-revision")
    assert result.exit_code == 2 and "no-such-revision" in _one_line_error(result)


@pytest.mark.parametrize("url", ["bogus://x", "not a url"])
def test_an_invalid_database_url_exits_2_in_one_line(cli, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    _use(monkeypatch, "HELSEFELLESSKAP_DATABASE_URL", url)
    result = cli("users", "list")
    assert result.exit_code == 2 and "invalid database URL" in _one_line_error(result)


def test_an_invalid_database_url_option_exits_2_in_one_line(cli) -> None:
    result = cli("indicators", "--engine", "sqlite", "--database-url", "bogus://x")
    assert result.exit_code == 2 and "invalid database URL" in _one_line_error(result)


def test_an_invalid_setting_exits_2_naming_it(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, "HELSEFELLESSKAP_PORT", "abc")
    result = cli("users", "list")
    assert result.exit_code == 2 and "HELSEFELLESSKAP_PORT" in _one_line_error(result)


@pytest.mark.parametrize("arguments", [["users", "list"], ["audit", "verify"], ["registry", "communities"],
                                       ["transitions", "rates", "list"]], ids=" ".join)
def test_a_database_without_the_schema_says_to_upgrade_it(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          arguments: list[str]) -> None:
    _use(monkeypatch, "HELSEFELLESSKAP_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = cli(*arguments)
    assert result.exit_code == 2 and "run `helsefellesskap db upgrade`" in _one_line_error(result)
    assert cli("db", "upgrade").exit_code == 0
    assert "db upgrade" not in cli(*arguments).stderr  # the schema is there now (the register may still be empty)


def test_a_sqlite_folder_that_cannot_be_created_exits_2_in_one_line(cli, monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    _use(monkeypatch, "HELSEFELLESSKAP_DATABASE_URL", f"sqlite:///{blocker / 'sub' / 'h.db'}")
    result = cli("users", "list")
    assert result.exit_code == 2 and "cannot create the database folder" in _one_line_error(result)


def test_an_unreachable_database_exits_1_in_one_line(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, "HELSEFELLESSKAP_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    result = cli("users", "list")
    assert result.exit_code == 1 and "cannot connect to the database" in _one_line_error(result)


def test_a_bug_still_shows_its_traceback(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the environment's errors are turned into one line: a programming error is not hidden."""
    from helsefellesskap.access import users

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(users, "list_users", broken)
    with pytest.raises(ZeroDivisionError):
        cli("users", "list")
