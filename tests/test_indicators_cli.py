"""`helsefellesskap indicators` and `helsefellesskap load-twin` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helsefellesskap.indicators.catalogue import CATALOGUE
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.01, years=1, seed=5), load_places("ostfold"), out)
    return out


def platform_engine(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgresql") else "sqlite"


def test_indicators_as_json_on_duckdb(cli, twin_dir: Path) -> None:
    result = cli("indicators", "--data", str(twin_dir), "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["indicator"] for r in rows] == [d.id for d in CATALOGUE]
    assert all({"numerator", "denominator", "rate", "suppressed"} <= set(r) for r in rows)


def test_the_platform_engine_loads_the_directory_and_gives_the_same_csv(cli, twin_dir: Path,
                                                                        database_url: str) -> None:
    args = ("--indicator", "readmission_elderly_30d", "--indicator", "notices_on_time", "--by", "municipality",
            "--csv")
    on_duckdb = cli("indicators", "--data", str(twin_dir), *args)
    on_database = cli("indicators", "--data", str(twin_dir), "--engine", platform_engine(database_url), *args)
    assert on_database.exit_code == 0, on_database.stderr
    assert on_database.stdout == on_duckdb.stdout
    rows = list(csv.DictReader(io.StringIO(on_database.stdout)))
    assert list(rows[0]) == ["indicator", "community", "municipality", "numerator", "denominator", "rate",
                             "suppressed", "period_start", "period_end"]
    # Counts under 5 never shown.
    assert all(r["numerator"] == "" or int(r["numerator"]) == 0 or int(r["numerator"]) >= 5 for r in rows)
    # Without --data the platform engine computes on the twin already loaded.
    again = cli("indicators", "--engine", platform_engine(database_url), *args)
    assert again.stdout == on_duckdb.stdout


def test_load_twin_is_one_idempotent_command(cli, twin_dir: Path) -> None:
    first = cli("load-twin", str(twin_dir))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("loaded municipalities ")
    assert cli("load-twin", str(twin_dir)).stdout == first.stdout


def test_the_table_output_marks_suppressed_counts(cli, twin_dir: Path) -> None:
    result = cli("indicators", "--data", str(twin_dir), "--indicator", "readmission_elderly_30d",
                 "--by", "municipality")
    assert result.exit_code == 0
    assert "readmission_elderly_30d" in result.stdout and "<5" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("indicators", "--data", "/no/such/dir"), "no such data directory"),
    (("indicators", "--data", "{twin}", "--engine", "oracle"), "unknown engine"),
    (("indicators", "--data", "{twin}", "--indicator", "nope"), "unknown indicator"),
    (("indicators", "--data", "{twin}", "--by", "county"), "unknown dimension"),
    (("indicators", "--data", "{twin}", "--json", "--csv"), "choose one"),
    (("indicators", "--engine", "duckdb"), "give --data DIR"),
    (("load-twin", "/no/such/dir"), "no such data directory"),
    (("indicators", "--data", "{twin}", "--community", "nowhere"), "no helsefellesskap 'nowhere' in the twin"),
])
def test_bad_arguments_exit_2_with_one_line(cli, twin_dir: Path, args: tuple[str, ...], message: str) -> None:
    result = cli(*(a.format(twin=twin_dir) for a in args))
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_the_wrong_kind_of_database_is_refused(cli, twin_dir: Path, database_url: str) -> None:
    other = "sqlite" if platform_engine(database_url) == "postgres" else "postgres"
    result = cli("indicators", "--engine", other)
    assert result.exit_code == 2 and "database" in result.stderr


def test_timings_go_to_stderr_phase_by_phase_and_leave_the_output_alone(cli, twin_dir: Path) -> None:
    args = ("indicators", "--data", str(twin_dir), "--by", "priority_group", "--csv")
    plain, timed = cli(*args), cli(*args, "--timings")
    assert timed.exit_code == 0, timed.stderr
    assert timed.stdout == plain.stdout
    phases = [line.split()[0] for line in timed.stderr.splitlines()]
    assert phases == ["open", "period", "shared", "priority", "expressions", "query", "results", "output", "total"]
    assert all(line.split()[-2:] == ["s", "CPU"] for line in timed.stderr.splitlines())


def months_of(cli, twin_dir: Path, *period: str, engine: str = "duckdb") -> dict[str, tuple[object, object]]:
    result = cli("indicators", "--data", str(twin_dir), "--engine", engine, "--indicator",
                 "transitions_per_person_year", "--by", "month", "--json", *period)
    assert result.exit_code == 0, result.stderr
    return {r["month"]: (r["numerator"], r["denominator"]) for r in json.loads(result.stdout)}


def test_a_chosen_period_keeps_its_months_with_the_whole_periods_counts(cli, twin_dir: Path) -> None:
    whole = months_of(cli, twin_dir)
    assert list(whole) == [f"2024-{m:02d}" for m in range(1, 13)]
    # --to is the day after the period: March to June.
    chosen = months_of(cli, twin_dir, "--from", "2024-03-01", "--to", "2024-07-01")
    assert list(chosen) == ["2024-03", "2024-04", "2024-05", "2024-06"]
    # A month's transitions and person-days are the same whether the period is the year or four months of it.
    assert chosen == {month: whole[month] for month in chosen}
    assert sum(n for n, _ in whole.values() if n) > 0
    # Either bound alone: the other is the twin's.
    assert list(months_of(cli, twin_dir, "--from", "2024-11-01")) == ["2024-11", "2024-12"]
    assert list(months_of(cli, twin_dir, "--to", "2024-02-01")) == ["2024-01"]


def test_a_chosen_period_is_the_same_on_the_platform_database_and_changes_the_totals(cli, twin_dir: Path,
                                                                                    database_url: str) -> None:
    period = ("--from", "2024-03-01", "--to", "2024-07-01")
    assert months_of(cli, twin_dir, *period, engine=platform_engine(database_url)) == months_of(cli, twin_dir,
                                                                                                 *period)
    args = ("indicators", "--data", str(twin_dir), "--indicator", "transitions_per_person_year", "--json")
    (whole,), (part,) = json.loads(cli(*args).stdout), json.loads(cli(*args, *period).stdout)
    assert part["numerator"] < whole["numerator"] and part["denominator"] < whole["denominator"]


def test_the_table_names_its_period(cli, twin_dir: Path) -> None:
    result = cli("indicators", "--data", str(twin_dir), "--indicator", "notices_on_time", "--from", "2024-03-01")
    assert result.exit_code == 0, result.stderr
    assert "2024-03-01 to 2025-01-01 (the end day excluded)" in result.stdout


@pytest.mark.parametrize(("period", "message"), [
    (("--from", "2024-02-30"), "--from: not a date YYYY-MM-DD: '2024-02-30'"),
    (("--to", "20240301"), "--to: not a date YYYY-MM-DD: '20240301'"),
    (("--from", "2024-06-01", "--to", "2024-06-01"), "empty period: from 2024-06-01 to 2024-06-01"),
    (("--from", "2023-12-01"), "the period from 2023-12-01 is not inside the twin's simulated period, from 2024-01-01 "
                               "to 2025-01-01 (the end day excluded)"),
    (("--from", "2024-06-01", "--to", "2025-01-02"), "is not inside the twin's simulated period, from 2024-01-01"),
    (("--from", "2025-01-01"), "is not inside the twin's simulated period"),
    (("--to", "2024-01-01"), "is not inside the twin's simulated period"),
])
def test_a_bad_period_exits_2_with_one_line(cli, twin_dir: Path, period: tuple[str, ...], message: str) -> None:
    result = cli("indicators", "--data", str(twin_dir), "--indicator", "notices_on_time", *period)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_every_csv_and_json_row_names_its_period(cli, twin_dir: Path) -> None:
    args = ("indicators", "--data", str(twin_dir), "--indicator", "notices_on_time", "--by", "municipality",
            "--from", "2024-03-01", "--to", "2024-07-01")
    as_csv = list(csv.DictReader(io.StringIO(cli(*args, "--csv").stdout)))
    as_json = json.loads(cli(*args, "--json").stdout)
    assert len(as_csv) == len(as_json) > 1
    for row in (*as_csv, *as_json):
        assert (row["period_start"], row["period_end"]) == ("2024-03-01", "2024-07-01")
    whole = json.loads(cli("indicators", "--data", str(twin_dir), "--indicator", "notices_on_time", "--json").stdout)
    assert (whole[0]["period_start"], whole[0]["period_end"]) == ("2024-01-01", "2025-01-01")
