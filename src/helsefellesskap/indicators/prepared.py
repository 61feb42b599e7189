"""A prepared twin: the twin's tables in DuckDB's own storage, with what every run would otherwise recompute.

Reading a twin's Parquet files costs every run about as much as DuckDB's bare scan of them (decompressing and
decoding the columns into memory), and the sub-expressions the indicators share — the transition events with
their window, the payable days, the stays with their patients' birth dates — cost as much again, though none of
it changes until the twin does. `prepare` does that work once, as a warehouse loads an extract, into one file
beside the Parquet files (`indicators.duckdb`):

- the columns the indicators and the priority groups read (`engines.TWIN_COLUMNS`, `TRAIT_COLUMNS`, the stays'
  diagnoses), as `engines.duckdb_twin` loads them, in DuckDB's own compressed columns;
- the shared sub-expressions (`expressions.SHARED`), each the same for every period, computed by the very Ibis
  expressions a run on Parquet computes;
- the first and last admission days (which the ages at admission are computed over);
- every classified diagnosis code of every person (`groups.person_codes`), whatever the day;
- the priority groups, and the residents counted by municipality and priority groups, as of the reference dates
  of the periods runs ask for most (`_references`): the last day of the recorded period and of each of its last
  twelve months, and of the dashboard's twelve months. A run over a period that ends on another day classifies
  its persons from the stored codes;
- a manifest: the store's format and each source file's size and modification time. A store whose manifest does
  not match the directory (a file regenerated, replaced, touched) or of another format is *stale*: it is not
  read, and the twin is read from its Parquet files until it is prepared again.

`open_prepared` opens the store read-only: several processes can read it at once, and `prepare` writes a new
store under a temporary name and moves it into place, so a reader never sees half a store. The results are the
same as from the Parquet files: the same expressions run on the same values (tested).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from helsefellesskap.errors import InvalidInput
from helsefellesskap.indicators import engines
from helsefellesskap.indicators.engines import (
    IN_MEMORY,
    PROFILE_TABLES,
    TRAIT_COLUMNS,
    TWIN_COLUMNS,
    ProfileTables,
    Twin,
    check_twin_directory,
    recorded_period,
)
from helsefellesskap.indicators.model import Period, month_ends, twelve_months_through

STORE_NAME = "indicators.duckdb"
# The store's layout; a store of another format is stale (prepared by another version of the program).
FORMAT = 7
# The code whose results the store holds: the expressions, the priority groups, their code tables and rules. A
# store prepared by other code (a digest of these packages' files, `logic_digest`) is stale too, so a change to
# a rule is never answered from results computed by the rule before it.
LOGIC_PACKAGES = ("helsefellesskap.indicators", "helsefellesskap.priority_groups")
# Files of a twin directory whose change makes the store stale: every table the store holds, and run.json (the
# period, and with it the priority groups' reference dates).
SOURCE_FILES = (*(f"{name}.parquet" for name in TWIN_COLUMNS), "run.json")


@dataclass(frozen=True)
class Prepared:
    """What `prepare` wrote: the store, its size and what it holds."""

    path: Path
    bytes: int
    tables: tuple[str, ...]
    references: tuple[date, ...]  # the reference dates of the priority groups stored (`_references`), in order


def store_path(directory: Path) -> Path:
    return directory / STORE_NAME


@cache
def logic_digest() -> str:
    """SHA-256 of the files of `LOGIC_PACKAGES` (their code and data, in name order): what computed the store."""
    import importlib

    digest = hashlib.sha256()
    for package in LOGIC_PACKAGES:
        root = Path(importlib.import_module(package).__file__ or "").parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _connect(path: Path, *, read_only: bool, threads: int | None = None) -> Any:
    """An Ibis DuckDB connection to a store, configured alike wherever it is opened (DuckDB refuses a second
    connection to a file with another configuration in the same process). Anything a reader spills goes to this
    process's own directory, not beside the store (which may be read-only, and is shared by every reader)."""
    config: dict[str, Any] = {"preserve_insertion_order": False}
    if read_only:
        config["read_only"] = True
        config["temp_directory"] = str(Path(tempfile.gettempdir()) / f"helsefellesskap-duckdb-{os.getpid()}")
    if threads:
        config["threads"] = threads
    return ibis.duckdb.connect(str(path), **config)


def _manifest(directory: Path) -> list[tuple[str, int, int]]:
    """(file, size, modification time in ns) of each source file there is (run.json may be missing)."""
    found = []
    for name in SOURCE_FILES:
        path = directory / name
        if path.is_file():
            stat = path.stat()
            found.append((name, stat.st_size, stat.st_mtime_ns))
    return found


