"""Indicator results kept in the process once computed, so the indicators API and the dashboard do not compute
again what someone asked for before while the twin is unchanged (on the platform database that takes seconds).

Results are aggregates with the small cells already suppressed (`service.compute`), the same for every principal
allowed to see aggregates, so they are shared among users: every caller authorises (and audits, where it does)
each request before it asks here. An entry is keyed by the twin's identity, the indicator, the dimensions, the
community, the period and the small-cell threshold. A twin's identity: for a Parquet twin its directory and the
time stamp of its run.json; for the twin loaded into the platform database the database and the identifier
`load-twin` records in `twin_load` (a new one per load), so loading another twin retires every result of the
one before.

Bounded by entries and by result rows together, least recently used out first: a result is about half a
kilobyte per row in memory, and one indicator of a national twin by all four dimensions is ~120 000 rows (~60 MB),
so MAX_ROWS holds a few of those or hundreds of the dashboard's small ones; a result larger than MAX_ROWS is
returned but not kept. Safe across threads: one lock guards the entries, and a key is computed by one thread at a
time — a second request for it waits for the first one's result instead of computing it as well."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

from helsefellesskap.db import Database
from helsefellesskap.indicators import store
from helsefellesskap.indicators.model import Dimension, IndicatorResult, Period, PeriodChoice

MAX_ENTRIES = 256
MAX_ROWS = 500_000  # ~250 MB of results at most


@dataclass(frozen=True)
class ResultKey:
    twin: Hashable  # `parquet_twin_identity` / `loaded_twin_identity`
    indicator: str
    dimensions: tuple[Dimension, ...]
    community: str | None
    # The period; or the user's choice, a bound not given being the twin's; or the name of the rule that finds it in
    # the twin (the dashboard's last twelve months). Either way the twin decides the rest.
    period: Period | PeriodChoice | str
    threshold: int


@dataclass(frozen=True)
class Computed:
    """An indicator's results and the period they cover."""

    period: Period
    results: tuple[IndicatorResult, ...]


def parquet_twin_identity(directory: Path) -> tuple[object, ...]:
    """A twin directory as it is now: a regenerated twin writes its run.json again; a twin prepared (again) has a
    new store (`prepared.py`), which a twin opened before does not read."""
    from helsefellesskap.indicators.prepared import store_path

    store = store_path(directory)
    prepared = store.stat().st_mtime_ns if store.is_file() else None
    return ("parquet", str(directory.resolve()), (directory / "run.json").stat().st_mtime_ns, prepared)


def loaded_twin_identity(database: Database) -> tuple[object, ...]:
    """The twin loaded into the platform database as it is now (one small query; `store.loaded_twin_identity`)."""
    with database.reading() as session:
        return ("database", database.url, *store.loaded_twin_identity(session))


class ResultsCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_rows: int = MAX_ROWS) -> None:
        self.max_entries, self.max_rows = max_entries, max_rows
        self.hits = 0  # answers from the cache
        self.misses = 0  # computations
        self._lock = threading.Lock()
        self._entries: OrderedDict[ResultKey, Computed] = OrderedDict()
        self._rows = 0
        self._computing: dict[ResultKey, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def rows(self) -> int:
        with self._lock:
            return self._rows

    def get_or_compute(
        self, key: ResultKey, compute: Callable[[], Computed], *, still_current: Callable[[], bool] | None = None
    ) -> Computed:
        """The result kept for `key`, else `compute()`'s, kept unless `still_current()` says the twin changed while
        it was computed (a result read half from one load and half from the next is not kept)."""
        with self._lock:
            found = self._found(key)
            if found is not None:
                return found
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                found = self._found(key)
                if found is not None:
                    return found
                self.misses += 1
            try:
                value = compute()
                keep = still_current is None or still_current()
            except BaseException:
                with self._lock:
                    self._done(key, computing)
                raise
            with self._lock:
                if keep:
                    self._keep(key, value)
                self._done(key, computing)
            return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._rows = 0

    def _found(self, key: ResultKey) -> Computed | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return found

    def _keep(self, key: ResultKey, value: Computed) -> None:
        if len(value.results) > self.max_rows:
            return
        old = self._entries.pop(key, None)
        self._rows += len(value.results) - (len(old.results) if old else 0)
        self._entries[key] = value
        while len(self._entries) > self.max_entries or self._rows > self.max_rows:
            _, evicted = self._entries.popitem(last=False)
            self._rows -= len(evicted.results)

    def _done(self, key: ResultKey, computing: threading.Lock) -> None:
        if self._computing.get(key) is computing:
            del self._computing[key]


RESULTS = ResultsCache()  # the process's: the API's and the dashboard's results
