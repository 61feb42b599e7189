"""Where the indicators run: one abstract set of Ibis tables (`Twin`) over each engine.

- duckdb (default): DuckDB reading the Parquet files of a twin directory (no extensions: plain Parquet).
- sqlite / postgres: Ibis's own backends on the platform database, over the `twin_*` tables `load-twin` filled.
- pyspark: Spark reading the same Parquet files (optional extra `spark`).

Every engine exposes the same tables with the same column names and types, so one Ibis expression per
indicator runs unchanged on all of them.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import make_url

from helsefellesskap.errors import InvalidInput
from helsefellesskap.indicators.model import Period
from helsefellesskap.indicators.twin_files import check_twin_files

# The twin's Parquet tables the indicators read (docs/synth.md) and the columns of each they use.
TWIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "municipalities": ("municipality", "community"),
    "persons": ("person_id", "birth_date", "municipality"),
    "conditions": ("person_id", "code", "onset_date"),
    "stays": ("stay_id", "person_id", "municipality", "service", "acute", "admitted_at", "ready_at",
              "withdrawn_at", "ready_again_at", "discharged_at", "destination", "primary_diagnosis"),
    "messages": ("type", "stay_id", "sent_at", "can_receive"),
    "services": ("person_id", "municipality", "kind", "start", "end", "origin"),
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
class ProfileTables:
    """The tables only the priority groups read (`groups.py`): every diagnosis and GP contact of the twin."""

    conditions: ir.Table
    stay_diagnoses: ir.Table  # stay_id, code: every diagnosis of a stay (main and secondary)
    traits: ir.Table  # person_id, birth_date, sex: the persons as the priority groups read them (TRAIT_COLUMNS)
    gp_contacts: ir.Table


@dataclass(frozen=True)
class Twin:
    """The abstract tables every indicator expression is written against."""

    municipalities: ir.Table
    persons: ir.Table
    stays: ir.Table
    messages: ir.Table
    services: ir.Table
    deaths: ir.Table
    backend: Any
    # The tables of the priority groups, opened on first use (`profile`): a run without the priority-group
    # dimension never opens them.
    open_profile: Callable[[], ProfileTables] = field(hash=False, compare=False, repr=False)
    # The simulated period the twin records (run.json; the platform database's twin_period), None when it records
    # none: `service.period_of` then infers it from the admissions.
    period: Period | None = None
    # Sub-expressions several indicators read, stored once by `service.compute` for its run or held by a prepared
    # twin (`expressions.shared`, `prepared.py`).
    shared: dict[str, ir.Table] = field(default_factory=dict, hash=False, compare=False)
    # The priority groups (`groups.group_masks`) a prepared twin holds, by their reference date; and the residents
    # counted by municipality and priority groups on that date (`expressions.group_residents`).
    groups: Mapping[date, ir.Table] = field(default_factory=dict, hash=False, compare=False)
    group_residents: Mapping[date, ir.Table] = field(default_factory=dict, hash=False, compare=False)
    # The prepared store the twin is read from (`prepared.open_prepared`), None for Parquet files or a database.
    store: Path | None = None
    # Small facts of the twin that expressions look up by a query of their own (`expressions.admission_days`):
    # asked once per twin, not once per expression and run.
    facts: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @cached_property
    def profile(self) -> ProfileTables:
        return self.open_profile()

    @property
    def conditions(self) -> ir.Table:
        return self.profile.conditions

    @property
    def stay_diagnoses(self) -> ir.Table:
        return self.profile.stay_diagnoses

    @property
    def traits(self) -> ir.Table:
        return self.profile.traits

    @property
    def gp_contacts(self) -> ir.Table:
        return self.profile.gp_contacts


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
    check_twin_files(directory)  # each file's columns, before a query or a load trips over a wrong one


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
    except (ValueError, KeyError, TypeError, AttributeError, InvalidInput) as error:  # InvalidInput: an empty period
        raise InvalidInput(f"{path} has no readable period: {error}") from None


# Read by every indicator: worth holding in memory once instead of decoding the Parquet again in every query.
IN_MEMORY = ("municipalities", "persons", "stays", "messages", "services", "deaths")
# The only message types the indicators read (`expressions.messages_of` refuses others): the in-memory copy
# holds just these (15 % of the messages), so loading and scanning them costs a sixth.
MESSAGE_TYPES = ("admission_notice", "municipal_response", "ready_for_discharge")
# The tables only the priority groups read, opened on first use (`Twin.profile`).
PROFILE_TABLES = ("conditions", "gp_contacts")


def _from_parquet(backend: Any, directory: Path, in_memory: tuple[str, ...] = ()) -> Twin:
    check_twin_directory(directory)

    def parquet(name: str, alias: str = "") -> ir.Table:
        return backend.read_parquet(str(directory / f"{name}.parquet"), table_name=f"twin_{alias or name}_file")

    tables = {
        name: load_into_duckdb(backend, directory, name) if name in in_memory else parquet(name)
        for name in TWIN_COLUMNS if name not in PROFILE_TABLES
    }  # fmt: skip

    def open_profile() -> ProfileTables:
        # Read from the files, as only the priority groups read them: the stays' diagnosis lists, the persons'
        # sex, every condition and GP contact.
        stays = parquet("stays", "stay_diagnoses")
        return profile_tables(parquet("conditions"),
                              stays.select(stay_id=stays.stay_id, code=stays.diagnoses.unnest()),
                              parquet("persons", "traits"), parquet("gp_contacts"))

    return twin_of(backend, tables, open_profile, recorded_period(directory))


def load_into_duckdb(backend: Any, directory: Path, name: str, *, temporary: bool = True,
                     order_by: str | None = None) -> ir.Table:
    """The columns the indicators read of a twin table, held in DuckDB's memory; of the messages only the types
    they read. Loaded straight from the file by one statement (no view of the file first: Ibis asks DuckDB for the
    schema of each, 10-30 ms a table); the file's schema comes from its Parquet footer. Times with a time zone (the
    twin's are UTC) are stored as naive UTC times: the expressions read every time as epoch seconds, which of a
    zoned time costs DuckDB a time-zone conversion per row and read (about ten times the cost on a naive time).
    Converted once here, through the microseconds since the epoch (a cast would go through the time-zone library,
    at twice the cost of the load). Same instants. `temporary`: a table of the connection (False: of its database
    file, as `prepared.prepare` stores it); `order_by`: a column of the table to store its rows in the order of."""
    path = directory / f"{name}.parquet"
    schema = pq.read_schema(path)
    columns = ", ".join(
        f'make_timestamp(epoch_us("{c}")) AS "{c}"'
        if pa.types.is_timestamp(schema.field(c).type) and schema.field(c).type.tz else f'"{c}"'
        for c in TWIN_COLUMNS[name]
    )  # fmt: skip
    types = ", ".join(f"'{t}'" for t in MESSAGE_TYPES)
    where = f" WHERE type IN ({types})" if name == "messages" else ""
    # Every name and literal here is one of this module's constants, none comes from input; the path is bound.
    kind = "TEMP TABLE" if temporary else "TABLE"
    if order_by is not None and order_by not in TWIN_COLUMNS[name]:
        raise ValueError(f"{name} has no column {order_by!r} the indicators read")
    order = f' ORDER BY "{order_by}"' if order_by else ""
    backend.con.execute(f'CREATE {kind} "twin_{name}" AS SELECT {columns} FROM read_parquet(?){where}{order}',  # noqa: S608
                        [str(path)])
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


def profile_tables(conditions: ir.Table, stay_diagnoses: ir.Table, traits: ir.Table,
                   gp_contacts: ir.Table) -> ProfileTables:
    return ProfileTables(
        conditions=_canonical(conditions, TWIN_COLUMNS["conditions"]),
        stay_diagnoses=_canonical(stay_diagnoses, ("stay_id", "code")), traits=_canonical(traits, TRAIT_COLUMNS),
        gp_contacts=_canonical(gp_contacts, TWIN_COLUMNS["gp_contacts"]),
    )


def twin_of(backend: Any, tables: dict[str, ir.Table], open_profile: Callable[[], ProfileTables],
            period: Period | None) -> Twin:
    chosen = {name: _canonical(tables[name], columns) for name, columns in TWIN_COLUMNS.items()
              if name not in PROFILE_TABLES}
    return Twin(backend=backend, open_profile=open_profile, period=period, **chosen)


def duckdb_twin(directory: Path, *, threads: int | None = None, in_memory: bool = True,
                prepared: bool = True) -> Twin:
    """DuckDB over the twin of `directory`: its prepared store when it has a current one (`prepared.py`; unless
    `prepared` is False), else its Parquet files — the tables every indicator reads loaded into DuckDB's memory
    once (the columns used); conditions and GP contacts, read only for the priority groups, read in place."""
    if prepared:
        from helsefellesskap.indicators.prepared import open_prepared

        # A current store vouches for the files: it was prepared from them after `check_twin_directory`, and they
        # are unchanged since (its manifest). Otherwise the files are checked as for any run on them.
        twin = open_prepared(directory, threads=threads)
        if twin is not None:
            return twin
    # No query here depends on row order without an ORDER BY (results are aggregates, sorted in `service`):
    # without insertion order DuckDB loads and aggregates in parallel without re-ordering (loading 2-3x faster).
    config: dict[str, Any] = {"preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    return _from_parquet(ibis.duckdb.connect(**config), directory, IN_MEMORY if in_memory else ())


def half_the_memory() -> str:
    """Half of this machine's physical memory, as Spark writes a size ("12g"; at least "1g")."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(total // 2 // 2**30, 1)}g"


