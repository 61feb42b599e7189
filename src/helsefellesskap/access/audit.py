"""The audit log: an append-only hash chain of every access to person data, its queries and its verifier.

Each entry stores ``prev_hash`` (the hash of the entry before it, or 64 zeros for the first) and
``hash`` = sha256 of the canonical JSON of its own fields together with ``prev_hash``. The head table holds
the last sequence number and hash; every append locks it, so appends are serialised on PostgreSQL (a row
lock taken by ``UPDATE … RETURNING``) and on SQLite (the database write lock the same UPDATE takes).
Altering any field, removing an entry, or removing the newest entries is detected by ``verify``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import RowMapping, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from helsefellesskap.access.store import AuditEntryRow, AuditHeadRow

GENESIS_HASH = "0" * 64
HEAD_ID = 1


@dataclass(frozen=True)
class AuditRecord:
    """What one audit entry says: who, organisation, role, what, why, when, from where, and the outcome."""

    at: datetime
    user_id: str
    username: str
    display_name: str
    organisation_address: str | None
    role: str | None
    action: str
    resource: str
    national_id: str | None
    outcome: str  # "allowed" or "denied"
    basis_kind: str | None
    basis_reference: str | None
    reason: str
    source: str | None


def utc(moment: datetime) -> datetime:
    """The instant in UTC; a naive value (SQLite returns them) is read as UTC, the way it was stored."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


RECORD_FIELDS = tuple(AuditRecord.__dataclass_fields__)


def _canonical(seq: int, fields: Mapping[Any, Any], prev_hash: str) -> bytes:
    document = {name: fields[name] for name in RECORD_FIELDS}
    document["at"] = utc(fields["at"]).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    document["seq"] = seq
    document["prev_hash"] = prev_hash
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_json(seq: int, record: AuditRecord, prev_hash: str) -> bytes:
    """What an entry's hash covers: its fields (time in UTC to the microsecond), its seq and the previous hash,
    as JSON with sorted keys and no whitespace."""
    return _canonical(seq, asdict(record), prev_hash)


def entry_hash(seq: int, record: AuditRecord, prev_hash: str) -> str:
    return hashlib.sha256(canonical_json(seq, record, prev_hash)).hexdigest()


# Statements built once (Core, on the tables): an append is three statements whatever the number of entries.
_ENTRIES = cast(Table, AuditEntryRow.__table__)
_HEAD = cast(Table, AuditHeadRow.__table__)
_BUMP_HEAD = (update(_HEAD).where(_HEAD.c.id == HEAD_ID)
              .values(seq=_HEAD.c.seq + bindparam("count")).returning(_HEAD.c.seq, _HEAD.c.hash))
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(hash=bindparam("new_hash"))
_INSERT_ENTRY = insert(_ENTRIES)


def _lock_head(session: Session, count: int) -> tuple[int, str]:
    """Take the chain head for this transaction and reserve `count` entries: returns (the first new entry's
    seq, the hash of the entry before it)."""
    row = session.execute(_BUMP_HEAD, {"count": count}).first()
    if row is None:
        upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(upsert(_HEAD).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing())
        row = session.execute(_BUMP_HEAD, {"count": count}).one()
    return int(row[0]) - count + 1, str(row[1])


@dataclass(frozen=True)
class Appended:
    seq: int
    hash: str


def append(session: Session, record: AuditRecord) -> Appended:
    """Append one entry to the chain in the caller's transaction (so it commits or rolls back with the access)."""
    return append_many(session, [record])[0]


