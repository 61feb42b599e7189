"""Kept rejected messages received again: a redelivery of a message that was kept without claiming its id (it
failed the message schema, or reused its sender's id for other content) is answered with the first receipt,
marked a duplicate, and not stored again, as a redelivery of an accepted message is (`ingest`, `batch`).

A kept rejected message is identified by who sent it and its SHA-256 (`MessageRow.sha256`: of the canonical JSON
of an id conflict, of the exact bytes of a message failing the schema):
- its sender, when the row names one: the message's `sender` (an id conflict), or the `sender` a message failing
  the schema claims where it is a non-empty string (the submitting principal was allowed to submit for it, as
  for a valid message, so any principal allowed to submit for that sender gets the first receipt back);
- otherwise (a message failing the schema whose `sender` is missing, empty or not a string) the submitting user
  (`submitted_by`): nothing tells whose message it is but who submitted it, so another user's same bytes are
  that user's own message, kept once for them.

No unique constraint guards these rows (none can: a sender may have many), so `lock` serialises two deliveries of
one rejected message before the lookup, which then sees what a concurrent delivery committed: on PostgreSQL a
transaction-scoped advisory lock per key; on SQLite the database's write lock, taken at once (SQLite begins a
transaction at its first write, so a lookup before any write would read outside one, and two deliveries at once
would both find nothing and both be kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Protocol

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from helsefellesskap.transitions.projection import lock_key
from helsefellesskap.transitions.store import MessageRow

RejectedKey = tuple[str, str, str]  # (sender or "", submitting user when no sender or "", sha256)
_CHUNK = 1000  # digests per IN list


class Kept(Protocol):
    @property
    def sender(self) -> str | None: ...
    @property
    def submitted_by(self) -> str: ...
    @property
    def sha256(self) -> str: ...


def rejected_key(row: Kept) -> RejectedKey:
    """Who sent a kept rejected message, and its SHA-256 (see the module's description)."""
    if row.sender is not None:
        return (row.sender, "", row.sha256)
    return ("", row.submitted_by, row.sha256)


def lock_keys(keys: Iterable[RejectedKey]) -> set[int]:
    """The advisory lock keys of rejected messages (apart from a patient's: another prefix)."""
    return {lock_key("rejected message\x1f" + "\x1f".join(key)) for key in keys}


def lock(session: Session, keys: Iterable[int], rejected: Iterable[RejectedKey] = ()) -> None:
    """Lock until the transaction ends. PostgreSQL: these advisory locks (`projection.lock_key`) and those of the
    `rejected` messages about to be looked up (`lock_keys`), in one statement, in key order (two transactions
    locking overlapping keys cannot deadlock). SQLite serialises writers: when rejected messages are to be looked
    up, this transaction takes the write lock now, with a write that changes nothing (see the module's
    description), so that the lookup sees every delivery committed before it and none commits meanwhile."""
    dialect = session.get_bind().dialect.name
    rejected = set(rejected)
    if dialect == "sqlite" and rejected:
        session.execute(text("UPDATE transition_messages SET sha256 = sha256 WHERE 0"))
    if dialect == "postgresql":
        ordered = sorted(set(keys) | lock_keys(rejected))
        if ordered:
            session.execute(
                text(
                    "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k "
                    "ORDER BY 1) AS ordered"
                ),
                {"keys": ordered},
            )


def first_kept(session: Session, row: Kept) -> MessageRow | None:
    """The first kept rejected message with the key of `row` (take its lock first)."""
    sender = MessageRow.sender == row.sender if row.sender is not None else (
        MessageRow.sender.is_(None) & (MessageRow.submitted_by == row.submitted_by))
    query = (select(MessageRow).where(sender, MessageRow.message_id.is_(None), MessageRow.sha256 == row.sha256)
             .order_by(MessageRow.seq).limit(1))
    return session.scalars(query).first()


def kept_rejections(session: Session, keys: set[RejectedKey]) -> dict[RejectedKey, MessageRow | SimpleNamespace]:
    """The first kept rejected message of each key, by key (a query per thousand digests; take the locks first).
    The sender (or its absence) narrows the search through the index of the unique (sender, message_id)."""
    found: dict[RejectedKey, MessageRow | SimpleNamespace] = {}
    digests = sorted({key[2] for key in keys})
    senders = sorted({key[0] for key in keys if key[0]})
    for start in range(0, len(digests), _CHUNK):
        query = (
            select(MessageRow)
            .where(or_(MessageRow.sender.in_(senders), MessageRow.sender.is_(None)),
                   MessageRow.message_id.is_(None), MessageRow.sha256.in_(digests[start : start + _CHUNK]))
            .order_by(MessageRow.seq)
        )
        for row in session.scalars(query):
            key = rejected_key(row)
            if key in keys:
                found.setdefault(key, row)
    return found
