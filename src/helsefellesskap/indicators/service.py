"""Use cases: compute indicators on a twin (any engine), load a twin into the platform database."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from ibis.common.exceptions import IbisError
from sqlalchemy.engine import make_url

from helsefellesskap.access.policy import DEFAULT_SMALL_CELL_THRESHOLD, is_small_cell
from helsefellesskap.db import Database
from helsefellesskap.errors import InvalidInput, NotFound
from helsefellesskap.indicators.catalogue import CATALOGUE, definition_of
from helsefellesskap.indicators.engines import Engine, Twin, database_twin, duckdb_twin, pyspark_twin
from helsefellesskap.indicators.expressions import EXPRESSIONS, INDICATOR, SHARED, aggregate, tagged
from helsefellesskap.indicators.groups import STORED_CODES, group_masks, person_codes, person_flags
from helsefellesskap.indicators.loading import load_twin_tables
from helsefellesskap.indicators.model import (
    Dimension,
    IndicatorDefinition,
    IndicatorResult,
    Period,
    PeriodChoice,
    ResultColumns,
    days_of_month,
    fewest_persons,
    month_label,
    rate_of,
)
from helsefellesskap.indicators.phases import Stopwatch
from helsefellesskap.indicators.results_cache import RESULTS, Computed, ResultKey, loaded_twin_identity

SPILL_OVER = 10  # a year with under a tenth of the busiest year's admissions is outside the period
NO_TWIN = "no synthetic twin is loaded in the database: run `helsefellesskap load-twin DIR` first"


def load_twin(database: Database, directory: Path) -> dict[str, int]:
    """Replace the platform database's twin with the one in `directory` (one transaction); rows per table."""
    with database.unit_of_work() as session:
        return load_twin_tables(session, directory)


def open_twin(engine: Engine, *, data: Path | None = None, database_url: str | None = None,
              spark_driver_memory: str | None = None) -> Twin:
    """The twin on an engine: Parquet files of `data` (duckdb, pyspark) or the platform database (sqlite,
    postgres), which must hold a loaded twin of that kind. `spark_driver_memory`: see `engines.pyspark_twin`."""
    if engine in (Engine.duckdb, Engine.pyspark):
        if data is None:
            raise InvalidInput(f"the {engine.value} engine reads a twin directory: give --data DIR")
        if engine is Engine.duckdb:
            return duckdb_twin(data)
        return pyspark_twin(data, driver_memory=spark_driver_memory)
    if database_url is None:
        raise InvalidInput(f"the {engine.value} engine needs a database")
    require_engine_database(engine, database_url)
    return database_twin(database_url)


def require_engine_database(engine: Engine, database_url: str) -> None:
    """InvalidInput unless the database is the kind the engine (sqlite or postgres) reads: checked before the
    database is opened, migrated or loaded into."""
    backend = make_url(database_url).get_backend_name()  # a URL that does not parse: ArgumentError, named by the CLI
    if backend not in ("sqlite", "postgresql"):
        raise InvalidInput(f"invalid database URL: {backend!r} is neither sqlite nor postgresql")
    dialect = "postgresql" if engine is Engine.postgres else "sqlite"
    if backend != dialect:
        raise InvalidInput(f"the {engine.value} engine needs a {dialect} database, not {backend}")


def open_loaded_twin(database: Database) -> Twin:
    """The twin loaded into the platform database, on that database's own engine (sqlite or postgres); the caller
    disconnects its backend when done."""
    engine = Engine.postgres if database.engine.dialect.name == "postgresql" else Engine.sqlite
    return open_twin(engine, database_url=database.url)


