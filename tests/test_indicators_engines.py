"""The engines agree: every indicator by every dimension gives the same numbers on DuckDB over the Parquet files
and on the platform database (SQLite, or PostgreSQL when HELSEFELLESSKAP_TEST_DATABASE_URL is set) after
`load-twin`; and on Spark when pyspark is installed. The Ibis priority groups equal the Python classifier's."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from helsefellesskap.db import Database
from helsefellesskap.errors import InvalidInput
from helsefellesskap.indicators.catalogue import CATALOGUE
from helsefellesskap.indicators.engines import Twin, database_twin, duckdb_twin
from helsefellesskap.indicators.groups import SERVICE_TYPE_OF_KIND, person_groups
from helsefellesskap.indicators.model import DIMENSION_ORDER, Dimension, Period
from helsefellesskap.indicators.service import compute, load_twin, period_of
from helsefellesskap.priority_groups.codes import CodeSystem
from helsefellesskap.priority_groups.model import Diagnosis, PersonFacts, Sex, age_on, classify
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate

REFERENCE = dt.date(2024, 12, 31)
BREAKDOWNS: tuple[tuple[Dimension, ...], ...] = (
    (), (Dimension.community, Dimension.municipality), (Dimension.priority_group,), (Dimension.month,),
    DIMENSION_ORDER,
)


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.01, years=1, seed=11), load_places("ostfold"), out)
    return out


def all_results(twin: Twin) -> dict[tuple[str, tuple[Dimension, ...]], list[tuple[object, ...]]]:
    out = {}
    for dims in BREAKDOWNS:
        for r in compute(twin, CATALOGUE, dims, threshold=1):
            out.setdefault((r.indicator, dims), []).append(
                (tuple(r.dimensions.values()), r.numerator, r.denominator, r.rate))
    return out


def test_the_platform_database_agrees_with_duckdb_over_parquet(twin_dir: Path, db: Database) -> None:
    counts = load_twin(db, twin_dir)
    assert counts["stays"] == pq.read_metadata(twin_dir / "stays.parquet").num_rows
    expected = all_results(duckdb_twin(twin_dir))
    assert sum(n or 0 for rows in expected.values() for _, n, _, _ in rows) > 0
    assert all_results(database_twin(db.url)) == expected


def test_indicators_without_units_have_their_row_on_every_engine(tmp_path: Path, db: Database) -> None:
    # Five persons, none admitted: DuckDB sums every indicator's units in one query (`expressions.tagged`), the
    # database one query each; either way each indicator has its row, of zeros where it counted nothing.
    out = tmp_path / "tiny"
    generate(TwinSpec(scale=0.0001, years=1, seed=1), load_places("finnmark"), out)
    load_twin(db, out)
    for twin in (duckdb_twin(out, prepared=False), database_twin(db.url)):
        rows = {r.indicator: (r.numerator, r.denominator) for r in compute(twin, CATALOGUE, threshold=1)}
        assert len(rows) == len(CATALOGUE), twin.backend.name
        assert rows["readmission_elderly_30d"] == (0, 0) and rows["transitions_per_person_year"][1] > 0


def test_loading_again_replaces_the_twin(twin_dir: Path, db: Database) -> None:
    first = load_twin(db, twin_dir)
    assert load_twin(db, twin_dir) == first


@pytest.mark.spark  # starts a JVM: deselected by default, run alone with `pytest -m spark`
@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
                    reason="pyspark (extra 'spark') or Java not installed")
def test_spark_agrees_with_duckdb(twin_dir: Path) -> None:
    from helsefellesskap.indicators.engines import pyspark_twin

    dims = (Dimension.community, Dimension.priority_group, Dimension.month)
    spark = compute(pyspark_twin(twin_dir), CATALOGUE, dims, threshold=1)
    assert spark == compute(duckdb_twin(twin_dir), CATALOGUE, dims, threshold=1)


SPARK = (pytest.mark.spark, pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="pyspark (extra 'spark') or Java not installed"))


@SPARK[0]
@SPARK[1]
def test_spark_gets_the_driver_memory_asked_for(twin_dir: Path) -> None:
    # A process of its own: the memory is set when a process starts Spark (this one may have started it already).
    script = (
        "import sys; from pathlib import Path; from helsefellesskap.indicators.service import open_twin; "
        "from helsefellesskap.indicators.engines import Engine; "
        "twin = open_twin(Engine.pyspark, data=Path(sys.argv[1]), spark_driver_memory='1536m'); "
        "jvm = twin.backend._session.sparkContext._jvm; print(jvm.java.lang.Runtime.getRuntime().maxMemory())"
    )
    done = subprocess.run([sys.executable, "-c", script, str(twin_dir)], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    heap = int(done.stdout.strip().splitlines()[-1])
    assert 1.0 * 2**30 < heap <= 1.5 * 2**30  # the JVM's usable heap is a little under -Xmx


@SPARK[0]
@SPARK[1]
def test_a_spark_run_prints_its_results_and_no_spark_chatter(twin_dir: Path) -> None:
    command = Path(sys.executable).with_name("helsefellesskap")
    done = subprocess.run([str(command), "indicators", "--engine", "pyspark", "--data", str(twin_dir), "--csv"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("indicator,numerator,denominator,rate,suppressed,period_start,period_end\n")
    # Only the JVM's own notice of the vector module Spark asks for is left (no log levels, no WARN lines).
    chatter = [line for line in done.stderr.splitlines()
               if line.strip() and not line.startswith("WARNING: Using incubator modules")]
    assert chatter == []


@SPARK[0]
@SPARK[1]
def test_spark_running_out_of_memory_is_one_line_naming_the_setting(twin_dir: Path) -> None:
    from py4j.protocol import Py4JJavaError

    from helsefellesskap.cli import _environment_problem
    from helsefellesskap.indicators.engines import pyspark_twin

    jvm = pyspark_twin(twin_dir).backend._session.sparkContext._jvm
    # The Java errors Spark raises through py4j when its driver is short of memory (a real JVM's exceptions).
    for java_error in (jvm.java.lang.OutOfMemoryError("Java heap space"),
                       jvm.org.apache.spark.SparkException("Not enough memory to build and broadcast the table")):
        line, code = _environment_problem(Py4JJavaError("An error occurred while calling o126.getResult.\n",
                                                        java_error))
        assert code == 1 and "HELSEFELLESSKAP_SPARK_DRIVER_MEMORY" in line and "\n" not in line
    other = Py4JJavaError("An error occurred.\n", jvm.java.lang.IllegalStateException("something else"))
    assert _environment_problem(other) is None  # any other Spark failure is a bug: its traceback shows


def _python_facts(twin_dir: Path) -> dict[int, PersonFacts]:
    """The classifier's facts of every person, built in plain Python from the same Parquet files."""
    def rows(name: str) -> list[dict[str, object]]:
        return pq.read_table(twin_dir / f"{name}.parquet").to_pylist()

    codes: dict[int, list[Diagnosis]] = {}
    for row in rows("conditions"):
        codes.setdefault(row["person_id"], []).append(Diagnosis(str(row["code"]).replace(".", ""), row["onset_date"]))
    contacts: Counter[int] = Counter()
    for row in rows("stays"):
        local = (row["admitted_at"] + dt.timedelta(hours=1)).date()
        for code in row["diagnoses"]:
            codes.setdefault(row["person_id"], []).append(Diagnosis(code.replace(".", ""), local))
        if row["service"] == "mental_health" and REFERENCE - dt.timedelta(days=365) < local <= REFERENCE:
            contacts[row["person_id"]] += 1
    for row in rows("gp_contacts"):
        codes.setdefault(row["person_id"], []).append(Diagnosis(row["icpc2"], row["contact_date"], CodeSystem.icpc2))
    services: dict[int, set[str]] = {}
    for row in rows("services"):
        running = row["start"] <= REFERENCE and (row["end"] is None or row["end"] >= REFERENCE)
        if running and row["kind"] in SERVICE_TYPE_OF_KIND:
            services.setdefault(row["person_id"], set()).add(SERVICE_TYPE_OF_KIND[row["kind"]])
    return {
        p["person_id"]: PersonFacts(
            age=age_on(p["birth_date"], REFERENCE), sex=Sex(p["sex"]), diagnoses=tuple(codes.get(p["person_id"], ())),
            reference_date=REFERENCE, mental_health_contacts=contacts[p["person_id"]],
            municipal_services=frozenset(services.get(p["person_id"], set())),
        )
        for p in rows("persons")
    }


