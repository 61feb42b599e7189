"""Receiving many messages in one unit of work (`receive_messages`), and re-evaluating stays as of now without a
message (`refresh_stays`).

`receive_messages` has the results of calling `ingest.receive_message` for each message in turn, in one
transaction with the same `now`: the same receipts, stored messages (receipt and pathway status), stay rows,
obligations, payable months and alerts (also an alert one message raises and a later one in the batch resolves),
care relations and audit entries (one per message, in order, in the hash chain). What differs is the cost: the
stored messages, stay rows and alert rows the batch touches are read in a few queries and parsed once; each
message's refold is then computed in memory with the same pure fold and evaluation
(`projection.evaluate_stays`) and the same projection (`projection.project`, `projection.write_alerts`) on the
loaded rows; what is left at the end is written once — new messages, the stays' rows and alerts through one
flush, obligations and payable months as one DELETE and one multi-row INSERT each, care relations with one query,
the audit entries with one INSERT. Those rows, in memory for one unit of work, are `working_set.WorkingSet`.

Across batches (a day's messages each, as the demo feeds a year): a refold folds and evaluates all of the
patient's stays, so later in a year each message of a patient with a history would fold, evaluate and project
its earlier stays again. Folds are kept by the stay's stored messages (their SHA-256, in order: a fold is a pure
function of them), an evaluation that no longer changes with the clock (`replay.settled_at`) by its inputs
(`settled.py`) and a stay's last projection by its result (`fold_cache.py`); what the refold then compares with
the stored fingerprint, and writes when it differs, is the same. The cyclic garbage collector waits until the
batch is received (it would rescan those caches over and over).

Messages are identified by sender and id (an id is its sender's own: another sender's message with the same id
is another message). A concurrent request that stores one of the batch's messages (a sender's id) first makes
`receive_messages` fail with `Conflict` (the caller's unit of work rolls back). `receive_batch` owns its unit of
work and then receives the whole batch again: that message is a duplicate the second time, as a redelivery is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.errors import Conflict, DomainError, InvalidInput
from helsefellesskap.transitions import receipts as rc
from helsefellesskap.transitions import rejected as rejections
from helsefellesskap.transitions.ingest import (
    canonical,
    check_storable,
    message_bytes,
    receipt_view,
    rejected_message_row,
    row_values,
)
from helsefellesskap.transitions.messages import Message, parse_message
from helsefellesskap.transitions.pathway import ENDED
from helsefellesskap.transitions.projection import errors_json, lock_key, stored_key
from helsefellesskap.transitions.rates import DailyRates
from helsefellesskap.transitions.rates_service import effective_rates
from helsefellesskap.transitions.receipts import MessageKey, message_key
from helsefellesskap.transitions.rejected import RejectedKey, rejected_key
from helsefellesskap.transitions.replay import paused_gc
from helsefellesskap.transitions.rules import DEFAULT_RULES, TransitionRules
from helsefellesskap.transitions.store import MESSAGES, MessageRow, StayRow
from helsefellesskap.transitions.views import ReceiptView
from helsefellesskap.transitions.working_set import CHUNK, WorkingSet, chunks

Outcome = ReceiptView | DomainError  # a refused message: the error `receive_message` would have raised
Submission = tuple[Principal, dict[str, Any] | bytes]  # a message (parsed JSON or the bytes received) and its sender


def lock_patients(session: Session, patients: Iterable[str], rejected: Iterable[RejectedKey] = ()) -> None:
    """PostgreSQL: the advisory locks `projection.lock_patient` takes, for every patient of the batch, and those of
    the rejected messages it may keep (`rejected`), in one statement and in key order (two batches locking the same
    patients or rejected messages cannot deadlock)."""
    rejections.lock(session, {lock_key(patient) for patient in patients}, rejected)


def _rates(session: Session, rates: DailyRates | None) -> DailyRates:
    """The rates a refold uses: the shipped ones with an administrator's over them (`projection._refold`)."""
    return rates if rates is not None else effective_rates(session)


@dataclass
class _Received:
    """A valid message on its way through the batch."""

    index: int
    principal: Principal
    message: Message
    text: str = ""
    digest: str = ""


def receive_messages(
    session: Session,
    submissions: Sequence[Submission],
    *,
    now: dt.datetime,
    source: str | None = None,
    rules: TransitionRules = DEFAULT_RULES,
    rates: DailyRates | None = None,
) -> list[Outcome]:
    """Receive the messages in order, each as its principal (see the module's description): per message its
    receipt, or the error `receive_message` would have raised for it (nothing is stored for that one)."""
    session.flush()
    with session.no_autoflush, paused_gc():
        return _receive(session, submissions, now=now, source=source, rules=rules, rates=rates)


