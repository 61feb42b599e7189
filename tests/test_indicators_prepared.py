"""A prepared twin (`prepare-twin`, indicators/prepared.py) gives exactly the numbers of the Parquet files it was
prepared from — by every breakdown, over the recorded period (its stored priority groups) and over a chosen one
(groups computed from the prepared tables) — and is read only while it is current: a changed file, another
format or a damaged store leaves the indicators on the Parquet files, and the CLI says so."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from helsefellesskap.errors import InvalidInput
from helsefellesskap.indicators.catalogue import CATALOGUE
from helsefellesskap.indicators.engines import duckdb_twin
from helsefellesskap.indicators.model import DIMENSION_ORDER, Dimension, PeriodChoice
from helsefellesskap.indicators.prepared import STORE_NAME, prepare, staleness
from helsefellesskap.indicators.service import compute
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate

BREAKDOWNS: tuple[tuple[Dimension, ...], ...] = (
    (), (Dimension.community, Dimension.municipality), (Dimension.priority_group,), (Dimension.month,),
    DIMENSION_ORDER,
)


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.01, years=1, seed=23), load_places("ostfold"), out)
    return out


@pytest.fixture
def twin_dir(parquet_dir: Path, tmp_path: Path) -> Path:
    """A copy of the twin for one test (the test may prepare, touch or spoil it), modification times kept."""
    copy = tmp_path / "twin"
    shutil.copytree(parquet_dir, copy)
    return copy


def results(directory: Path, dimensions: tuple[Dimension, ...], *, prepared: bool,
            period: PeriodChoice | None = None) -> list[object]:
    twin = duckdb_twin(directory, prepared=prepared)
    try:
        assert bool(twin.shared) == prepared  # the prepared twin holds the shared sub-results; Parquet none
        return list(compute(twin, CATALOGUE, dimensions, period=period, threshold=1))
    finally:
        twin.backend.disconnect()


def test_a_prepared_twin_gives_the_numbers_of_its_parquet_files_by_every_breakdown(twin_dir: Path) -> None:
    expected = {dims: results(twin_dir, dims, prepared=False) for dims in BREAKDOWNS}
    prepared = prepare(twin_dir)
    assert prepared.path == twin_dir / STORE_NAME and prepared.references[-1] == dt.date(2024, 12, 31)
    assert "groups_20241231" in prepared.tables and "shared_transition_events" in prepared.tables
    assert staleness(twin_dir) is None
    for dims in BREAKDOWNS:
        assert results(twin_dir, dims, prepared=True) == expected[dims], dims
    assert sum(r.numerator or 0 for r in expected[()]) > 0  # type: ignore[attr-defined]


def test_a_chosen_period_on_a_prepared_twin_reads_or_classifies_its_groups_and_agrees(twin_dir: Path) -> None:
    # Spring ends with June: its groups are stored. The other ends mid-month: classified from the stored codes.
    spring, mid_month = PeriodChoice(dt.date(2024, 3, 1), dt.date(2024, 7, 1)), PeriodChoice(end=dt.date(2024, 9, 16))
    dims = (Dimension.priority_group, Dimension.month)
    expected = {choice: results(twin_dir, dims, prepared=False, period=choice) for choice in (spring, mid_month)}
    prepared = prepare(twin_dir)
    assert prepared.references == (*(dt.date(2024, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 12)),
                                   dt.date(2024, 12, 31))
    assert "shared_person_codes" in prepared.tables
    twin = duckdb_twin(twin_dir)
    try:
        assert dt.date(2024, 6, 30) in twin.groups and dt.date(2024, 9, 15) not in twin.groups
    finally:
        twin.backend.disconnect()
    for choice in (spring, mid_month):
        assert results(twin_dir, dims, prepared=True, period=choice) == expected[choice], choice


def test_a_changed_file_makes_the_store_stale_and_the_parquet_files_are_read(twin_dir: Path) -> None:
    prepare(twin_dir)
    stays = twin_dir / "stays.parquet"
    os.utime(stays, ns=(stays.stat().st_atime_ns, stays.stat().st_mtime_ns + 1_000_000_000))
    reason = staleness(twin_dir)
    assert reason is not None and "stays.parquet changed" in reason
    twin = duckdb_twin(twin_dir)
    assert twin.shared == {} and twin.groups == {}  # the Parquet files, not the stale store
    twin.backend.disconnect()
    prepare(twin_dir)  # prepared again: current
    assert staleness(twin_dir) is None


def test_a_store_of_another_format_or_not_a_store_is_not_read(twin_dir: Path) -> None:
    prepare(twin_dir)
    with duckdb.connect(str(twin_dir / STORE_NAME)) as con:
        con.execute("UPDATE prepared_format SET format = format + 1")
    assert "another version" in (staleness(twin_dir) or "")
    assert duckdb_twin(twin_dir).shared == {}
    (twin_dir / STORE_NAME).write_bytes(b"not a database")
    assert "cannot be opened" in (staleness(twin_dir) or "")
    assert duckdb_twin(twin_dir).shared == {}


def test_prepare_refuses_what_is_no_twin_and_a_store_it_cannot_write(twin_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInput, match="not a twin directory"):
        prepare(empty)
    (twin_dir / STORE_NAME).mkdir()  # something in the store's place that a file cannot replace
    with pytest.raises(InvalidInput, match="cannot write the prepared twin"):
        prepare(twin_dir)
    assert [p.name for p in twin_dir.iterdir() if p.name.startswith(f".{STORE_NAME}")] == []  # nothing left behind


def test_the_cli_prepares_reads_the_store_and_notes_a_stale_one(cli, twin_dir: Path) -> None:
    args = ("indicators", "--data", str(twin_dir), "--by", "municipality", "--csv", "--timings")
    before = cli(*args)
    assert before.exit_code == 0, before.stderr
    assert before.stderr.splitlines()[0].startswith("open twin ")  # the Parquet files, no store: no note
    done = cli("prepare-twin", str(twin_dir))
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"prepared {twin_dir / STORE_NAME} (") and "2024-12-31" in done.stdout
    after = cli(*args)
    assert after.exit_code == 0 and after.stdout == before.stdout
    assert after.stderr.splitlines()[0].startswith("open twin (prepared)")
    (twin_dir / "run.json").touch()
    os.utime(twin_dir / "run.json", ns=(0, (twin_dir / "run.json").stat().st_mtime_ns + 1_000_000_000))
    stale = cli(*args)
    assert stale.exit_code == 0 and stale.stdout == before.stdout
    assert stale.stderr.splitlines()[0].startswith("note: ") and "run.json changed" in stale.stderr
    refused = cli("prepare-twin", str(twin_dir / "missing"))
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "no such data directory" in refused.stderr


def test_a_store_prepared_by_other_indicator_code_is_stale(twin_dir: Path) -> None:
    prepare(twin_dir)
    with duckdb.connect(str(twin_dir / STORE_NAME)) as con:
        con.execute("UPDATE prepared_format SET logic = 'an earlier rule'")
    assert "other indicator or priority-group code" in (staleness(twin_dir) or "")
    assert duckdb_twin(twin_dir).shared == {}


def test_duckdb_failing_to_write_the_store_is_one_error_and_leaves_nothing(twin_dir: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from helsefellesskap.indicators import prepared

    def full_disk(directory: Path, path: Path, *_: object) -> None:
        path.write_bytes(b"half a store")
        path.with_name(path.name + ".wal").write_bytes(b"its log")
        raise duckdb.FatalException("Failed to create checkpoint because of error: No space left on device")

    monkeypatch.setattr(prepared, "_write", full_disk)
    with pytest.raises(InvalidInput, match=r"cannot write the prepared twin .*No space left on device"):
        prepare(twin_dir)
    assert sorted(p.name for p in twin_dir.iterdir() if "duckdb" in p.name) == []


def test_a_damaged_store_never_ends_the_cli_in_a_traceback(cli, twin_dir: Path) -> None:
    prepare(twin_dir)
    store = twin_dir / STORE_NAME
    size = store.stat().st_size
    with store.open("r+b") as file:  # garbage over the middle of the file, header and footer kept
        file.seek(size // 4)
        file.write(bytes(range(256)) * ((size // 2) // 256))
    os.utime(store, ns=(store.stat().st_atime_ns, store.stat().st_mtime_ns))
    result = cli("indicators", "--data", str(twin_dir), "--by", "municipality", "--csv")
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:  # found damaged on opening: the Parquet files are read, with a note
        assert result.stderr.startswith("note: ") and result.stdout.startswith("indicator,")
    else:  # found damaged in the query: one line naming the remedy
        assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "prepare-twin" in result.stderr


def test_the_dashboards_twelve_months_read_stored_groups_and_agree(twin_dir: Path) -> None:
    from helsefellesskap.web.dashboard_figures import twelve_months

    parquet = duckdb_twin(twin_dir, prepared=False)
    months = twelve_months(parquet)
    dims = (Dimension.municipality, Dimension.priority_group)
    expected = list(compute(parquet, CATALOGUE, dims, period=months, threshold=1))
    prepare(twin_dir)
    twin = duckdb_twin(twin_dir)
    assert months.last_day in twin.groups and months.last_day in twin.group_residents
    assert list(compute(twin, CATALOGUE, dims, period=months, threshold=1)) == expected
