"""The indicator benchmark's baselines stay honest: its pandas implementation gives the engine's numbers, and its
runs report every phase. (The benchmark's figures themselves are never asserted: performance lives in
`benchmarks/`, not in tests.)"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from helsefellesskap.indicators.engines import duckdb_twin
from helsefellesskap.indicators.prepared import prepare
from helsefellesskap.indicators.service import period_of
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "indicators.py"


@pytest.fixture(scope="module")
def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("indicator_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.01, years=1, seed=3), load_places("innlandet"), out)
    return out


def test_the_pandas_baseline_gives_the_engines_numerators_and_denominators(benchmark: ModuleType,
                                                                          twin_dir: Path) -> None:
    results, _ = benchmark.engine_run(twin_dir, benchmark.BY_MUNICIPALITY)
    engine = benchmark.totals(results)
    pandas = benchmark.pandas_indicators(twin_dir, period_of(duckdb_twin(twin_dir)))
    assert len({indicator for indicator, _ in engine}) == 8
    assert benchmark.same_numbers(pandas, engine)
    # The check can fail: one count off is found.
    key = next(k for k, (numerator, _) in engine.items() if numerator > 0)
    assert not benchmark.same_numbers({**pandas, key: (engine[key][0] - 1, engine[key][1])}, engine)


def test_the_engine_runs_time_every_phase_from_opening_the_twin(benchmark: ModuleType, twin_dir: Path) -> None:
    _, watch = benchmark.engine_run(twin_dir, benchmark.DIMENSION_ORDER)
    assert [lap.phase for lap in watch.laps] == [
        "open twin", "period", "shared tables", "priority groups", "expressions", "query", "results",
    ]


def test_the_prepared_runs_read_the_store_and_give_the_numbers_of_the_parquet_runs(benchmark: ModuleType,
                                                                                    twin_dir: Path, tmp_path: Path,
                                                                                    ) -> None:
    copy = tmp_path / "twin"
    shutil.copytree(twin_dir, copy)
    with pytest.raises(RuntimeError, match="no current prepared store"):  # never the Parquet files unnoticed
        benchmark.engine_run(copy, benchmark.BY_MUNICIPALITY, prepared=True)
    prepare(copy)
    benchmark.store_floor(copy, benchmark.READ_BY_ALL_DIMENSIONS)  # every column it reads is in the store
    for dimensions in (benchmark.BY_MUNICIPALITY, benchmark.DIMENSION_ORDER):
        parquet, _ = benchmark.engine_run(copy, dimensions)
        prepared, _ = benchmark.engine_run(copy, dimensions, prepared=True)
        assert prepared == parquet