def prepare(directory: Path, *, threads: int | None = None) -> Prepared:
    """Write the prepared store of the twin in `directory` (replacing an earlier one): InvalidInput for a directory
    that is no twin or cannot be written."""
    check_twin_directory(directory)
    manifest = _manifest(directory)
    final = store_path(directory)
    temporary = directory / f".{STORE_NAME}.{uuid.uuid4().hex}.partial"
    try:
        temporary.touch()
        temporary.unlink()
    except OSError as error:
        raise InvalidInput(f"cannot write the prepared twin into {directory}: {error.strerror}") from None
    try:
        tables, references = _write(directory, temporary, manifest, threads)
        size = temporary.stat().st_size
        os.replace(temporary, final)
    except OSError as error:  # e.g. a directory where the store goes
        raise InvalidInput(f"cannot write the prepared twin {final}: {error.strerror or error}") from None
    except duckdb.Error as error:  # DuckDB failing to write its file: the disk full, say
        raise InvalidInput(f"cannot write the prepared twin {final}: {_first_line(error)}") from None
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):  # and DuckDB's log of it
            with contextlib.suppress(OSError):
                leftover.unlink()
    return Prepared(final, size, tables, tuple(references))


def _first_line(error: BaseException) -> str:
    return next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)


def _write(directory: Path, path: Path, manifest: list[tuple[str, int, int]],
           threads: int | None) -> tuple[tuple[str, ...], list[date]]:
    """Write the store to `path`: its tables and the reference dates of the priority groups it holds."""
    from helsefellesskap.indicators.expressions import SHARED, admission_days, group_residents
    from helsefellesskap.indicators.groups import group_masks, person_flags

    backend = _connect(path, read_only=False, threads=threads)
    try:
        for name in (*IN_MEMORY, *PROFILE_TABLES):
            # The persons by birth date: a run over the inhabitants of an age (born on or before a day) reads only
            # the blocks of rows born by then (DuckDB skips the others by their minimum and maximum).
            engines.load_into_duckdb(backend, directory, name, temporary=False,
                                     order_by="birth_date" if name == "persons" else None)
        _load_traits_and_diagnoses(backend, directory)
        twin = _twin(backend, recorded_period(directory))
        for name, (_, build) in SHARED.items():  # in order: a later one reads an earlier one, stored
            twin.shared[name] = backend.create_table(f"shared_{name}", build(twin))
        first, last = admission_days(twin)
        backend.create_table("prepared_admission_days", ibis.memtable(
            {"first": [first], "last": [last]}, schema={"first": "int64", "last": "int64"}))
        references = _references(twin)
        for reference in references:  # each classified from the stored codes (`groups.person_codes`)
            masks = group_masks(person_flags(twin, reference))
            stored = backend.create_table(f"groups_{reference:%Y%m%d}", masks)
            backend.create_table(f"residents_{reference:%Y%m%d}", group_residents(twin, stored))
        backend.create_table("prepared_manifest", ibis.memtable({
            "file": [m[0] for m in manifest], "size": [m[1] for m in manifest], "mtime_ns": [m[2] for m in manifest],
        }, schema={"file": "string", "size": "int64", "mtime_ns": "int64"}))  # fmt: skip
        backend.create_table("prepared_format", ibis.memtable(
            {"format": [FORMAT], "logic": [logic_digest()]}, schema={"format": "int64", "logic": "string"}))
        backend.con.execute("CHECKPOINT")
        return tuple(sorted(_table_names(backend))), references
    finally:
        backend.disconnect()


# The months at the end of the recorded period whose last days are reference dates of the store: the periods a
# user chooses end with a month (the indicators are monthly), most often within the latest year.
STORED_MONTHS = 12


def _references(twin: Twin) -> list[date]:
    """The reference dates whose priority groups the store holds: the last day of the recorded period (a run over
    the whole period) and of each of its last twelve months (a chosen period that ends with one of them), and the
    last day of the twelve months through the latest admission (the dashboard's period,
    `web/dashboard_figures.twelve_months`). Each costs about a second at scale 1.0 to prepare, and saves a run over
    such a period classifying 5.5 million persons."""
    days = set()
    if twin.period is not None:
        days.update(month_ends(twin.period)[-STORED_MONTHS:])
    latest = twin.backend.execute(twin.stays.admitted_at.max())
    if latest is not None and latest == latest:  # not null, not NaT
        days.add(twelve_months_through(latest).last_day)
    return sorted(days)


def _load_traits_and_diagnoses(backend: Any, directory: Path) -> None:
    """The persons as the priority groups read them (with sex) and every diagnosis of every stay, one row each."""
    persons, stays = str(directory / "persons.parquet"), str(directory / "stays.parquet")
    columns = ", ".join(f'"{c}"' for c in TRAIT_COLUMNS)
    # The names are this module's constants, the paths are bound.
    backend.con.execute(f"CREATE TABLE twin_traits AS SELECT {columns} FROM read_parquet(?)", [persons])  # noqa: S608
    backend.con.execute("CREATE TABLE twin_stay_diagnoses AS SELECT stay_id, unnest(diagnoses) AS code "
                        "FROM read_parquet(?)", [stays])


