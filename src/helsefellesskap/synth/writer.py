"""Writes the twin's tables chunk by chunk: one Parquet file per table (a row group per chunk), and optionally
`messages.jsonl` in exactly the contract's JSON (times with the Europe/Oslo UTC offset).

`messages.parquet` is clustered by message type (types in name order, each in the order generated): a reader that
wants a few types — the indicators read three of eight, 15 % of the rows — skips the other row groups by their
statistics instead of decoding every message. Each chunk's messages go to a temporary file per type, joined in
type order when the writer closes: memory stays bounded by a chunk. `messages.jsonl` keeps the generated order."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helsefellesskap.synth.messages import COMMON_FIELDS, CONTRACT_FIELDS, OPTIONAL_FIELDS
from helsefellesskap.synth.tables import SCHEMAS

OSLO = ZoneInfo("Europe/Oslo")
MESSAGE_ROW_GROUP = 65_536  # rows per row group of messages.parquet at most (each of one type)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(OSLO).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def contract_message(row: dict[str, Any]) -> dict[str, Any]:
    """A messages-table row as the contract's JSON object: the common fields and the type's own fields only."""
    names = COMMON_FIELDS + CONTRACT_FIELDS[row["type"]]
    message = {name: _json_value(row[name]) for name in names}
    message.update({name: row[name] for name in OPTIONAL_FIELDS.get(row["type"], ()) if row[name] is not None})
    return message


def contract_lines(table: pa.Table) -> list[str]:
    """The messages as contract JSON lines, in the table's order — vectorised `contract_message`."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    times = [name for name, kind in frame.schema.items() if isinstance(kind, pl.Datetime)]
    frame = frame.with_row_index("row").with_columns(
        *(pl.col(name).dt.convert_time_zone("Europe/Oslo").dt.strftime("%Y-%m-%dT%H:%M:%S%:z") for name in times),
        pl.col("expected_discharge").dt.strftime("%Y-%m-%d"),
    )
    parts = []
    for kind, fields in CONTRACT_FIELDS.items():
        rows = frame.filter(pl.col("type") == kind)
        optional = OPTIONAL_FIELDS.get(kind, ())
        groups = [(rows.filter(pl.all_horizontal(pl.col(o).is_not_null() for o in optional)), optional),
                  (rows.filter(pl.any_horizontal(pl.col(o).is_null() for o in optional)), ())] if optional else [
                  (rows, ())]  # fmt: skip
        for group, extra in groups:
            names = [*COMMON_FIELDS, *fields, *extra]
            parts.append(group.select("row", pl.struct(names).struct.json_encode().alias("line")))
    lines = pl.concat(parts).sort("row")["line"]
    return lines.to_list()


def _parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(path, schema, compression="zstd")


class TwinWriter:
    def __init__(self, out: Path, *, jsonl: bool = False) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._by_type: dict[str, pq.ParquetWriter] = {}  # messages: a temporary file per type (`_join_messages`)
        self._closed = False
        self._jsonl: TextIO | None = (out / "messages.jsonl").open("w", encoding="utf-8") if jsonl else None
        self.rows: dict[str, int] = dict.fromkeys(SCHEMAS, 0)

    def write_run(self, run: dict[str, Any]) -> None:
        """`run.json`: the arguments of the run (no clock time, so the output stays deterministic)."""
        (self.out / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def write(self, name: str, table: pa.Table) -> None:
        schema = SCHEMAS[name]
        table = table.cast(schema)
        if name == "messages":
            self._write_by_type(table)
        else:
            if name not in self._writers:
                self._writers[name] = _parquet_writer(self.out / f"{name}.parquet", schema)
            self._writers[name].write_table(table)
        self.rows[name] += table.num_rows
        if name == "messages" and self._jsonl is not None:
            lines = contract_lines(table)
            self._jsonl.write("\n".join(lines) + "\n" if lines else "")

    def _type_file(self, kind: str) -> Path:
        return self.out / f".messages-{kind}.parquet.tmp"

    def _write_by_type(self, table: pa.Table) -> None:
        types = table.column("type")
        if types.null_count:  # every generated message has a type; one without would be lost from its file
            raise ValueError(f"{types.null_count} generated messages have no type")
        for kind in sorted(pc.unique(types).to_pylist()):
            if kind not in self._by_type:
                self._by_type[kind] = _parquet_writer(self._type_file(kind), SCHEMAS["messages"])
            self._by_type[kind].write_table(table.filter(pc.equal(types, kind)))

    def _join_messages(self) -> None:
        """messages.parquet: the temporary file of each type in type order, read back batch by batch."""
        with _parquet_writer(self.out / "messages.parquet", SCHEMAS["messages"]) as writer:
            for kind in sorted(self._by_type):
                self._by_type[kind].close()
                for batch in pq.ParquetFile(self._type_file(kind)).iter_batches(MESSAGE_ROW_GROUP):
                    writer.write_batch(batch)
                self._type_file(kind).unlink()
        self._by_type.clear()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._join_messages()
        for name, schema in SCHEMAS.items():
            if name not in self._writers and name != "messages":  # every table exists, possibly empty
                self._writers[name] = _parquet_writer(self.out / f"{name}.parquet", schema)
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None

    def __enter__(self) -> TwinWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
