"""What a twin directory must hold for the indicators and `load-twin` to read it: a Parquet file per table with the
columns they read, each of the right kind (docs/synth.md). Checked from the files' footers before anything is
read, so a file from elsewhere — a renamed column, dates written as text, a file that is not Parquet — is refused
naming the file and the column, instead of failing deep inside a query or half-way through a load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from helsefellesskap.errors import InvalidInput


def _is_text(kind: pa.DataType) -> bool:
    """Text in any of Arrow's layouts, also dictionary-encoded (as pandas writes a categorical column): every engine
    and the loader read them all as strings."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind))


def _is_codes(kind: pa.DataType) -> bool:
    return bool((pa.types.is_list(kind) or pa.types.is_large_list(kind)) and _is_text(kind.value_type))


# The kinds of column a twin table holds, by what a user would call them in an error.
KINDS: dict[str, Callable[[pa.DataType], bool]] = {
    "text": _is_text,
    "integer": pa.types.is_integer,
    "boolean": pa.types.is_boolean,
    "date": pa.types.is_date,
    "timestamp": pa.types.is_timestamp,
    "list of text": _is_codes,
}

# Per table, every column the indicators (engines.TWIN_COLUMNS, the priority groups' sex and diagnosis lists) or
# `load-twin` (the twin_* tables of store.py) read, and its kind. Other columns may be there and are not read.
REQUIRED: dict[str, dict[str, str]] = {
    "municipalities": {"municipality": "text", "community": "text", "population": "integer"},
    "persons": {"person_id": "integer", "birth_date": "date", "sex": "text", "municipality": "text",
                "community": "text"},
    "conditions": {"person_id": "integer", "code": "text", "onset_date": "date"},
    "stays": {"stay_id": "text", "person_id": "integer", "municipality": "text", "service": "text",
              "acute": "boolean", "admitted_at": "timestamp", "ready_at": "timestamp", "withdrawn_at": "timestamp",
              "ready_again_at": "timestamp", "discharged_at": "timestamp", "destination": "text",
              "primary_diagnosis": "text", "diagnoses": "list of text"},
    "messages": {"id": "text", "type": "text", "stay_id": "text", "sent_at": "timestamp", "can_receive": "boolean"},
    "services": {"service_id": "text", "person_id": "integer", "municipality": "text", "kind": "text",
                 "start": "date", "end": "date", "origin": "text", "stay_id": "text"},
    "gp_contacts": {"person_id": "integer", "contact_date": "date", "icpc2": "text"},
    "deaths": {"person_id": "integer", "died_on": "date"},
}  # fmt: skip


def check_twin_files(directory: Path) -> None:
    """InvalidInput, naming the file and what is wrong, unless every table of `directory` is a Parquet file with
    the columns of `REQUIRED`, each of its kind."""
    for name, columns in REQUIRED.items():
        path = directory / f"{name}.parquet"
        if not path.is_file():
            raise InvalidInput(f"{directory} is not a twin directory: missing {path.name}")
        try:
            schema = pq.read_schema(path)
        except pa.ArrowInvalid:
            raise InvalidInput(f"{path} is not a Parquet file") from None
        except OSError as error:
            raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None
        for column, kind in columns.items():
            index = schema.get_field_index(column)
            if index < 0:
                raise InvalidInput(f"{path} has no column {column!r}: not a table of a twin (docs/synth.md)")
            found = schema.field(index).type
            if not KINDS[kind](found):
                raise InvalidInput(f"{path}: column {column!r} holds {found}, not {kind} (docs/synth.md)")