def _twin(backend: Any, period: Period | None) -> Twin:
    tables = {name: backend.table(f"twin_{name}") for name in IN_MEMORY}

    def open_profile() -> ProfileTables:
        return engines.profile_tables(backend.table("twin_conditions"), backend.table("twin_stay_diagnoses"),
                                      backend.table("twin_traits"), backend.table("twin_gp_contacts"))

    return engines.twin_of(backend, tables, open_profile, period)


def staleness(directory: Path) -> str | None:
    """Why the directory's prepared store cannot be read (missing, of another format, prepared from other files),
    None when it is current."""
    path = store_path(directory)
    if not path.is_file():
        return f"{path} does not exist"
    try:
        backend = _connect(path, read_only=True)
    except (duckdb.Error, OSError) as error:  # not a DuckDB file, locked by a writer, damaged: not read
        return f"{path} cannot be opened: {_first_line(error)}"
    try:
        return _stale(backend, directory)
    finally:
        backend.disconnect()


def _table_names(backend: Any) -> set[str]:
    """The tables of the store's database (not the connection's temporary ones)."""
    rows = backend.con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    return {row[0] for row in rows}


def _stale(backend: Any, directory: Path) -> str | None:
    try:
        return _stale_as_read(backend, directory)
    except duckdb.Error as error:  # a store whose own tables do not read: damaged, or not one of ours
        return f"{store_path(directory)} cannot be read: {_first_line(error)}"


def _stale_as_read(backend: Any, directory: Path) -> str | None:
    names = _table_names(backend)
    if not {"prepared_format", "prepared_manifest"} <= names:
        return f"{store_path(directory)} is not a prepared twin"
    [(found,)] = backend.con.execute("SELECT max(format) FROM prepared_format").fetchall()
    if found != FORMAT:
        return f"{store_path(directory)} was prepared by another version (format {found})"
    [(logic,)] = backend.con.execute("SELECT max(logic) FROM prepared_format").fetchall()
    if logic != logic_digest():
        return f"{store_path(directory)} was prepared by other indicator or priority-group code"
    stored = {tuple(row) for row in backend.con.execute(
        "SELECT file, size, mtime_ns FROM prepared_manifest").fetchall()}  # fmt: skip
    now = set(_manifest(directory))
    if stored != now:
        changed = sorted({row[0] for row in stored ^ now})
        return f"{store_path(directory)} was prepared from other files ({', '.join(changed)} changed since)"
    return None


class _StoredByDay(Mapping[date, ir.Table]):
    """The store's tables named a prefix and YYYYMMDD, by that day, each opened (its schema read) only when a run
    asks for it: a run reads the groups of one reference date at most, of the dozen the store holds."""

    def __init__(self, backend: Any, names: set[str], prefix: str) -> None:
        days = {name: name[len(prefix):] for name in names if name.startswith(prefix)}
        self._backend = backend
        self._names = {date(int(d[:4]), int(d[4:6]), int(d[6:])): name
                       for name, d in days.items() if d.isdigit() and len(d) == 8}
        self._opened: dict[date, ir.Table] = {}

    def __getitem__(self, day: date) -> ir.Table:
        if day not in self._opened:
            self._opened[day] = self._backend.table(self._names[day])  # KeyError: not stored
        return self._opened[day]

    def __iter__(self) -> Iterator[date]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def open_prepared(directory: Path, *, threads: int | None = None) -> Twin | None:
    """The twin of the directory's prepared store, read-only; None when there is no current store
    (`staleness` tells why)."""
    path = store_path(directory)
    if not directory.is_dir() or not path.is_file():
        return None
    try:
        backend = _connect(path, read_only=True, threads=threads)
    except (duckdb.Error, OSError):  # a store that does not open is not read (`staleness` says why)
        return None
    try:
        if _stale(backend, directory) is not None:
            backend.disconnect()
            return None
        names = _table_names(backend)
        twin = dataclasses.replace(_twin(backend, recorded_period(directory)), store=path,
                                   groups=_StoredByDay(backend, names, "groups_"),
                                   group_residents=_StoredByDay(backend, names, "residents_"))
        twin.shared.update({name[len("shared_"):]: backend.table(name) for name in names if name.startswith("shared_")})
        # fetchall: DuckDB holds a connection busy until its result is read to the end
        [(first, last)] = backend.con.execute('SELECT "first", "last" FROM prepared_admission_days').fetchall()
        twin.facts["admission_days"] = (int(first), int(last))
        return twin
    except BaseException:
        backend.disconnect()
        raise
