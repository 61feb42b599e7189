"""`helsefellesskap indicators` as a careless user types it: options repeated, a period backwards, the wrong kind
of database — the same rows once, or exit 2 with one line and nothing touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qa-cli-twin")
    generate(TwinSpec(scale=0.002, years=1, seed=3), load_places("ostfold"), out)
    return out


def test_an_indicator_or_a_dimension_given_twice_counts_once(cli, twin_dir: Path) -> None:
    once = cli("indicators", "--data", str(twin_dir), "--indicator", "notices_on_time", "--by", "month", "--json")
    twice = cli("indicators", "--data", str(twin_dir), "--indicator", "notices_on_time", "--indicator",
                "notices_on_time", "--by", "month", "--by", "month", "--json")  # fmt: skip
    assert once.exit_code == twice.exit_code == 0, twice.stderr
    rows = json.loads(once.stdout)
    assert rows and {row["indicator"] for row in rows} == {"notices_on_time"}
    assert json.loads(twice.stdout) == rows


def test_a_period_given_backwards_exits_2_with_one_line(cli, twin_dir: Path) -> None:
    result = cli("indicators", "--data", str(twin_dir), "--from", "2024-06-01", "--to", "2024-03-01")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == "error: empty period: from 2024-06-01 to 2024-03-01 (the end day is excluded)"


def test_the_wrong_kind_of_database_is_refused_before_it_is_touched(cli, tmp_path: Path) -> None:
    database = tmp_path / "not-postgres.db"
    result = cli("indicators", "--engine", "postgres", "--database-url", f"sqlite:///{database}")
    assert result.exit_code == 2 and "needs a postgresql database" in result.stderr
    assert not database.exists()  # neither created nor given the platform's schema
