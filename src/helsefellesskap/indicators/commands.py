"""CLI: `helsefellesskap indicators` (compute on any engine) and `helsefellesskap load-twin DIR`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helsefellesskap.errors import InvalidInput

if TYPE_CHECKING:  # the engines (ibis, duckdb, pyarrow) and the database are imported by the commands that run
    from helsefellesskap.db import Database
    from helsefellesskap.indicators.model import Period, ResultColumns


def _database(url: str | None) -> Database:
    from helsefellesskap.db import Database
    from helsefellesskap.migrations import upgrade
    from helsefellesskap.settings import get_settings

    database = Database(url or get_settings().database_url)
    upgrade(database.engine)
    return database


def load_twin_command(
    directory: Annotated[Path, typer.Argument(help="A twin directory written by `helsefellesskap synth`.")],
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: the configured database).")] = None,
) -> None:
    """Load a synthetic twin into the platform database (one transaction; replaces a previously loaded twin)."""
    from helsefellesskap.indicators import service
    from helsefellesskap.indicators.engines import check_twin_directory

    check_twin_directory(directory)
    database = _database(database_url)
    try:
        counts = service.load_twin(database, directory)
    finally:
        database.dispose()
    typer.echo("loaded " + ", ".join(f"{name} {rows}" for name, rows in counts.items()))


def prepare_twin_command(
    directory: Annotated[Path, typer.Argument(help="A twin directory written by `helsefellesskap synth`.")],
) -> None:
    """Prepare a twin for the indicators: its tables and shared sub-results in one DuckDB file in the directory
    (indicators.duckdb), which `indicators --data DIR` and the dashboard then read instead of the Parquet files."""
    from helsefellesskap.indicators.prepared import prepare

    prepared = prepare(directory)
    days = prepared.references
    groups = f", priority groups as of {len(days)} days, {days[0]} to {days[-1]}" if days else ""
    typer.echo(f"prepared {prepared.path} ({prepared.bytes / 2**20:.0f} MiB{groups})")


# Each CSV and JSON row names its period, so a saved file says what it counts: the first day and the day after
# the last (the end excluded), as the API's `period` and the table's title do.
PERIOD_COLUMNS = ("period_start", "period_end")


def _header(results: list[ResultColumns]) -> list[str]:
    dimensions = list(results[0].dimensions) if results else []
    return ["indicator", *dimensions, "numerator", "denominator", "rate", "suppressed", *PERIOD_COLUMNS]


def _rows(results: list[ResultColumns], period: Period) -> Iterator[tuple[Any, ...]]:
    """Every row of every indicator, as the header's columns (`_header`), straight from the columns."""
    start, end = period.start.isoformat(), period.end.isoformat()
    for columns in results:
        yield from zip(repeat(columns.indicator), *columns.dimensions.values(), columns.numerator, columns.denominator,
                       columns.rate, columns.suppressed, repeat(start), repeat(end))


def _render(results: list[ResultColumns], as_json: bool, as_csv: bool, period: Period) -> None:
    header = _header(results)
    if as_json:
        typer.echo(json.dumps([dict(zip(header, row, strict=True)) for row in _rows(results, period)],
                              ensure_ascii=False, indent=2))
        return
    if as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(_rows(results, period))
        typer.echo(buffer.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    shown = len(header) - 1 - len(PERIOD_COLUMNS)  # the period is the title; suppression shows as "<5"
    counts = {header.index("numerator"), header.index("denominator")}
    rate, suppressed = header.index("rate"), header.index("suppressed")
    table = Table(*header[:shown], title=f"{period.start} to {period.end} (the end day excluded)")
    for row in _rows(results, period):
        table.add_row(*("<5" if value is None and row[suppressed] and i in counts else "–" if value is None else
                        f"{value:.2f}" if i == rate else str(value) for i, value in enumerate(row[:shown])))
    Console(width=200).print(table)


def indicators_command(
    data: Annotated[Path | None, typer.Option(help="Twin directory (Parquet); sqlite/postgres load it first.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default), sqlite, postgres or pyspark.")] = "duckdb",
    indicator: Annotated[list[str] | None, typer.Option(help="Indicator id (repeatable); default all.")] = None,
    by: Annotated[list[str] | None, typer.Option(help="community|municipality|priority_group|month.")] = None,
    community: Annotated[str | None, typer.Option(help="Only this helsefellesskap (id, e.g. ostfold).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database of sqlite/postgres (default: configured).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    timings: Annotated[bool, typer.Option("--timings", help="Print the time of each phase to stderr.")] = False,
    start: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD",
                                              help="First day of the period (default: the twin's first).")] = None,
    end: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="Day after the period: the end is "
                                            "excluded, --to 2024-07-01 ends on 30 June (default: the twin's end).")
                   ] = None,
) -> None:
    """Compute the indicators (numerator, denominator and rate; counts under 5 suppressed)."""
    import duckdb

    from helsefellesskap.indicators import service
    from helsefellesskap.indicators.engines import Engine, check_twin_directory, parse_engine
    from helsefellesskap.indicators.model import PeriodChoice, parse_dimensions
    from helsefellesskap.indicators.phases import Stopwatch
    from helsefellesskap.settings import get_settings

    if as_json and as_csv:
        raise InvalidInput("choose one of --json and --csv")
    chosen = parse_engine(engine)
    definitions = service.definitions_of(indicator or [])
    dimensions = parse_dimensions(by or [])
    choice = PeriodChoice.parse(start, end, ("--from", "--to"))
    if data is not None:
        check_twin_directory(data)
    url = None
    watch = Stopwatch()
    settings = get_settings()
    if chosen in (Engine.sqlite, Engine.postgres):
        # The right kind of database, before it is created, migrated or loaded into.
        service.require_engine_database(chosen, database_url or settings.database_url)
        database = _database(database_url)
        url = database.url
        try:
            if data is not None:
                with watch.phase("load-twin"):
                    service.load_twin(database, data)
        finally:
            database.dispose()
    with watch.phase("open twin"):  # DuckDB: loading the tables every indicator reads into memory, or opening its store
        twin = service.open_twin(chosen, data=data, database_url=url, spark_driver_memory=settings.spark_driver_memory)
    if twin.store is not None:
        watch.name_last("open twin (prepared)")
    elif chosen is Engine.duckdb and data is not None:
        from helsefellesskap.indicators.prepared import staleness, store_path

        stale = staleness(data) if store_path(data).exists() else None  # a store there, but not read: say why
        if stale is not None:
            typer.echo(f"note: {stale}: reading the Parquet files (`helsefellesskap prepare-twin {data}` prepares "
                       "it again)", err=True)
    threshold = settings.small_cell_threshold
    try:
        results = service.compute_columns(twin, definitions, dimensions, community=community, period=choice,
                                          threshold=threshold, stopwatch=watch)
    except duckdb.Error as error:
        if twin.store is None:
            raise
        # A store that opened and is current but whose data blocks do not read (damaged on disk).
        first = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise InvalidInput(f"the prepared twin in {data} cannot be read ({first}): `helsefellesskap prepare-twin "
                           f"{data}` prepares it again") from None
    with watch.phase("output"):
        # The period again, for the rows (a twin that records its period answers without a query).
        _render(results, as_json, as_csv, service.chosen_period(twin, choice))
    if timings:
        for line in watch.lines():
            typer.echo(line, err=True)
