"""The indicator results cache (`indicators/results_cache.py`): bounded by entries and by rows, least recently used
out first, one computation per key across threads, nothing kept that failed or was read while the twin changed;
and the load identifier `load-twin` records (migration 0007), which is what retires the results of a replaced twin."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from helsefellesskap.db import Database
from helsefellesskap.indicators.model import Dimension, IndicatorResult, Period
from helsefellesskap.indicators.results_cache import Computed, ResultKey, ResultsCache, loaded_twin_identity
from helsefellesskap.indicators.service import load_twin
from helsefellesskap.migrations import alembic_config, upgrade
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate

PERIOD = Period(date(2024, 1, 1), date(2025, 1, 1))


def key(indicator: str, *, twin: object = "twin", dimensions: tuple[Dimension, ...] = ()) -> ResultKey:
    return ResultKey(twin, indicator, dimensions, None, PERIOD, 5)


def rows(n: int, indicator: str = "x") -> Computed:
    return Computed(
        PERIOD, tuple(IndicatorResult(indicator, {"month": f"m{i}"}, i, 10, 10.0 * i, False) for i in range(n))
    )


def test_a_second_request_for_the_same_key_is_answered_without_computing() -> None:
    cache = ResultsCache()
    computed: list[str] = []

    def compute() -> Computed:
        computed.append("once")
        return rows(3)

    first = cache.get_or_compute(key("a"), compute)
    second = cache.get_or_compute(key("a"), compute)
    assert second is first and computed == ["once"] and (cache.hits, cache.misses) == (1, 1)
    cache.get_or_compute(key("a", dimensions=(Dimension.month,)), compute)  # another breakdown: another entry
    cache.get_or_compute(key("a", twin="another load"), compute)  # another twin: another entry
    assert len(computed) == 3 and len(cache) == 3


def test_bounded_by_entries_the_least_recently_used_goes_first() -> None:
    cache = ResultsCache(max_entries=2)
    cache.get_or_compute(key("a"), lambda: rows(1))
    cache.get_or_compute(key("b"), lambda: rows(1))
    cache.get_or_compute(key("a"), lambda: rows(1))  # a used again: b is now the least recently used
    cache.get_or_compute(key("c"), lambda: rows(1))
    assert len(cache) == 2
    misses = cache.misses
    cache.get_or_compute(key("a"), lambda: rows(1))
    assert cache.misses == misses  # a kept
    cache.get_or_compute(key("b"), lambda: rows(1))
    assert cache.misses == misses + 1  # b had gone


def test_bounded_by_rows_and_a_result_larger_than_the_bound_is_returned_not_kept() -> None:
    cache = ResultsCache(max_entries=100, max_rows=10)
    cache.get_or_compute(key("a"), lambda: rows(6))
    cache.get_or_compute(key("b"), lambda: rows(6))  # 12 rows: a goes
    assert (len(cache), cache.rows) == (1, 6)
    huge = cache.get_or_compute(key("c"), lambda: rows(11))
    assert len(huge.results) == 11 and (len(cache), cache.rows) == (1, 6)


def test_one_computation_per_key_however_many_threads_ask_at_once() -> None:
    cache = ResultsCache()
    computed: list[int] = []

    def slow() -> Computed:
        computed.append(1)
        time.sleep(0.2)
        return rows(2)

    answers: list[Computed] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get_or_compute(key("a"), slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(computed) == 1 and len(answers) == 8 and all(a is answers[0] for a in answers)


def test_a_failed_computation_is_not_kept_and_the_next_request_computes_again() -> None:
    cache = ResultsCache()

    def failing() -> Computed:
        raise LookupError("no twin")

    with pytest.raises(LookupError):
        cache.get_or_compute(key("a"), failing)
    assert len(cache) == 0
    assert len(cache.get_or_compute(key("a"), lambda: rows(1)).results) == 1


def test_a_result_computed_while_the_twin_changed_is_returned_but_not_kept() -> None:
    cache = ResultsCache()
    cache.get_or_compute(key("a"), lambda: rows(1), still_current=lambda: False)
    assert len(cache) == 0


@pytest.fixture(scope="module")
def small_twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.005, years=1, seed=3), load_places("ostfold"), out)
    return out


def test_every_load_of_the_same_twin_is_a_new_identity(db: Database, small_twin: Path) -> None:
    load_twin(db, small_twin)
    first = loaded_twin_identity(db)
    assert loaded_twin_identity(db) == first
    load_twin(db, small_twin)
    assert loaded_twin_identity(db) != first  # the same stays and admissions: only the load tells them apart


def test_migration_0007_adds_the_load_table_and_its_downgrade_removes_it(db: Database) -> None:
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    try:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0006_twin_period")
        assert "twin_load" not in inspect(db.engine).get_table_names()
    finally:
        upgrade(db.engine)
    assert "twin_load" in inspect(db.engine).get_table_names()
