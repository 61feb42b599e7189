"""The `helsefellesskap` command starts without the heavy libraries: importing the CLI, and building its whole
command tree for `--help` or `--version` (typer then reads every command's signature), loads none of the engines,
dataframes, web framework, database toolkit or settings; each command imports those when it runs.

Each check runs in a fresh interpreter (the test session itself has imported everything long ago)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