def loaded_results(database: Database, definition: IndicatorDefinition, dimensions: tuple[Dimension, ...] = (), *,
                   community: str | None = None, choice: PeriodChoice | None = None,
                   threshold: int = DEFAULT_SMALL_CELL_THRESHOLD) -> Computed:
    """`compute` on the twin loaded into the platform database over the period chosen (`chosen_period`; no choice:
    its whole simulated period), from the process's results cache while that load of the twin stays
    (`results_cache`). The caller authorises first."""
    choice = choice or PeriodChoice()
    identity = loaded_twin_identity(database)
    # Keyed by the choice, which the twin completes and checks: a period outside the twin raises, and is not kept.
    key = ResultKey(identity, definition.id, dimensions, community, choice, threshold)

    def computed() -> Computed:
        twin = open_loaded_twin(database)
        try:
            period = chosen_period(twin, choice)
            return Computed(period, tuple(compute(twin, [definition], dimensions, community=community,
                                                  period=period, threshold=threshold)))
        finally:
            twin.backend.disconnect()

    return RESULTS.get_or_compute(key, computed, still_current=lambda: loaded_twin_identity(database) == identity)


def chosen_period(twin: Twin, choice: PeriodChoice | None = None) -> Period:
    """The period `choice` asks for, which must lie inside the twin's simulated period (`period_of`): InvalidInput,
    naming that period, otherwise. No choice: the whole simulated period."""
    return (choice or PeriodChoice()).within(period_of(twin))


def period_of(twin: Twin) -> Period:
    """The simulated period: the one the twin records (`synth` writes it to run.json, `load-twin` carries it into
    the platform database), else — a twin written before it was recorded — inferred: the whole calendar years
    that hold the twin's admissions (the twin simulates whole years from 1 January; docs/synth.md), where years
    with only a few admissions — a patient admitted just before midnight on 31 December, a readmission generated
    just after the last day — are spill-over, not part of the period: a year counts when it has at least a tenth
    of the admissions of the busiest year."""
    if twin.period is not None:
        return twin.period
    year = twin.stays.admitted_at.year()
    found = twin.backend.execute(twin.stays.group_by(year=year).aggregate(stays=twin.stays.count()))
    counts = {int(y): int(n) for y, n in zip(found["year"], found["stays"], strict=True)}
    if not counts:
        raise NotFound(NO_TWIN)
    years = [y for y, n in counts.items() if n * SPILL_OVER >= max(counts.values())]
    return Period(date(min(years), 1, 1), date(max(years) + 1, 1, 1))


def _materialised(twin: Twin, table: ir.Table, prefix: str = "person_groups") -> ir.Table:
    """Compute a table once into a temporary table of the engine, so several indicators reuse it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        stored = twin.backend.create_table(name, table, temp=True)
    except (NotImplementedError, IbisError):
        return table
    if twin.backend.name == "postgres":
        # A new temporary table has no statistics: without them PostgreSQL's planner picks nested loops.
        twin.backend.raw_sql(f'ANALYZE "{name}"').close()
    return stored


def compute(
    twin: Twin,
    definitions: Sequence[IndicatorDefinition] = CATALOGUE,
    dimensions: tuple[Dimension, ...] = (),
    *,
    community: str | None = None,
    period: Period | PeriodChoice | None = None,
    threshold: int = DEFAULT_SMALL_CELL_THRESHOLD,
    stopwatch: Stopwatch | None = None,
) -> list[IndicatorResult]:
    """Every definition's rows by the dimensions over `period` (a user's choice is checked by `chosen_period`;
    none: the twin's simulated period), counts under `threshold` suppressed; the time of each phase into
    `stopwatch` when given (`phases.py`). One object per row: `compute_columns` gives the same as columns."""
    columns = compute_columns(twin, definitions, dimensions, community=community, period=period,
                              threshold=threshold, stopwatch=stopwatch)
    return [row for indicator in columns for row in indicator.rows()]


def compute_columns(
    twin: Twin,
    definitions: Sequence[IndicatorDefinition] = CATALOGUE,
    dimensions: tuple[Dimension, ...] = (),
    *,
    community: str | None = None,
    period: Period | PeriodChoice | None = None,
    threshold: int = DEFAULT_SMALL_CELL_THRESHOLD,
    stopwatch: Stopwatch | None = None,
) -> list[ResultColumns]:
    """`compute`'s rows as columns, one `ResultColumns` per definition in order: what the CLI writes."""
    watch = stopwatch or Stopwatch()
    with watch.phase("period"):
        period = period if isinstance(period, Period) else chosen_period(twin, period)
        if community is not None:
            _check_community(twin, community)
    with watch.phase("shared tables"):
        twin = _with_shared(twin, definitions)
    groups = None
    if Dimension.priority_group in dimensions:
        with watch.phase("priority groups"):
            reference = period.last_day
            groups = twin.groups.get(reference)  # a prepared twin's, for the reference dates it holds
            if groups is None:
                codes = person_codes(twin, reference=reference)
                if STORED_CODES not in twin.shared:
                    # The costly part (every diagnosis code in the look-back windows), read thrice; a prepared twin's
                    # stored codes are read as they are.
                    codes = _materialised(twin, codes)
                groups = _materialised(twin, group_masks(person_flags(twin, reference, codes=codes)))
    by_month, by_person = Dimension.month in dimensions, Dimension.priority_group in dimensions
    with watch.phase("expressions"):
        units = [EXPRESSIONS[definition.id](twin, period, by_month, by_person) for definition in definitions]
        if twin.backend.name in TOGETHER and len(units) > 1:
            queries = [aggregate(tagged(units), twin, dimensions, groups, period, community)]
        else:
            queries = [aggregate(u, twin, dimensions, groups, period, community) for u in units]
    with watch.phase("query"):
        executed = _executed(twin, queries, [d.value for d in dimensions], len(units))
    with watch.phase("results"):
        return [_columns(definition, columns, dimensions, threshold, period)
                for definition, columns in zip(definitions, executed, strict=True)]


