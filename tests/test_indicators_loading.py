"""Loading a twin into the platform database (`load-twin`): two loads at once on PostgreSQL wait for each other."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import TEST_DATABASE_URL
from helsefellesskap.db import Database
from helsefellesskap.indicators.service import load_twin
from helsefellesskap.indicators.store import TWIN_TABLES, TwinLoadRow
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.002, years=1, seed=5), load_places("ostfold"), out)
    return out


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="concurrent writers: PostgreSQL (SQLite has one writer at a time)")
def test_two_loads_at_once_each_replace_the_twin_whole(db: Database, twin_dir: Path) -> None:
    # Without serialising, the second load's DELETE misses the rows the first inserts while it waits, and its COPY
    # then fails on their keys: a refused row, as if the data were at fault.
    alone = load_twin(db, twin_dir)
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def load() -> None:
        start.wait()
        try:
            outcomes.append(load_twin(db, twin_dir))
        except Exception as error:  # the outcome under test
            outcomes.append(error)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == [alone, alone]
    with db.unit_of_work() as session:
        stored = {name: session.scalar(select(func.count()).select_from(table)) for name, table in TWIN_TABLES.items()}
        assert stored == alone
        assert session.scalar(select(func.count()).select_from(TwinLoadRow)) == 1
