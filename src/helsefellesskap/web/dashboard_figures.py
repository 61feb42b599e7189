"""The dashboard's figures from the indicators service: which twin to read, the period shown, and a cache.

The twin is the Parquet directory of `settings.twin_directory` (DuckDB, opened once; the demo sets it) or else
the twin loaded into the platform database (its own engine, as the indicators API); the comparison among the
communities reads `settings.comparison_twin_directory` when it is set (a national twin). Indicator results are
aggregates with small cells already suppressed by the service, so they may be cached in the process: per twin
(the directory's run.json time stamp; for the database, its number of stays and latest admission) and indicator
and breakdown."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from helsefellesskap.db import Database
from helsefellesskap.errors import NotFound
from helsefellesskap.indicators import service
from helsefellesskap.indicators.catalogue import definition_of
from helsefellesskap.indicators.engines import Engine, Twin
from helsefellesskap.indicators.model import Dimension, IndicatorResult, Period
from helsefellesskap.settings import Settings

_lock = threading.Lock()  # one computation at a time: an engine connection is not shared between threads
_twins: dict[tuple[str, float], Twin] = {}
_results: dict[tuple[Any, ...], Figures] = {}


@dataclass(frozen=True)
class Figures:
    period: Period
    results: list[IndicatorResult]


def _twin_key(settings: Settings, database: Database, dimensions: tuple[Dimension, ...]) -> tuple[str, float]:
    """Which twin answers: for the comparison among communities the national twin when one is configured;
    otherwise the community's Parquet twin; otherwise the twin loaded into the database."""
    candidates = [settings.twin_directory]
    if dimensions == (Dimension.community,):
        candidates.insert(0, settings.comparison_twin_directory)
    for directory in candidates:
        if directory is not None and (Path(directory) / "run.json").is_file():
            return str(Path(directory).resolve()), (Path(directory) / "run.json").stat().st_mtime
    return database.url, 0.0


def _open(key: tuple[str, float], settings: Settings, database: Database) -> Twin:
    if key in _twins:
        return _twins[key]
    if key[1]:
        for old in [k for k in _twins if k[0] == key[0]]:  # a regenerated directory: drop the old twin
            _twins.pop(old).backend.disconnect()
        twin = service.open_twin(Engine.duckdb, data=Path(key[0]))
        _twins[key] = twin
        return twin
    engine = Engine.postgres if database.engine.dialect.name == "postgresql" else Engine.sqlite
    return service.open_twin(engine, database_url=database.url)


def twelve_months(twin: Twin) -> Period:
    """The twelve calendar months up to and including the month of the latest admission (the twin's year may
    end on any day: the demo's ends today, so its first days and the current month are partial)."""
    latest = twin.backend.execute(twin.stays.admitted_at.max())
    if latest is None or latest != latest:
        raise NotFound(service.NO_TWIN)
    end = date(latest.year + (latest.month == 12), latest.month % 12 + 1, 1)
    return Period(date(end.year - 1, end.month, 1), end)


def _fingerprint(twin: Twin) -> tuple[int, str]:
    """What identifies a loaded twin cheaply: its number of stays and latest admission."""
    found = twin.backend.execute(twin.stays.aggregate(n=twin.stays.count(), latest=twin.stays.admitted_at.max()))
    return int(found["n"][0]), str(found["latest"][0])


def figures(settings: Settings, database: Database, indicator: str, dimensions: tuple[Dimension, ...]) -> Figures:
    """One indicator by `dimensions` over the last twelve months, counts under the threshold suppressed."""
    definition = definition_of(indicator)
    key = _twin_key(settings, database, dimensions)
    with _lock:
        twin = _open(key, settings, database)
        try:
            cache_key = (key, key[1] or _fingerprint(twin), indicator, dimensions, settings.small_cell_threshold)
            cached = _results.get(cache_key)
            if cached is not None:
                return cached
            period = twelve_months(twin)
            found = Figures(period, service.compute(twin, [definition], dimensions, period=period,
                                                    threshold=settings.small_cell_threshold))
        finally:
            if not key[1]:
                twin.backend.disconnect()
        _results[cache_key] = found
        return found


DASHBOARD_BREAKDOWNS: tuple[tuple[Dimension, ...], ...] = (
    (Dimension.month,), (Dimension.community, Dimension.municipality), (Dimension.priority_group,),
    (Dimension.community,),
)


def warm(settings: Settings, database: Database, indicators: list[str]) -> None:
    """Compute the dashboard's figures ahead of the first visitor (the demo calls it in a background thread)."""
    for indicator in indicators:
        for dimensions in DASHBOARD_BREAKDOWNS:
            try:
                figures(settings, database, indicator, dimensions)
            except NotFound:
                return  # no twin loaded