BATCH_ATTEMPTS = 3  # a batch received again after a concurrent request stored one of its ids (`receive_batch`)


def receive_batch(
    database: Database,
    submissions: Callable[[Session], Sequence[Submission]],
    *,
    now: dt.datetime,
    source: str | None = None,
    check: Callable[[list[Outcome]], None] | None = None,
    attempts: int = BATCH_ATTEMPTS,
) -> list[Outcome]:
    """`receive_messages` in a unit of work of its own, committed when `check` (given the outcomes, inside the
    transaction) raises nothing. `submissions` gives the batch within the session (the principals are read
    there). When another request stores one of the batch's message ids first, the unit of work is rolled back
    whole and the batch received again: that message is then a duplicate, and no message is lost."""
    for attempt in range(1, attempts + 1):
        try:
            with database.unit_of_work() as session:
                outcomes = receive_messages(session, submissions(session), now=now, source=source)
                if check is not None:
                    check(outcomes)
                return outcomes
        except Conflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _receive(
    session: Session,
    submissions: Sequence[tuple[Principal, dict[str, Any] | bytes]],
    *,
    now: dt.datetime,
    source: str | None,
    rules: TransitionRules,
    rates: DailyRates | None,
) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(submissions)
    new_rows: dict[int, SimpleNamespace] = {}  # by submission index: every row to store, in order
    invalid: dict[int, SimpleNamespace] = {}  # by submission index: the rows of messages failing the schema
    received: list[_Received] = []
    for index, (principal, payload) in enumerate(submissions):
        try:
            data = message_bytes(payload)
            check_storable(data)
        except InvalidInput as refused:
            outcomes[index] = refused
            continue
        try:
            message = parse_message(data)
        except ValidationError as error:
            try:
                schema_failure = rejected_message_row(session, principal, data, error, now=now)
            except DomainError as refused:
                outcomes[index] = refused
            else:
                invalid[index] = SimpleNamespace(
                    **{column.key: getattr(schema_failure, column.key) for column in MESSAGES.columns
                       if column.key != "seq"}
                )
            continue
        received.append(_Received(index, principal, message))
    bases = access.authorize_submissions(
        session,
        [(r.principal, r.message.sender, r.message.patient, r.message.id) for r in received],
        now=now,
        source=source,
    )
    allowed = []
    for item, basis in zip(received, bases, strict=True):
        if isinstance(basis, DomainError):
            outcomes[item.index] = basis
        else:
            item.text, item.digest = canonical(item.message)
            allowed.append(item)
    stored = _stored_messages(session, {message_key(item.message) for item in allowed})
    claims: dict[MessageKey, _Received] = {}  # the first message of each sender's id, unless stored already
    for item in allowed:
        key = message_key(item.message)
        if key not in stored and key not in claims:
            claims[key] = item
    conflicts = _conflicts(allowed, stored, claims)
    store = WorkingSet(session, now, rules, _rates(session, rates))
    patients = {item.message.patient for item in claims.values()}
    rejected = conflicts | {rejected_key(row) for row in invalid.values()}
    lock_patients(session, patients, rejected)
    kept = rejections.kept_rejections(session, rejected) if rejected else {}
    store.load(patients, {item.message.stay_id for item in claims.values()})
    for index, row in invalid.items():
        outcomes[index] = _keep_once(kept, new_rows, index, row)
    for item in allowed:
        message, key = item.message, message_key(item.message)
        first = stored.get(key)
        if first is None and claims[key] is item:  # new: claim the sender's id, refold
            row = SimpleNamespace(**row_values(item.principal, message, item.text, item.digest, now))
            stored[key] = new_rows[item.index] = row
            store.add(row, message)
            receipt = store.refold(message.patient, message.stay_id, message.type).get(key) or rc.ok(message)
            row.receipt_status, row.receipt_errors = str(receipt.status), errors_json(receipt)
            row.pathway_status, row.pathway_errors = row.receipt_status, row.receipt_errors
            outcomes[item.index] = receipt_view(row)
            continue
        first = stored[key]
        if first.sha256 == item.digest:  # a redelivery: the first receipt again
            outcomes[item.index] = receipt_view(first, duplicate=True)
            continue
        # The same sender used this id before for another message (its own id: the first message stands).
        row = SimpleNamespace(**row_values(item.principal, message, item.text, item.digest, now))
        conflict = rc.id_conflict(message)
        row.message_id = None
        row.receipt_status = row.pathway_status = str(conflict.status)
        row.receipt_errors = row.pathway_errors = errors_json(conflict)
        outcomes[item.index] = _keep_once(kept, new_rows, item.index, row)
    store.write([new_rows[index] for index in sorted(new_rows)])
    return [cast(Outcome, outcome) for outcome in outcomes]