# Engines that run every indicator of a run as one query, their units `tagged` and summed together: one plan, one
# round trip, the engine's own scheduling, and the priority groups, communities and months looked up once for all
# indicators instead of once each. Not SQLite, whose parser refuses the nesting of eight indicators in one
# statement, nor PostgreSQL (it plans each branch of a union alone anyway, and the temporary tables are analysed
# per query).
TOGETHER = ("duckdb", "pyspark")


def _executed(twin: Twin, queries: list[ir.Table], keys: list[str], indicators: int) -> list[pa.Table]:
    """The rows of each of the `indicators`, in order, sorted by `keys` (no value first): one query per indicator,
    or one query of them all (`INDICATOR` tells its rows apart). Fetched and sorted as Arrow, no pandas frame and no
    Python sort of every row. Sorting the values sorts their labels (`_labels`): a month YYYYMM as its "YYYY-MM", a
    string as itself (UTF-8 keeps the code point order), no value as ''."""
    order = [(key, "ascending", "at_start") for key in keys]
    if len(queries) == indicators:
        return [_sorted(twin.backend.to_pyarrow(query), order) for query in queries]
    [query] = queries
    table = _sorted(twin.backend.to_pyarrow(query), order)
    positions = table.column(INDICATOR)
    rows = table.drop_columns([INDICATOR])
    split = [rows.filter(pc.equal(positions, i)) for i in range(indicators)]
    # Without a dimension every indicator has its one row: sums of nothing where it has no units, as its own query
    # gives them.
    nothing = pa.table({name: pa.nulls(1, field.type) for name, field in zip(rows.column_names, rows.schema,
                                                                              strict=True)})
    return [part if keys or part.num_rows else nothing for part in split]


def _sorted(table: pa.Table, order: list[tuple[str, str, str]]) -> pa.Table:
    return table.sort_by(order) if order else table  # (column, order, null placement): pyarrow 25 or later


def _check_community(twin: Twin, community: str) -> None:
    """NotFound unless `community` is a helsefellesskap of the twin's municipalities (an unknown id would give rows
    of zeros, as if the community had no patients)."""
    m = twin.municipalities
    known = sorted(twin.backend.to_pyarrow(m.select(m.community).distinct()).column("community").to_pylist())
    if community not in known:
        raise NotFound(f"no helsefellesskap {community!r} in the twin (known: {', '.join(map(str, known))})")


