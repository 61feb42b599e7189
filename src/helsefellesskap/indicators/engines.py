"""Where the indicators run: one abstract set of Ibis tables (`Twin`) over each engine.

- duckdb (default): DuckDB reading the Parquet files of a twin directory (no extensions: plain Parquet).
- sqlite / postgres: Ibis's own backends on the platform database, over the `twin_*` tables `load-twin` filled.
- pyspark: Spark reading the same Parquet files (optional extra `spark`).

Every engine exposes the same tables with the same column names and types, so one Ibis expression per
indicator runs unchanged on all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy.engine import make_url

from helsefellesskap.errors import InvalidInput
from helsefellesskap.indicators.model import Period

# The twin's Parquet tables the indicators read (docs/synth.md) and the columns of each they use.
TWIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "municipalities": ("municipality", "community"),
    "persons": ("person_id", "birth_date", "municipality"),
    "conditions": ("person_id", "code", "onset_date"),
    "stays": ("stay_id", "person_id", "municipality", "service", "acute", "admitted_at", "ready_at",
              "withdrawn_at", "ready_again_at", "discharged_at", "destination", "primary_diagnosis"),
    "messages": ("type", "stay_id", "sent_at", "can_receive"),
    "services": ("person_id", "kind", "start", "end", "origin"),
    "gp_contacts": ("person_id", "contact_date", "icpc2"),
    "deaths": ("person_id", "died_on"),
}  # fmt: skip
# The persons as the priority groups read them (`Twin.traits`): with sex, which no indicator reads.
TRAIT_COLUMNS = ("person_id", "birth_date", "sex")


class Engine(StrEnum):
    duckdb = "duckdb"
    sqlite = "sqlite"
    postgres = "postgres"
    pyspark = "pyspark"


@dataclass(frozen=True)
class Twin:
    """The abstract tables every indicator expression is written against."""

    municipalities: ir.Table
    persons: ir.Table
    conditions: ir.Table
    stays: ir.Table
    stay_diagnoses: ir.Table  # stay_id, code: every diagnosis of a stay (main and secondary)
    traits: ir.Table  # person_id, birth_date, sex: the persons as the priority groups read them (TRAIT_COLUMNS)
    messages: ir.Table
    services: ir.Table
    gp_contacts: ir.Table
    deaths: ir.Table
    backend: Any
    # The simulated period the twin records (run.json; the platform database's twin_period), None when it records
    # none: `service.period_of` then infers it from the admissions.
    period: Period | None = None
    # Sub-expressions several indicators read, stored once by `service.compute` for its run (`expressions.shared`).
    shared: dict[str, ir.Table] = field(default_factory=dict, hash=False, compare=False)


def parse_engine(name: str) -> Engine:
    try:
        return Engine(name)
    except ValueError:
        raise InvalidInput(f"unknown engine {name!r} (known: {', '.join(e.value for e in Engine)})") from None


def check_twin_directory(directory: Path) -> None:
    if not directory.is_dir():
        raise InvalidInput(f"no such data directory: {directory}")
    missing = [name for name in TWIN_COLUMNS if not (directory / f"{name}.parquet").is_file()]
    if missing:
        raise InvalidInput(f"{directory} is not a twin directory: missing {', '.join(f'{m}.parquet' for m in missing)}")


def recorded_period(directory: Path) -> Period | None:
    """The simulated period `synth` records in the directory's run.json (`"period": {"start", "end"}`, ISO dates,
    the end exclusive); None without run.json or without a period in it (a twin written before it was recorded)."""
    path = directory / "run.json"
    if not path.is_file():
        return None
    try:
        recorded = json.loads(path.read_text(encoding="utf-8")).get("period")
        if recorded is None:
            return None
        return Period(date.fromisoformat(recorded["start"]), date.fromisoformat(recorded["end"]))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InvalidInput(f"{path} has no readable period: {error}") from None


# Read by every indicator: worth holding in memory once instead of decoding the Parquet again in every query.
IN_MEMORY = ("municipalities", "persons", "stays", "messages", "services", "deaths")
# The only message types the indicators read (`expressions.messages_of` refuses others): the in-memory copy
# holds just these (15 % of the messages), so loading and scanning them costs a sixth.
MESSAGE_TYPES = ("admission_notice", "municipal_response", "ready_for_discharge")


def _from_parquet(backend: Any, directory: Path, in_memory: tuple[str, ...] = ()) -> Twin:
    check_twin_directory(directory)
    tables = {
        name: backend.read_parquet(str(directory / f"{name}.parquet"), table_name=f"twin_{name}_file")
        for name in TWIN_COLUMNS
    }
    # Read from the files, as only the priority groups read them: the stays' diagnosis lists, the persons' sex.
    stays = tables["stays"]
    diagnoses = stays.select(stay_id=stays.stay_id, code=stays.diagnoses.unnest())
    traits = tables["persons"]
    for name in in_memory:
        tables[name] = _load_into_duckdb(backend, tables[name], name)
    return _twin(backend, tables, diagnoses, traits, recorded_period(directory))


def _load_into_duckdb(backend: Any, view: ir.Table, name: str) -> ir.Table:
    """The columns the indicators read of a twin table, held in DuckDB's memory; of the messages only the types
    they read. Times with a time zone (the twin's are UTC) are stored as naive UTC times: the expressions read
    every time as epoch seconds, which of a zoned time costs DuckDB a time-zone conversion per row and read
    (about ten times the cost on a naive time). Converted once here, through the microseconds since the epoch (a
    cast would go through the time-zone library, at twice the cost of the load). Same instants."""
    schema = view.schema()
    columns = ", ".join(
        f'make_timestamp(epoch_us("{c}")) AS "{c}"' if schema[c].is_timestamp() and schema[c].timezone else f'"{c}"'
        for c in TWIN_COLUMNS[name]
    )
    types = ", ".join(f"'{t}'" for t in MESSAGE_TYPES)
    where = f" WHERE type IN ({types})" if name == "messages" else ""
    # Every name and literal here is one of this module's constants, none comes from input.
    backend.raw_sql(f'CREATE TEMP TABLE "twin_{name}" AS SELECT {columns} FROM "{view.get_name()}"{where}')  # noqa: S608
    return backend.table(f"twin_{name}")


def _canonical(table: ir.Table, columns: tuple[str, ...]) -> ir.Table:
    """The columns the indicators read, as they are: no casts here — on SQLite a cast column in a join can no
    longer use the table's index (a nested loop over every person). Types are aligned where the expressions
    combine tables (`_units`, the unions)."""
    return table.select(*columns)


def union_all(*tables: ir.Table) -> ir.Table:
    """UNION ALL of tables whose columns agree but for NOT NULL and string lengths (which differ between engines
    and columns): every column cast to the nullable type of the first table's (integers to int64)."""
    schema = tables[0].schema()
    types = {n: "int64" if t.is_integer() else t.copy(nullable=True) for n, t in schema.items()}
    aligned = [t.select(**{n: t[n].cast(types[n]) for n in schema}) for t in tables]
    return ibis.union(*aligned)


def _twin(backend: Any, tables: dict[str, ir.Table], stay_diagnoses: ir.Table, traits: ir.Table,
          period: Period | None) -> Twin:
    chosen = {name: _canonical(tables[name], columns) for name, columns in TWIN_COLUMNS.items()}
    return Twin(stay_diagnoses=_canonical(stay_diagnoses, ("stay_id", "code")),
                traits=_canonical(traits, TRAIT_COLUMNS), backend=backend, period=period, **chosen)


def duckdb_twin(directory: Path, *, threads: int | None = None, in_memory: bool = True) -> Twin:
    """DuckDB over the Parquet files of `directory`: the tables every indicator reads are loaded into DuckDB's
    memory once (the columns used); conditions and GP contacts, read only for the priority groups, are read in
    place."""
    # No query here depends on row order without an ORDER BY (results are aggregates, sorted in `service`):
    # without insertion order DuckDB loads and aggregates in parallel without re-ordering (loading 2-3x faster).
    config: dict[str, Any] = {"preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    return _from_parquet(ibis.duckdb.connect(**config), directory, IN_MEMORY if in_memory else ())


def pyspark_twin(directory: Path) -> Twin:
    """Spark (local, all cores) over the Parquet files of `directory`. Needs the extra `spark` and a JDK."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidInput("the pyspark engine needs the extra 'spark': pip install 'helsefellesskap[spark]'") from None
    check_twin_directory(directory)
    session = (
        SparkSession.builder.appName("helsefellesskap-indicators").master("local[*]")
        .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8").getOrCreate()
    )
    return _from_parquet(ibis.pyspark.connect(session), directory)


def database_backend(url: str) -> Any:
    """An Ibis connection to the platform database named by a SQLAlchemy URL (SQLite file or PostgreSQL)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise InvalidInput("the sqlite engine needs a database file, not an in-memory database")
        return ibis.sqlite.connect(parsed.database)
    if backend == "postgresql":
        return ibis.postgres.connect(
            host=parsed.host or "localhost", port=parsed.port or 5432, user=parsed.username,
            password=parsed.password, database=parsed.database,
        )
    raise InvalidInput(f"the platform database must be SQLite or PostgreSQL, not {backend}")


def database_twin(url: str) -> Twin:
    """The twin loaded into the platform database (`helsefellesskap load-twin`)."""
    backend = database_backend(url)
    tables = {name: backend.table(f"twin_{name}") for name in TWIN_COLUMNS}
    return _twin(backend, tables, backend.table("twin_stay_diagnoses"), tables["persons"], _loaded_period(backend))


def _loaded_period(backend: Any) -> Period | None:
    """The period `load-twin` stored from the twin's run.json (table twin_period), None when it recorded none."""
    rows = backend.execute(backend.table("twin_period")).to_dict("records")
    if not rows:
        return None
    return Period(*(_as_date(rows[0][column]) for column in ("start", "end")))


def _as_date(value: Any) -> date:
    """A date column's value as the engines return it: a date, a pandas Timestamp or an ISO string (SQLite)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[no-any-return]
