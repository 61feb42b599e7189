"""The dashboard's figures from the indicators service: which twin to read, the period shown, and warming up.

The twin is the Parquet directory of `settings.twin_directory` (DuckDB, opened once; the demo sets it) or else
the twin loaded into the platform database (its own engine, as the indicators API); the comparison among the
communities reads `settings.comparison_twin_directory` when it is set (a national twin). The results are kept in
the process's indicator results cache (`indicators/results_cache.py`), which the API shares: per twin,
indicator, breakdown and threshold."""

from __future__ import annotations

import threading
from pathlib import Path

from helsefellesskap.db import Database
from helsefellesskap.errors import NotFound
from helsefellesskap.indicators import service
from helsefellesskap.indicators.catalogue import definition_of
from helsefellesskap.indicators.engines import Engine, Twin
from helsefellesskap.indicators.model import Dimension, IndicatorDefinition, Period, twelve_months_through
from helsefellesskap.indicators.results_cache import (
    RESULTS,
    Computed,
    ResultKey,
    loaded_twin_identity,
    parquet_twin_identity,
)
from helsefellesskap.settings import Settings

TWELVE_MONTHS = "twelve months"  # the period rule of `twelve_months`, as the results cache keys it
_lock = threading.Lock()  # one computation at a time on the Parquet twins: their DuckDB connections are shared
_twins: dict[str, tuple[tuple[object, ...], Twin]] = {}  # per directory: the twin opened and its identity


def _directory(settings: Settings, dimensions: tuple[Dimension, ...]) -> Path | None:
    """Which Parquet twin answers: for the comparison among communities the national twin when one is configured;
    otherwise the community's; None when neither is there (the twin loaded into the database answers)."""
    candidates = [settings.twin_directory]
    if dimensions == (Dimension.community,):
        candidates.insert(0, settings.comparison_twin_directory)
    for directory in candidates:
        if directory is not None and (Path(directory) / "run.json").is_file():
            return Path(directory)
    return None


def _parquet_twin(directory: Path, identity: tuple[object, ...]) -> Twin:
    """The directory's twin, opened once; opened again when the directory was regenerated. Under `_lock`."""
    name = str(directory.resolve())
    opened = _twins.get(name)
    if opened is not None and opened[0] == identity:
        return opened[1]
    if opened is not None:
        opened[1].backend.disconnect()
    twin = service.open_twin(Engine.duckdb, data=directory)
    _twins[name] = (identity, twin)
    return twin


def twelve_months(twin: Twin) -> Period:
    """The twelve calendar months up to and including the month of the latest admission (the twin's year may
    end on any day: the demo's ends today, so its first days and the current month are partial)."""
    latest = twin.backend.execute(twin.stays.admitted_at.max())
    if latest is None or latest != latest:
        raise NotFound(service.NO_TWIN)
    return twelve_months_through(latest)


def _computed(
    twin: Twin, definition: IndicatorDefinition, dimensions: tuple[Dimension, ...], threshold: int
) -> Computed:
    period = twelve_months(twin)
    return Computed(period, tuple(service.compute(twin, [definition], dimensions, period=period, threshold=threshold)))


def figures(settings: Settings, database: Database, indicator: str, dimensions: tuple[Dimension, ...]) -> Computed:
    """One indicator by `dimensions` over the last twelve months, counts under the threshold suppressed."""
    definition = definition_of(indicator)
    threshold = settings.small_cell_threshold
    directory = _directory(settings, dimensions)
    if directory is not None:
        identity = parquet_twin_identity(directory)

        def from_directory() -> Computed:
            with _lock:
                return _computed(_parquet_twin(directory, identity), definition, dimensions, threshold)

        key = ResultKey(identity, indicator, dimensions, None, TWELVE_MONTHS, threshold)
        return RESULTS.get_or_compute(key, from_directory)
    loaded = loaded_twin_identity(database)

    def from_database() -> Computed:
        twin = service.open_loaded_twin(database)
        try:
            return _computed(twin, definition, dimensions, threshold)
        finally:
            twin.backend.disconnect()

    key = ResultKey(loaded, indicator, dimensions, None, TWELVE_MONTHS, threshold)
    return RESULTS.get_or_compute(key, from_database, still_current=lambda: loaded_twin_identity(database) == loaded)


DASHBOARD_BREAKDOWNS: tuple[tuple[Dimension, ...], ...] = (
    (Dimension.month,),
    (Dimension.community, Dimension.municipality),
    (Dimension.priority_group,),
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
