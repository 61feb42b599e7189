"""A twin directory that is not what `synth` writes — a renamed column, dates as text, a file that is not Parquet —
and an --out the twin cannot be published into: exit 2 with one line, nothing half-written, the loaded twin kept."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from helsefellesskap.db import Database
from helsefellesskap.indicators.engines import TWIN_COLUMNS
from helsefellesskap.indicators.store import TWIN_TABLES, TwinStayRow
from helsefellesskap.indicators.twin_files import KINDS, REQUIRED
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.tables import SCHEMAS
from helsefellesskap.synth.twin import TwinSpec, generate


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qa-twin")
    generate(TwinSpec(scale=0.002, years=1, seed=3), load_places("ostfold"), out)
    return out


def _renamed(table: pa.Table, old: str, new: str) -> pa.Table:
    return table.rename_columns([new if n == old else n for n in table.column_names])


def _as_text(table: pa.Table, column: str) -> pa.Table:
    index = table.column_names.index(column)
    return table.set_column(index, column, table.column(column).cast(pa.string()))


def _spoiled(source: Path, target: Path, how: str) -> tuple[Path, str]:
    """A copy of the twin with one table spoiled as `how` says; the message expected."""
    shutil.copytree(source, target)
    if how == "renamed column":
        stays = pq.read_table(target / "stays.parquet")
        pq.write_table(_renamed(stays, "admitted_at", "admission"), target / "stays.parquet")
        return target, "stays.parquet has no column 'admitted_at'"
    if how == "dates as text":
        persons = pq.read_table(target / "persons.parquet")
        pq.write_table(_as_text(persons, "birth_date"), target / "persons.parquet")
        return target, "column 'birth_date' holds string, not date"
    if how == "missing table":
        (target / "deaths.parquet").unlink()
        return target, "is not a twin directory: missing deaths.parquet"
    (target / "deaths.parquet").write_text("not parquet", encoding="utf-8")
    return target, "deaths.parquet is not a Parquet file"


def _one_line(stderr: str) -> bool:
    return len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def _refused_by_load_twin_keeping_the_loaded_twin(cli, db: Database, twin_dir: Path, directory: Path,
                                                  message: str) -> None:
    """load-twin of the good twin, then of `directory`: exit 2 with one line holding `message`, the first kept."""
    assert cli("load-twin", str(twin_dir)).exit_code == 0
    with db.unit_of_work() as session:
        loaded = session.scalar(select(func.count()).select_from(TwinStayRow))
    result = cli("load-twin", str(directory))
    assert result.exit_code == 2 and message in result.stderr and _one_line(result.stderr), result.stderr
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(TwinStayRow)) == loaded > 0


@pytest.mark.parametrize("how", ["missing table", "renamed column", "dates as text", "not parquet"])
def test_a_spoiled_table_is_refused_by_load_twin_which_keeps_the_loaded_twin(
    cli, db: Database, twin_dir: Path, tmp_path: Path, how: str
) -> None:
    _refused_by_load_twin_keeping_the_loaded_twin(cli, db, twin_dir, *_spoiled(twin_dir, tmp_path / "spoiled", how))


@pytest.mark.parametrize("how", ["missing table", "renamed column", "dates as text", "not parquet"])
@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_a_spoiled_table_is_refused_by_the_indicators(
    cli, twin_dir: Path, tmp_path: Path, how: str, engine: str, database_url: str
) -> None:
    if engine == "sqlite" and not database_url.startswith("sqlite"):
        engine = "postgres"  # the platform engine of the test database
    spoiled, message = _spoiled(twin_dir, tmp_path / "spoiled", how)
    result = cli("indicators", "--data", str(spoiled), "--engine", engine, "--json")
    assert result.exit_code == 2 and message in result.stderr and _one_line(result.stderr), result.stderr
    assert result.stdout == ""


def test_the_checked_columns_are_every_column_read_and_what_synth_writes() -> None:
    read = {name: set(columns) for name, columns in TWIN_COLUMNS.items()}
    for name, table in TWIN_TABLES.items():
        if name != "stay_diagnoses":  # from the stays' diagnosis lists
            read[name] |= {c.name for c in table.columns if c.name != "row_id"}
    read["stays"].add("diagnoses")
    assert {name: set(columns) for name, columns in REQUIRED.items()} == read
    for name, columns in REQUIRED.items():
        for column, kind in columns.items():
            assert KINDS[kind](SCHEMAS[name].field(column).type), (name, column)


def test_a_twin_that_cannot_be_published_leaves_no_twin_and_no_staging(cli, tmp_path: Path) -> None:
    out = tmp_path / "twin"
    out.mkdir()
    (out / "run.json").write_text("{}", encoding="utf-8")  # an earlier twin's
    (out / "stays.parquet").mkdir()  # ...whose stays cannot be replaced: a directory in the file's place
    (out / "stays.parquet" / "keep").write_text("x", encoding="utf-8")
    result = cli("synth", "--scale", "0.001", "--community", "ostfold", "--out", str(out), "--quiet")
    assert result.exit_code == 2 and f"cannot write the twin to {out}" in result.stderr, result.stderr
    assert _one_line(result.stderr)
    assert sorted(p.name for p in out.iterdir()) == ["stays.parquet"]  # no table of either twin, no run.json
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
    refused = cli("indicators", "--data", str(out))
    assert refused.exit_code == 2 and "not a twin directory" in refused.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_an_out_directory_that_cannot_be_written_is_refused_before_generating(cli, tmp_path: Path) -> None:
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = cli("synth", "--scale", "0.001", "--community", "ostfold", "--out", str(out), "--quiet")
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2 and f"cannot write to {out}" in result.stderr and _one_line(result.stderr)
    assert list(out.iterdir()) == [] and not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def _with_refused_row(source: Path, target: Path, how: str) -> tuple[Path, str]:
    """A copy of the twin whose files are well-formed but hold a row the database refuses."""
    shutil.copytree(source, target)
    if how == "duplicate key":
        deaths = pq.read_table(target / "deaths.parquet")
        pq.write_table(pa.concat_tables([deaths, deaths.slice(0, 1)]), target / "deaths.parquet")
        return target, "deaths.parquet cannot be loaded into twin_deaths"
    persons = pq.read_table(target / "persons.parquet")
    days = persons.column("birth_date").to_pylist()
    days[3] = None
    index = persons.column_names.index("birth_date")
    pq.write_table(persons.set_column(index, "birth_date", pa.array(days, pa.date32())), target / "persons.parquet")
    return target, "persons.parquet cannot be loaded into twin_persons"


@pytest.mark.parametrize("how", ["duplicate key", "missing birth date"])
def test_a_row_the_database_refuses_is_one_line_and_the_loaded_twin_stays(
    cli, db: Database, twin_dir: Path, tmp_path: Path, how: str
) -> None:
    _refused_by_load_twin_keeping_the_loaded_twin(cli, db, twin_dir,
                                                  *_with_refused_row(twin_dir, tmp_path / "refused", how))


def test_a_terminated_synth_leaves_no_staging_directory(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("helsefellesskap")
    process = subprocess.Popen([str(command), "synth", "--scale", "0.01", "--quiet", "--out", str(tmp_path / "twin")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".twin.partial-*/persons.parquet")):  # generating: the first chunk is written
        assert process.poll() is None and time.monotonic() < deadline, "synth ended before it could be stopped"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert list(tmp_path.iterdir()) == []  # neither a twin nor its staging directory


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_load_twin_refuses_an_in_memory_database_that_would_keep_nothing(cli, twin_dir: Path, url: str) -> None:
    result = cli("load-twin", str(twin_dir), "--database-url", url)
    assert result.exit_code == 2 and "in-memory SQLite database" in result.stderr and _one_line(result.stderr)
    assert result.stdout == ""  # not "loaded ..."


def test_text_written_dictionary_encoded_is_a_twin_all_the_same(cli, twin_dir: Path, tmp_path: Path,
                                                                database_url: str) -> None:
    encoded = tmp_path / "encoded"
    shutil.copytree(twin_dir, encoded)
    stays = pq.read_table(encoded / "stays.parquet")
    index = stays.column_names.index("service")
    pq.write_table(stays.set_column(index, "service", pc.dictionary_encode(stays.column("service"))),
                   encoded / "stays.parquet")  # as pandas writes a categorical column
    assert pa.types.is_dictionary(pq.read_schema(encoded / "stays.parquet").field("service").type)
    platform = "sqlite" if database_url.startswith("sqlite") else "postgres"  # the test database's engine
    expected = cli("indicators", "--data", str(twin_dir), "--csv")
    for engine in ("duckdb", platform):
        result = cli("indicators", "--data", str(encoded), "--engine", engine, "--csv")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == expected.stdout, engine