def test_ibis_priority_groups_equal_the_python_classifier(twin_dir: Path) -> None:
    twin = duckdb_twin(twin_dir)
    frame = twin.backend.execute(person_groups(twin, REFERENCE))
    ibis_groups: dict[int, set[str]] = {}
    for person_id, group in frame[["person_id", "priority_group"]].itertuples(index=False):
        ibis_groups.setdefault(int(person_id), set()).add(group)
    python_groups = {pid: {g.value for g in classify(f)} or {"none"} for pid, f in _python_facts(twin_dir).items()}
    assert len(python_groups) > 1000
    assert {g for groups in python_groups.values() for g in groups} >= {
        "children_and_youth", "frail_elderly", "multiple_chronic_conditions", "none"}
    assert ibis_groups == python_groups


def _copy_of(twin_dir: Path, out: Path, period: dict[str, str] | None) -> Path:
    """The twin's Parquet files under `out`, with a run.json recording `period` (none: no run.json)."""
    out.mkdir()
    for file in twin_dir.glob("*.parquet"):
        (out / file.name).symlink_to(file)
    if period is not None:
        (out / "run.json").write_text(json.dumps({"period": period}), encoding="utf-8")
    return out


def test_the_period_synth_records_is_used_on_every_engine_and_inferred_without_it(
    twin_dir: Path, db: Database, tmp_path: Path
) -> None:
    recorded = Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))  # run.json of `synth --years 1`
    assert period_of(duckdb_twin(twin_dir)) == recorded
    # A recorded period other than the admissions' years is taken as it is, on DuckDB and after load-twin.
    half = _copy_of(twin_dir, tmp_path / "half", {"start": "2024-01-01", "end": "2024-07-01"})
    assert period_of(duckdb_twin(half)) == Period(dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    load_twin(db, half)
    assert period_of(database_twin(db.url)) == Period(dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    # Without one (a twin written before synth recorded it): inferred from the admissions, on both.
    bare = _copy_of(twin_dir, tmp_path / "bare", None)
    assert duckdb_twin(bare).period is None and period_of(duckdb_twin(bare)) == recorded
    load_twin(db, bare)  # replaces the twin loaded before, and its period
    assert database_twin(db.url).period is None and period_of(database_twin(db.url)) == recorded


def test_an_unreadable_recorded_period_is_refused(twin_dir: Path, tmp_path: Path) -> None:
    broken = _copy_of(twin_dir, tmp_path / "broken", {"start": "2024-13-01", "end": "2025-01-01"})
    with pytest.raises(InvalidInput, match="no readable period"):
        duckdb_twin(broken)


def test_an_empty_recorded_period_is_refused_naming_run_json(twin_dir: Path, tmp_path: Path) -> None:
    reversed_period = _copy_of(twin_dir, tmp_path / "reversed", {"start": "2025-01-01", "end": "2024-01-01"})
    with pytest.raises(InvalidInput, match=r"run\.json has no readable period: empty period"):
        duckdb_twin(reversed_period)
