"""`helsefellesskap synth`: writes the twin and its calibration report; bad arguments exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "0"], "--scale must be in (0, 1]"),
        (["--scale", "-0.5"], "--scale must be in (0, 1]"),
        (["--scale", "2"], "--scale must be in (0, 1]"),
        (["--years", "0"], "--years must be between 1 and 20"),
        (["--community", "atlantis"], "unknown community 'atlantis'"),
        (["--scale", "0.000001", "--community", "finnmark"], "the scale is too small"),
        # Argument parsing (typer/click) follows the same contract: one line, exit 2.
        (["--scale", "abc"], "Invalid value for '--scale'"),
        (["--years", "1.5"], "Invalid value for '--years'"),
        (["--bogus"], "No such option: --bogus"),
        (["--report", "."], "--report . is a directory"),
        (["--report", "twin/stays.parquet"], "is a file of the twin in --out"),
        (["--report", "twin/run.json"], "is a file of the twin in --out"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(cli, tmp_path: Path, args: list[str], message: str) -> None:
    result = cli("synth", "--out", str(tmp_path / "twin"), "--quiet", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "twin" / "stays.parquet").exists()


def test_a_missing_out_exits_2_with_one_line(cli) -> None:
    result = cli("synth", "--scale", "0.001", "--quiet")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: Missing option '--out'."


def test_synth_writes_every_table_the_jsonl_and_the_calibration_report(cli, tmp_path: Path) -> None:
    out, report = tmp_path / "twin", tmp_path / "calibration.md"
    result = cli("synth", "--scale", "0.005", "--years", "1", "--seed", "3", "--community", "ostfold",
                 "--out", str(out), "--jsonl", "--report", str(report), "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "persons=" in result.stdout and "stays=" in result.stdout
    names = {p.name for p in out.iterdir()}
    assert {"persons.parquet", "stays.parquet", "messages.parquet", "messages.jsonl", "run.json"} <= names
    text = report.read_text(encoding="utf-8")
    assert "| Overliggerdøgn per 1 000 | 13.10 | 2022 [V S85, S48] |" in text
    assert "helsefellesskap synth --scale 0.005" in text


def test_the_generated_log_replays_in_the_transitions_command(cli, tmp_path: Path) -> None:
    out = tmp_path / "twin"
    assert cli("synth", "--scale", "0.003", "--community", "ostfold", "--out", str(out), "--jsonl",
               "--quiet").exit_code == 0  # fmt: skip
    result = cli("transitions", "replay", str(out / "messages.jsonl"), "--final")
    assert result.exit_code == 0, result.stderr
    assert "stays" in result.stdout and "payable days" in result.stdout


def test_an_out_path_that_is_a_file_or_a_foreign_directory_is_refused(cli, tmp_path: Path) -> None:
    file = tmp_path / "file.txt"
    file.write_text("keep me", encoding="utf-8")
    result = cli("synth", "--scale", "0.001", "--community", "ostfold", "--out", str(file), "--quiet")
    assert result.exit_code == 2 and "is not a directory" in result.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.md").write_text("mine", encoding="utf-8")
    result = cli("synth", "--scale", "0.001", "--community", "ostfold", "--out", str(foreign), "--quiet")
    assert result.exit_code == 2 and "holds no twin" in result.stderr
    assert file.read_text(encoding="utf-8") == "keep me" and [p.name for p in foreign.iterdir()] == ["notes.md"]
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_a_second_run_replaces_the_previous_twin_without_stale_files(cli, tmp_path: Path) -> None:
    out = tmp_path / "twin"
    assert cli("synth", "--scale", "0.002", "--community", "ostfold", "--out", str(out), "--jsonl",
               "--quiet").exit_code == 0  # fmt: skip
    assert (out / "messages.jsonl").exists()
    assert cli("synth", "--scale", "0.002", "--years", "2", "--community", "ostfold", "--out", str(out),
               "--quiet").exit_code == 0  # fmt: skip
    assert not (out / "messages.jsonl").exists()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["years"] == 2 and run["period"] == {"start": "2024-01-01", "end": "2026-01-01"}  # end exclusive
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_the_calibration_report_of_a_twin_without_stays_says_n_a(cli, tmp_path: Path) -> None:
    out, report = tmp_path / "twin", tmp_path / "calibration.md"
    result = cli("synth", "--scale", "0.0001", "--community", "finnmark", "--out", str(out), "--report", str(report),
                 "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert " stays=0 " in result.stdout  # five persons, none admitted
    assert "| 30-day readmission, 67+, 11 groups (%) | 16.00 | ≈ 16 % 2019, 15.1 % 2015 [V S83, S42] | n/a | n/a |" in (
        report.read_text(encoding="utf-8"))


def test_synth_prepares_a_current_store_and_a_later_twin_without_it_leaves_none(cli, tmp_path: Path) -> None:
    from helsefellesskap.indicators.prepared import STORE_NAME, staleness

    out = tmp_path / "twin"
    args = ("synth", "--scale", "0.002", "--community", "ostfold", "--out", str(out), "--quiet")
    assert cli(*args).exit_code == 0  # prepared unless told not to
    assert (out / STORE_NAME).is_file() and staleness(out) is None  # moved in with the tables, still current
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left beside it
    assert cli(*args, "--seed", "2", "--no-prepare").exit_code == 0
    assert not (out / STORE_NAME).exists()  # the earlier twin's store went with its tables