def _conflicts(
    allowed: list[_Received],
    stored: dict[MessageKey, MessageRow | SimpleNamespace],
    claims: dict[MessageKey, _Received],
) -> set[RejectedKey]:
    """The rejected keys of the messages that reuse their sender's id for other content than the first message
    with it (stored, or claimed earlier in the batch): each is kept once, as an id conflict."""
    conflicts: set[RejectedKey] = set()
    for item in allowed:
        key = message_key(item.message)
        first = stored.get(key)
        if (first.sha256 if first is not None else claims[key].digest) != item.digest:
            conflicts.add((item.message.sender, "", item.digest))
    return conflicts


def _keep_once(
    kept: dict[RejectedKey, MessageRow | SimpleNamespace], new_rows: dict[int, SimpleNamespace], index: int,
    row: SimpleNamespace,
) -> ReceiptView:
    """A rejected message claiming no id, stored unless its sender sent it before (stored, or earlier in the
    batch): then the first receipt again, as a duplicate (`ingest._keep_once`)."""
    key = rejected_key(row)
    first = kept.get(key)
    if first is not None:
        return receipt_view(first, duplicate=True)
    kept[key] = new_rows[index] = row
    return receipt_view(row)


def _stored_messages(session: Session, keys: set[MessageKey]) -> dict[MessageKey, MessageRow | SimpleNamespace]:
    """The stored messages with these (sender, id) keys, by key (the unique constraint's columns, in chunks)."""
    stored: dict[MessageKey, MessageRow | SimpleNamespace] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK // 2):  # two parameters per key
        chunk = ordered[start : start + CHUNK // 2]
        query = select(MessageRow).where(tuple_(MessageRow.sender, MessageRow.message_id).in_(chunk))
        stored.update({stored_key(row): row for row in session.scalars(query) if row.message_id})
    return stored


def refresh_stays(
    session: Session, *, now: dt.datetime, rules: TransitionRules = DEFAULT_RULES, rates: DailyRates | None = None
) -> int:
    """Re-evaluate every stay not ended as of `now`, as the refold after a message of its patient would (payable
    days grow and deadlines pass while no message comes): the stays' rows, obligations, payable months and alerts
    are brought up to `now`. Returns how many stays' projections changed. No person data leaves the service, so
    nothing is audited (as for the refold a message causes)."""
    session.flush()
    open_stays = [
        (patient, stay_id)
        for stay_id, patient in session.execute(
            select(StayRow.stay_id, StayRow.patient)
            .where(StayRow.state.not_in([str(s) for s in ENDED]))
            .order_by(StayRow.patient, StayRow.stay_id)
        )
    ]
    return _refold_stays(session, open_stays, now=now, rules=rules, rates=rates)


def refold_stays(
    session: Session,
    stay_ids: Collection[str],
    *,
    now: dt.datetime,
    rules: TransitionRules = DEFAULT_RULES,
    rates: DailyRates | None = None,
) -> int:
    """Re-evaluate the given stays (ended or not) as a refold would, e.g. after a daily rate changed: every
    projection row, the fingerprint included, is then what the next message's refold would write. Returns how
    many stays' projections changed; nothing is audited (see `refresh_stays`)."""
    session.flush()
    stays: list[tuple[str, str]] = []
    for chunk in chunks(set(stay_ids)):
        stays.extend(
            (patient, stay_id)
            for stay_id, patient in session.execute(
                select(StayRow.stay_id, StayRow.patient).where(StayRow.stay_id.in_(chunk))
            )
        )
    return _refold_stays(session, sorted(stays, key=lambda s: (s[0] or "", s[1])), now=now, rules=rules, rates=rates)


def _refold_stays(
    session: Session,
    stays: list[tuple[str, str]],
    *,
    now: dt.datetime,
    rules: TransitionRules,
    rates: DailyRates | None,
) -> int:
    if not stays:
        return 0
    with session.no_autoflush:
        store = WorkingSet(session, now, rules, _rates(session, rates))
        patients = {patient for patient, _ in stays}
        lock_patients(session, patients)
        store.load(patients, {stay_id for _, stay_id in stays})
        for patient, stay_id in stays:
            store.refold(patient, stay_id, None)
        store.write([])
        return len(store.written)
