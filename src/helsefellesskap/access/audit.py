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
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
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


def canonical_json(seq: int, record: AuditRecord, prev_hash: str) -> bytes:
    fields = asdict(record)
    fields["at"] = utc(record.at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields["seq"] = seq
    fields["prev_hash"] = prev_hash
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(seq: int, record: AuditRecord, prev_hash: str) -> str:
    return hashlib.sha256(canonical_json(seq, record, prev_hash)).hexdigest()


def _lock_head(session: Session) -> tuple[int, str]:
    """Take the chain head for this transaction: returns (the new entry's seq, the previous hash)."""
    bump = (
        update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)
        .values(seq=AuditHeadRow.seq + 1).returning(AuditHeadRow.seq, AuditHeadRow.hash)
    )
    row = session.execute(bump).first()
    if row is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(AuditHeadRow).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing()
        )
        row = session.execute(bump).one()
    return int(row[0]), str(row[1])


def append(session: Session, record: AuditRecord) -> AuditEntryRow:
    """Append one entry to the chain in the caller's transaction (so it commits or rolls back with the access)."""
    record = AuditRecord(**{**asdict(record), "at": utc(record.at)})
    seq, prev_hash = _lock_head(session)
    digest = entry_hash(seq, record, prev_hash)
    row = AuditEntryRow(seq=seq, prev_hash=prev_hash, hash=digest, **asdict(record))
    session.add(row)
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).values(hash=digest))
    session.flush()
    return row


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


def _entries(session: Session) -> Iterator[AuditEntryRow]:
    yield from session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq).execution_options(yield_per=1000))


def verify(session: Session) -> Verification:
    """Walk the whole chain and report the first entry that is altered, missing or out of place."""
    prev_hash, expected_seq = GENESIS_HASH, 1
    for row in _entries(session):
        if row.seq != expected_seq:
            return Verification(False, expected_seq - 1, prev_hash, expected_seq,
                                f"entry {expected_seq} is missing (next entry found is {row.seq})")
        if row.prev_hash != prev_hash:
            return Verification(False, expected_seq - 1, prev_hash, row.seq,
                                f"entry {row.seq} does not link to the entry before it")
        if entry_hash(row.seq, record_of(row), row.prev_hash) != row.hash:
            return Verification(False, expected_seq - 1, prev_hash, row.seq, f"entry {row.seq} has been altered")
        prev_hash, expected_seq = row.hash, expected_seq + 1
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
