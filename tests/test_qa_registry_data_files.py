"""`registry load --data-dir` with data files a maintainer got wrong: exit 2 with one line naming the fault, nothing
loaded. Were tracebacks: JSON nested too deeply (RecursionError), a JSON file holding a list where an object belongs
(TypeError), and on PostgreSQL a population beyond its integer column (DataError when inserting)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helsefellesskap.db import Database
from helsefellesskap.registry.reference import DATA_DIR, DATA_FILES
from helsefellesskap.registry.store import MunicipalityRow


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for name in DATA_FILES:
        shutil.copyfile(DATA_DIR / name, target / name)
    return target


def _deeply_nested(data: Path) -> None:
    (data / "forums.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _a_list_for_an_object(data: Path) -> None:
    (data / "forums.json").write_text("[]", encoding="utf-8")


def _population_beyond_the_column(data: Path) -> None:
    path = data / "municipalities.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = 3_000_000_000
    rows[0]["population"] = str(int(rows[0]["population"]) + extra)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    national = json.loads((data / "national.json").read_text(encoding="utf-8"))
    national["population_total"] += extra  # the sum agrees: only the figure itself is wrong
    (data / "national.json").write_text(json.dumps(national), encoding="utf-8")


@pytest.mark.parametrize(("spoil", "fragment"), [
    (_deeply_nested, "nested too deeply"),
    (_a_list_for_an_object, "malformed"),
    (_population_beyond_the_column, "less than or equal to 2147483647"),
], ids=["deep-json", "list-for-object", "huge-population"])
def test_a_spoilt_data_file_is_one_line_and_loads_nothing(cli, db: Database, tmp_path: Path,
                                                          spoil: Callable[[Path], None], fragment: str) -> None:
    data = _copy(tmp_path)
    spoil(data)
    result = cli("registry", "load", "--data-dir", str(data))
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and fragment in result.stderr, result.stderr
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(MunicipalityRow)) == 0