def pyspark_twin(directory: Path, *, driver_memory: str | None = None) -> Twin:
    """Spark (local, all cores) over the Parquet files of `directory`. Needs the extra `spark` and a JDK.
    `driver_memory`: the memory of local Spark, which runs in its driver (default: half of the machine's; Spark's
    own 1g cannot broadcast the join tables of a national twin). Set when the process starts Spark; a Spark
    session already running keeps its own."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidInput("the pyspark engine needs the extra 'spark': pip install 'helsefellesskap[spark]'") from None
    check_twin_directory(directory)
    # Quiet unless something fails: local Spark binds to the loopback address (no warning about the host name),
    # logs errors only (spark-log4j2.properties), shows no progress bars; PySpark's warnings about the pandas
    # version are about parts of PySpark the engine does not use.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark(\.|$)")
    logging = Path(__file__).with_name("spark-log4j2.properties").as_uri()
    session = (
        SparkSession.builder.appName("helsefellesskap-indicators").master("local[*]")
        .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={logging}")
        .config("spark.sql.shuffle.partitions", "8").config("spark.driver.memory", driver_memory or half_the_memory())
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
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

    def open_profile() -> ProfileTables:
        return profile_tables(tables["conditions"], backend.table("twin_stay_diagnoses"), tables["persons"],
                              tables["gp_contacts"])

    return twin_of(backend, tables, open_profile, _loaded_period(backend))


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
