"""Bulk-load a twin directory into the platform database's `twin_*` tables: Parquet read in batches with pyarrow,
written with PostgreSQL COPY (psycopg) or SQLAlchemy Core executemany (SQLite), and the period its run.json
records into `twin_period`. One transaction; a previously loaded twin is replaced, so loading is idempotent. Each
load records a new identifier in `twin_load`: results cached for the twin before it are no longer served."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.orm import Session

from helsefellesskap.errors import InvalidInput
from helsefellesskap.indicators.engines import check_twin_directory, recorded_period
from helsefellesskap.indicators.store import TWIN_TABLES, TwinLoadRow, TwinPeriodRow

BATCH_ROWS = 50_000
ROW_ID_TABLES = ("conditions", "gp_contacts")  # no natural key: numbered in file order
LOAD_LOCK = 0x7477696E  # the PostgreSQL advisory lock that serialises loads ("twin")


def _columns(table: Table) -> list[str]:
    return [c.name for c in table.columns]


def _batches(directory: Path, name: str, table: Table) -> Iterator[pa.RecordBatch]:
    if name == "stay_diagnoses":
        yield from _diagnosis_batches(directory)
        return
    columns = [c for c in _columns(table) if c != "row_id"]
    first_row = 0
    for batch in pq.ParquetFile(directory / f"{name}.parquet").iter_batches(BATCH_ROWS, columns=columns):
        if name in ROW_ID_TABLES:
            batch = pa.RecordBatch.from_arrays(
                [pa.array(range(first_row, first_row + batch.num_rows), pa.int64()), *batch.columns],
                names=["row_id", *batch.schema.names],
            )
            first_row += batch.num_rows
        yield batch


def _diagnosis_batches(directory: Path) -> Iterator[pa.RecordBatch]:
    """stays.diagnoses (a list per stay) as rows (stay_id, position, code)."""
    for batch in pq.ParquetFile(directory / "stays.parquet").iter_batches(BATCH_ROWS, columns=["stay_id", "diagnoses"]):
        lists = batch.column("diagnoses")
        parents = pc.list_parent_indices(lists)
        offsets = pc.subtract(pa.array(lists.offsets.to_numpy()[:-1]), pa.scalar(0, lists.offsets.type))
        starts = pc.take(offsets, parents)
        positions = pc.subtract(pa.array(range(len(parents)), pa.int64()), starts.cast(pa.int64()))
        yield pa.RecordBatch.from_arrays(
            [pc.take(batch.column("stay_id"), parents), positions.cast(pa.int32()), pc.list_flatten(lists)],
            names=["stay_id", "position", "code"],
        )


def _copy_postgres(session: Session, table: Table, batches: Iterator[pa.RecordBatch]) -> int:
    raw: Any = session.connection().connection.driver_connection
    names = _columns(table)
    quoted = ", ".join(f'"{n}"' for n in names)
    count = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for batch in batches:
            columns = [batch.column(n).to_pylist() for n in names]
            for row in zip(*columns, strict=True):
                copy.write_row(row)
            count += batch.num_rows
    return count


def _insert_many(session: Session, table: Table, batches: Iterator[pa.RecordBatch]) -> int:
    names = _columns(table)
    count = 0
    for batch in batches:
        rows = batch.select(names).to_pylist()
        if rows:
            session.execute(table.insert(), rows)
        count += batch.num_rows
    return count


def load_twin_tables(session: Session, directory: Path) -> dict[str, int]:
    """Replace the loaded twin with the one in `directory` inside the session's transaction; rows per table."""
    check_twin_directory(directory)
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        # Gone when the command ends, and the indicators' sqlite engine reads only a file (engines.database_backend).
        raise InvalidInput("a twin cannot be loaded into an in-memory SQLite database: give a database file")
    period = recorded_period(directory)
    if session.get_bind().dialect.name == "postgresql":
        # Loads one at a time: a second load's DELETE would miss what the first inserts while it waits (two load ids,
        # or its COPY refused on their keys). Held to the end of the transaction; SQLite has one writer anyway.
        session.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK)))
    session.execute(delete(TwinLoadRow))
    session.execute(insert(TwinLoadRow).values(load_id=uuid.uuid4().hex))
    session.execute(delete(TwinPeriodRow))
    for table in reversed(TWIN_TABLES.values()):
        session.execute(delete(table))
    if period is not None:
        session.execute(insert(TwinPeriodRow).values(start=period.start, end=period.end))
    postgres = session.get_bind().dialect.name == "postgresql"
    refused = _refused_rows(postgres)
    counts: dict[str, int] = {}
    for name, table in TWIN_TABLES.items():
        batches = _batches(directory, name, table)
        try:
            counts[name] = (
                _copy_postgres(session, table, batches) if postgres else _insert_many(session, table, batches)
            )
        except refused as error:  # the transaction is rolled back: the twin loaded before stays
            source = "stays" if name == "stay_diagnoses" else name
            cause = getattr(error, "orig", None) or error
            raise InvalidInput(
                f"{directory / source}.parquet cannot be loaded into {table.name}: {_first_line(cause)}"
            ) from None
    return counts


def _refused_rows(postgres: bool) -> tuple[type[Exception], ...]:
    """The errors of a row the database refuses (a duplicate key, a missing value, a value too long): the data's
    fault, not the program's. COPY raises psycopg's own; SQLAlchemy wraps the driver's."""
    if postgres:
        import psycopg

        return psycopg.IntegrityError, psycopg.DataError
    return sqlalchemy_exc.IntegrityError, sqlalchemy_exc.DataError


def _first_line(error: object) -> str:
    return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
