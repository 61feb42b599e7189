"""`registry refresh` against hostile answers and targets (a recorded SSB served over real HTTP on 127.0.0.1): each is
exit 2 with one line and nothing written. Before, a negative population and an unwritable target were tracebacks,
a null name was written as 'None', a population of 10^30 or `true` was written as a figure, and a base URL that
httpx cannot parse was a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from test_registry_refresh import RECORDED, ROUTES, RecordedSSB, ssb  # noqa: F401  (the recorded SSB fixture)

KLASS_131 = "/api/klass/v1/classifications/131/codesAt"
POPULATION = "/api/pxwebapi/v2/tables/06913/data"


def _recorded(path: str) -> Any:
    return json.loads((RECORDED / ROUTES[path]).read_text(encoding="utf-8"))


def _first_population(value: object) -> Callable[[], tuple[str, bytes]]:
    def answer() -> tuple[str, bytes]:
        data = _recorded(POPULATION)
        data["value"][0] = value
        return POPULATION, json.dumps(data).encode()
    return answer


def _first_name(name: object) -> Callable[[], tuple[str, bytes]]:
    def answer() -> tuple[str, bytes]:
        data = _recorded(KLASS_131)
        data["codes"][0]["name"] = name
        return KLASS_131, json.dumps(data).encode()
    return answer


def _first_code_twice() -> tuple[str, bytes]:
    data = _recorded(KLASS_131)
    data["codes"].append(dict(data["codes"][0], name="Annen kommune"))
    return KLASS_131, json.dumps(data).encode()


def _one_line_exit_2(result: Any) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    line: str = result.stderr
    return line


@pytest.mark.parametrize(("answer", "fragment"), [
    (_first_population(-5), "not a population: -5"),
    (_first_population(10**30), "not a population"),
    (_first_population(True), "not a population: True"),
    (_first_population(1234.5), "not a population: 1234.5"),
    (_first_name(None), "has no usable name"),
    (_first_name("  "), "has no usable name"),
    (_first_name("Oslo\nkommune"), "has no usable name"),
    (_first_code_twice, "listed twice"),
], ids=["negative", "huge", "boolean", "fraction", "null-name", "blank-name", "newline-name", "duplicate"])
def test_an_unusable_answer_is_one_line_and_writes_nothing(ssb: type[RecordedSSB], cli, tmp_path: Path,  # noqa: F811
                                                           answer: Callable[[], tuple[str, bytes]],
                                                           fragment: str) -> None:
    path, body = answer()
    ssb.overrides[path] = (200, body)
    target = tmp_path / "refreshed"
    assert fragment in _one_line_exit_2(cli("registry", "refresh", "--data-dir", str(target)))
    assert not target.exists()


def test_a_whole_float_population_is_taken(ssb: type[RecordedSSB], cli, tmp_path: Path) -> None:  # noqa: F811
    path, body = _first_population(1500.0)()
    ssb.overrides[path] = (200, body)
    result = cli("registry", "refresh", "--data-dir", str(tmp_path / "refreshed"))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("inside", ["", "sub"], ids=["a-file", "under-a-file"])
def test_a_target_that_is_a_file_is_one_line(ssb: type[RecordedSSB], cli, tmp_path: Path,  # noqa: F811
                                             inside: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory\n", encoding="utf-8")
    target = a_file / inside if inside else a_file
    assert "cannot write the register's data files" in _one_line_exit_2(
        cli("registry", "refresh", "--data-dir", str(target)))
    assert a_file.read_text(encoding="utf-8") == "not a directory\n"


def test_a_base_url_httpx_cannot_parse_is_one_line(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELSEFELLESSKAP_SSB_API_BASE_URL", "http://[::1")
    assert "HELSEFELLESSKAP_SSB_API_BASE_URL" in _one_line_exit_2(
        cli("registry", "refresh", "--data-dir", str(tmp_path / "x")))