def _with_shared(twin: Twin, definitions: Sequence[IndicatorDefinition]) -> Twin:
    """The twin with the shared sub-expressions two or more of the definitions read stored once. On SQLite even one
    reader's: inlined into an indicator by priority group and month, the union of transition events nests deeper
    than SQLite's parser takes ("parser stack overflow")."""
    ids = {d.id for d in definitions}
    readers_needed = 1 if twin.backend.name == "sqlite" else 2
    twin = dataclasses.replace(twin, shared=dict(twin.shared))  # this run's: the twin given may serve other runs
    for name, (readers, build) in SHARED.items():  # in order: a later one may read an earlier one, stored
        if name not in twin.shared and readers and len(ids & set(readers)) >= readers_needed:
            twin.shared[name] = _materialised(twin, build(twin), name)
    return twin


def _labels(dimension: Dimension, values: pa.ChunkedArray) -> list[str]:
    """The values of a dimension's column as shown ('' for none; months as "2024-03"): each distinct value labelled
    once (a dictionary of the column), the rows taking theirs by index."""
    encoded = pc.dictionary_encode(values).combine_chunks()
    distinct = encoded.dictionary.to_pylist()
    labels = [month_label(int(v)) if dimension is Dimension.month else str(v) for v in distinct]
    none = len(labels)  # the index of '' (a row without a value)
    shown: list[str] = pa.array([*labels, ""], pa.string()).take(pc.fill_null(encoded.indices, none)).to_pylist()
    return shown


def _counts(values: pa.ChunkedArray) -> list[int]:
    """A count column as integers, 0 where there is none (a group without such units)."""
    return pc.fill_null(pc.cast(values, pa.int64()), 0).to_pylist()  # type: ignore[no-any-return]


def _denominator_persons(definition: IndicatorDefinition, denominators: list[int], months: list[Any] | None,
                         period: Period) -> list[int]:
    """The count each denominator is suppressed by: itself, or for person-time the fewest persons who can have lived
    it (`model.fewest_persons`) in its row's days (its month's inside the period, else the period's)."""
    if not definition.person_time:
        return denominators
    if months is None:
        return [fewest_persons(d, period.days) for d in denominators]
    days = {m: period.days if m is None else days_of_month(int(m), period) for m in set(months)}
    return [fewest_persons(d, days[m]) for d, m in zip(denominators, months, strict=True)]


def _columns(definition: IndicatorDefinition, table: pa.Table, dimensions: tuple[Dimension, ...],
             threshold: int, period: Period) -> ResultColumns:
    """The rows (sorted by their dimension values, `_executed`) as columns, counts under `threshold` suppressed
    (`policy.is_small_cell`, count by count) and the rate left out of a row with a suppressed count. A suppressed
    denominator hides the numerator too: the numerator is counted over the denominator's stays or persons, so beside
    one to four of them it tells of those few (a sum of days over one stay is that patient's wait)."""
    numerators = _counts(table.column("numerator"))
    denominators = _counts(table.column("denominator"))
    months = table.column(Dimension.month.value).to_pylist() if Dimension.month in dimensions else None
    small_numerators = [is_small_cell(n, threshold) for n in numerators]
    small_denominators = [is_small_cell(persons, threshold) for persons in _denominator_persons(
        definition, denominators, months, period)]
    hidden = [n or d for n, d in zip(small_numerators, small_denominators, strict=True)]
    multiplier = definition.multiplier
    return ResultColumns(
        definition.id,
        {d.value: _labels(d, table.column(d.value)) for d in dimensions},
        [None if small else n for n, small in zip(numerators, hidden, strict=True)],
        [None if small else d for d, small in zip(denominators, small_denominators, strict=True)],
        [None if h else rate_of(n, d, multiplier) for n, d, h in zip(numerators, denominators, hidden, strict=True)],
        hidden,
    )


def definitions_of(ids: Sequence[str]) -> list[IndicatorDefinition]:
    """The definitions named (all when none), in catalogue order; an unknown id is NotFound."""
    if not ids:
        return list(CATALOGUE)
    wanted = {definition_of(i).id for i in ids}
    return [d for d in CATALOGUE if d.id in wanted]