def append_many(session: Session, records: Sequence[AuditRecord]) -> list[Appended]:
    """Append entries in this order, chained one to the next exactly as one `append` each would, with three
    statements in all (reserve the seqs at the head, insert the entries as one executemany, move the head's
    hash): a board audits every person it shows, a batch of messages every message."""
    if not records:
        return []
    seq, prev_hash = _lock_head(session, len(records))
    rows: list[dict[str, Any]] = []
    appended: list[Appended] = []
    for record in records:
        fields = {name: getattr(record, name) for name in RECORD_FIELDS}  # (asdict deep-copies: slow)
        fields["at"] = utc(record.at)
        digest = hashlib.sha256(_canonical(seq, fields, prev_hash)).hexdigest()
        rows.append({**fields, "seq": seq, "prev_hash": prev_hash, "hash": digest})
        appended.append(Appended(seq, digest))
        seq, prev_hash = seq + 1, digest
    session.execute(_INSERT_ENTRY, rows)
    session.execute(_SET_HEAD_HASH, {"new_hash": prev_hash})
    return appended


def record_of(row: AuditEntryRow) -> AuditRecord:
    return AuditRecord(
        at=utc(row.at), user_id=row.user_id, username=row.username, display_name=row.display_name,
        organisation_address=row.organisation_address, role=row.role, action=row.action, resource=row.resource,
        national_id=row.national_id, outcome=row.outcome, basis_kind=row.basis_kind,
        basis_reference=row.basis_reference, reason=row.reason, source=row.source,
    )


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None


def _entries(session: Session) -> Iterator[RowMapping]:
    stmt = select(_ENTRIES).order_by(_ENTRIES.c.seq).execution_options(yield_per=1000)
    yield from session.execute(stmt).mappings()


def verify(session: Session) -> Verification:
    """Walk the whole chain and report the first entry that is altered, missing or out of place."""
    prev_hash, expected_seq = GENESIS_HASH, 1
    for row in _entries(session):
        seq = row["seq"]
        if seq != expected_seq:
            return Verification(False, expected_seq - 1, prev_hash, expected_seq,
                                f"entry {expected_seq} is missing (next entry found is {seq})")
        if row["prev_hash"] != prev_hash:
            return Verification(False, expected_seq - 1, prev_hash, seq,
                                f"entry {seq} does not link to the entry before it")
        if hashlib.sha256(_canonical(seq, row, prev_hash)).hexdigest() != row["hash"]:
            return Verification(False, expected_seq - 1, prev_hash, seq, f"entry {seq} has been altered")
        prev_hash, expected_seq = row["hash"], expected_seq + 1
    count = expected_seq - 1
    head = session.get(AuditHeadRow, HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != count or head_hash != prev_hash:
        return Verification(False, count, prev_hash, count + 1,
                            f"entry {count + 1} is missing: the chain head records {head_seq} entries, found {count}")
    return Verification(True, count, prev_hash)


@dataclass(frozen=True)
class AuditFilter:
    person: str | None = None
    user: str | None = None  # user id or username
    organisation: str | None = None
    emergency: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000


def query(session: Session, criteria: AuditFilter) -> list[AuditEntryRow]:
    """Compliance query: the newest entries first, filtered by person, user, organisation, emergency basis."""
    stmt = select(AuditEntryRow)
    if criteria.person is not None:
        stmt = stmt.where(AuditEntryRow.national_id == criteria.person)
    if criteria.user is not None:
        stmt = stmt.where((AuditEntryRow.user_id == criteria.user) | (AuditEntryRow.username == criteria.user))
    if criteria.organisation is not None:
        stmt = stmt.where(AuditEntryRow.organisation_address == criteria.organisation)
    if criteria.emergency is True:
        stmt = stmt.where(AuditEntryRow.basis_kind == "emergency")
    elif criteria.emergency is False:
        stmt = stmt.where((AuditEntryRow.basis_kind != "emergency") | AuditEntryRow.basis_kind.is_(None))
    if criteria.since is not None:
        stmt = stmt.where(AuditEntryRow.at >= utc(criteria.since))
    if criteria.until is not None:
        stmt = stmt.where(AuditEntryRow.at < utc(criteria.until))
    stmt = stmt.order_by(AuditEntryRow.seq.desc()).limit(criteria.limit)
    return list(session.scalars(stmt))
