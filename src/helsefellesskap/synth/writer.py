"""Writes the twin's tables chunk by chunk: one Parquet file per table (a row group per chunk), and optionally
`messages.jsonl` in exactly the contract's JSON (times with the Europe/Oslo UTC offset)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from helsefellesskap.synth.messages import COMMON_FIELDS, CONTRACT_FIELDS, OPTIONAL_FIELDS
from helsefellesskap.synth.tables import SCHEMAS

OSLO = ZoneInfo("Europe/Oslo")


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


class TwinWriter:
    def __init__(self, out: Path, *, jsonl: bool = False) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._jsonl: TextIO | None = (out / "messages.jsonl").open("w", encoding="utf-8") if jsonl else None
        self.rows: dict[str, int] = dict.fromkeys(SCHEMAS, 0)

    def write_run(self, run: dict[str, Any]) -> None:
        """`run.json`: the arguments of the run (no clock time, so the output stays deterministic)."""
        (self.out / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def write(self, name: str, table: pa.Table) -> None:
        schema = SCHEMAS[name]
        table = table.cast(schema)
        if name not in self._writers:
            self._writers[name] = pq.ParquetWriter(self.out / f"{name}.parquet", schema, compression="zstd")
        self._writers[name].write_table(table)
        self.rows[name] += table.num_rows
        if name == "messages" and self._jsonl is not None:
            lines = contract_lines(table)
            self._jsonl.write("\n".join(lines) + "\n" if lines else "")

    def close(self) -> None:
        for name, schema in SCHEMAS.items():
            if name not in self._writers:  # every table exists, possibly empty
                self._writers[name] = pq.ParquetWriter(self.out / f"{name}.parquet", schema, compression="zstd")
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
