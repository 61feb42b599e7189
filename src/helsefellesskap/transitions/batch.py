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
the audit entries with one INSERT.

Across batches (a day's messages each, as the demo feeds a year): a refold folds and evaluates all of the
patient's stays, so later in a year each message of a patient with a history would fold, evaluate and project
its earlier stays again. Folds are kept by the stay's stored messages (their SHA-256, in order: a fold is a pure
function of them), an evaluation that no longer changes with the clock (`replay.settled_at`) by its inputs
(`settled.py`) and a stay's last projection by its result; what the refold then compares with the stored
fingerprint, and writes when it differs, is the same. The stays' rows are read as plain rows (only the ones a
batch creates are ORM objects), the alert rows of an ended stay without a message in the batch only when it is
written, care relations granted again within the batch are set once to their last period, and the cyclic
garbage collector waits until the batch is received (it would rescan the caches over and over).

A concurrent request that stores one of the batch's message ids first makes `receive_messages` fail with
`Conflict` (the caller's unit of work rolls back). `receive_batch` owns its unit of work and then receives the
whole batch again: that message is a duplicate the second time, as a redelivery is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.errors import Conflict, DomainError, InvalidInput
from helsefellesskap.transitions import receipts as rc
from helsefellesskap.transitions.ingest import (
    MAX_MESSAGE_BYTES,
    canonical,
    receipt_view,
    rejected_message_row,
    row_values,
)
from helsefellesskap.transitions.messages import Message, parse_message
from helsefellesskap.transitions.pathway import ENDED, StayProjection, fold_stay
from helsefellesskap.transitions.projection import (
    Memo,
    aware,
    errors_json,
    evaluate_stays,
    latest_expected_discharge,
    lock_key,
    priority_groups,
    project,
    projected_relation_facts,
    relation_grants,
    set_stay_row,
    stored_relation_facts,
    write_alerts,
)
from helsefellesskap.transitions.rates import DailyRates
from helsefellesskap.transitions.rates_service import effective_rates
from helsefellesskap.transitions.receipts import ErrorCode, Receipt, ReceiptError
from helsefellesskap.transitions.replay import StayResult, paused_gc
from helsefellesskap.transitions.rules import DEFAULT_RULES, TransitionRules
from helsefellesskap.transitions.settled import SettledResults
from helsefellesskap.transitions.store import (
    MESSAGES,
    OBLIGATIONS,
    PAYABLE_MONTHS,
    STAYS,
    AlertRow,
    MessageRow,
    ObligationRow,
    PayableMonthRow,
    StayRow,
)
from helsefellesskap.transitions.views import ReceiptView

_SET_PATHWAY = (update(MESSAGES).where(MESSAGES.c.seq == bindparam("row_seq"))
                .values(pathway_status=bindparam("status"), pathway_errors=bindparam("errors")))
_STAY_FACTS = [STAYS.c[name] for name in ("stay_id", "state", "fingerprint", "patient", "hospital", "municipality",
                                         "admitted_at", "discharged_at")]
_ENDED = {str(state) for state in ENDED}
CHUNK = 2000  # values per IN list (SQLite allows 32 766 parameters per statement)

Outcome = ReceiptView | DomainError  # a refused message: the error `receive_message` would have raised
Submission = tuple[Principal, dict[str, Any] | bytes]  # a message (parsed JSON or the bytes received) and its sender


_STORED = [MESSAGES.c[name] for name in ("seq", "message_id", "stay_id", "patient", "payload", "sha256",
                                          "pathway_status", "pathway_errors")]
_PARSED: dict[str, Message] = {}  # stored messages by the SHA-256 of their canonical JSON, across batches


def _parsed(digest: str, payload: str) -> Message:
    """A stored message, parsed once: a patient's messages are read again by every batch that refolds them."""
    message = _PARSED.get(digest)
    if message is None:
        if len(_PARSED) >= 200_000:  # (a message is about 300 bytes parsed)
            _PARSED.clear()
        message = _PARSED[digest] = parse_message(payload)
    return message


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def lock_patients(session: Session, patients: Iterable[str]) -> None:
    """PostgreSQL: the advisory locks `projection.lock_patient` takes, for every patient of the batch, in one
    statement and in key order (two batches locking the same patients cannot deadlock)."""
    if session.get_bind().dialect.name == "postgresql":
        keys = sorted({lock_key(patient) for patient in patients})
        if keys:
            session.execute(text("SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k "
                                 "ORDER BY 1) AS ordered"), {"keys": keys})


@dataclass
class _Fold:
    count: int  # of the stay's messages when folded
    stay: StayProjection
    groups: list[str]
    facts: GroupFacts
    expected_discharge: dt.date | None


# Each stay's last fold across batches, with what it was folded from (the SHA-256 of the stay's stored messages, in
# the order stored): a refold folds all of the patient's stays, so an earlier stay would be folded again in every
# batch that brings a message of its patient. A fold is a pure function of the messages.
_FOLDS: dict[str, tuple[tuple[str, ...], _Fold]] = {}
# Settled evaluations across batches (`settled.py`): an earlier stay is not evaluated again every such day.
_SETTLED = SettledResults()
# What each stay's last projection across batches was made of (result, priority groups, expected discharge, the
# hospital's party) and its fingerprint: the same result (a settled one) on the same inputs projects the same.
_PROJECTED: dict[str, tuple[StayResult, list[str], dt.date | None, str | None, str]] = {}


GroupFacts = tuple[str, dt.datetime | None, tuple[str, ...], tuple[str, ...] | None]
_GROUPS: dict[GroupFacts, list[str]] = {}  # classified facts, across batches (a stay is folded again in each)


def _group_facts(stay: StayProjection) -> GroupFacts:
    """What `projection.priority_groups` reads of a stay: the patient, the admission's time and codes, the
    discharge's codes."""
    admission, discharge = stay.admission, stay.discharge
    return (stay.patient, admission.admitted_at if admission else None,
            tuple(admission.diagnoses) if admission else (), tuple(discharge.diagnoses) if discharge else None)


def _priority_groups(stay: StayProjection, facts: GroupFacts) -> list[str]:
    groups = _GROUPS.get(facts)
    if groups is None:
        if len(_GROUPS) >= 200_000:
            _GROUPS.clear()
        groups = _GROUPS[facts] = priority_groups(stay)
    return groups


@dataclass
class _Store:
    """The part of the store a batch works on, loaded once and kept up to date in memory, message by message."""

    session: Session
    now: dt.datetime
    rules: TransitionRules
    rates: DailyRates
    messages: dict[str, list[Message]] = field(default_factory=dict)  # by stay, in the order they were stored
    rows: dict[str, list[SimpleNamespace]] = field(default_factory=dict)  # the same, as rows
    naming: dict[str, set[str]] = field(default_factory=dict)  # patient -> the stays a message names them in
    stored: set[str] = field(default_factory=set)  # stays with a stored row
    stay_rows: dict[str, StayRow] = field(default_factory=dict)  # the rows the batch creates
    fingerprints: dict[str, str] = field(default_factory=dict)
    facts: dict[str, tuple[object, ...] | None] = field(default_factory=dict)  # what the care relations rest on
    alert_rows: dict[str, dict[str, AlertRow]] = field(default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)
    folds: dict[str, _Fold] = field(default_factory=dict)
    memo: Memo = field(default_factory=dict)  # each stay's last evaluation
    written: dict[str, Any] = field(default_factory=dict)  # stay -> the last `Projected` written
    replaced: set[str] = field(default_factory=set)  # stays whose obligation and payable-month rows are replaced
    created: set[str] = field(default_factory=set)  # stays whose row the batch creates
    stay_updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # stored stay rows' new values
    pathway: dict[str, StayResult] = field(default_factory=dict)  # the last result that set a stay's statuses
    grants: dict[str, list[access.RelationGrant]] = field(default_factory=dict)  # by patient, in order

    # ---- loading ------------------------------------------------------------------------------------------

    def load(self, patients: set[str], stay_ids: set[str]) -> None:
        """The stored messages of the patients' stays and of `stay_ids`, and (one level further, as a refold
        goes) of the stays naming a patient those name; their stay and alert rows."""
        found = self._load_messages(patients, stay_ids)
        named = {row.patient for rows in found.values() for row in rows if row.patient} - patients
        if named:
            self._load_messages(named, set(), skip=set(found))
        stays = set(self.messages) | stay_ids
        ended: set[str] = set()
        for chunk in _chunks(stays):  # plain rows: what the refold compares with (most are not written again)
            for row in self.session.execute(select(*_STAY_FACTS).where(STAYS.c.stay_id.in_(chunk))):
                self.stored.add(row.stay_id)
                self.fingerprints[row.stay_id] = row.fingerprint
                self.facts[row.stay_id] = stored_relation_facts(cast(StayRow, row))  # (the columns it reads)
                if row.state in _ENDED:
                    ended.add(row.stay_id)
        # The alert rows of the stays a refold is likely to write: those with a message in the batch and those not
        # ended (their deadlines and days move with the clock). An ended stay's are read when it is written.
        for chunk in _chunks((stays - ended) | stay_ids):
            for alert in self.session.scalars(select(AlertRow).where(AlertRow.stay_id.in_(chunk))):
                self.alert_rows.setdefault(alert.stay_id, {})[alert.id] = alert
            for stay_id in chunk:
                self.alert_rows.setdefault(stay_id, {})

    def _load_messages(self, patients: set[str], stay_ids: set[str],
                       skip: set[str] | None = None) -> dict[str, list[SimpleNamespace]]:
        wanted = set(stay_ids)
        for chunk in _chunks(patients):
            wanted.update(s for s in self.session.scalars(select(MessageRow.stay_id).where(
                MessageRow.patient.in_(chunk), MessageRow.message_id.is_not(None)).distinct()) if s is not None)
        wanted -= skip or set()
        found: dict[str, list[SimpleNamespace]] = {}
        rows: list[SimpleNamespace] = []
        for chunk in _chunks(wanted):  # plain rows, not ORM objects: a batch reads thousands
            rows.extend(SimpleNamespace(**row) for row in self.session.execute(select(*_STORED).where(
                MESSAGES.c.stay_id.in_(chunk), MESSAGES.c.message_id.is_not(None))).mappings())
        rows.sort(key=lambda row: row.seq)
        for row in rows:
            row.loaded_status = (row.pathway_status, row.pathway_errors)
            self._add(row, _parsed(row.sha256, row.payload))
            found.setdefault(row.stay_id or "", []).append(row)
        return found

    def _add(self, row: SimpleNamespace, message: Message) -> None:
        stay_id = row.stay_id or ""
        self.messages.setdefault(stay_id, []).append(message)
        self.rows.setdefault(stay_id, []).append(row)
        if row.patient:
            self.naming.setdefault(row.patient, set()).add(stay_id)

    # ---- one refold, in memory --------------------------------------------------------------------------------

    def _fold(self, stay_id: str) -> _Fold:
        messages = self.messages[stay_id]
        cached = self.folds.get(stay_id)
        if cached is None or cached.count != len(messages):
            digests = tuple(row.sha256 for row in self.rows[stay_id])
            last = _FOLDS.get(stay_id)
            found = last[1] if last is not None and last[0] == digests else None
            if found is None:
                stay = fold_stay(stay_id, messages)
                facts = _group_facts(stay)
                groups = (cached.groups if cached is not None and cached.facts == facts
                          else _priority_groups(stay, facts))
                found = _Fold(len(messages), stay, groups, facts, latest_expected_discharge(messages))
                if len(_FOLDS) >= 100_000:
                    _FOLDS.clear()
                _FOLDS[stay_id] = (digests, found)
            cached = self.folds[stay_id] = found
        return cached

    def refold(self, patient: str, stay_id: str, message_type: str | None) -> dict[str, Receipt]:
        """What `projection._refold` does after a message of `patient` on `stay_id` is stored, on the rows in
        memory: fold, evaluate, write each stay's projection (in memory until `write`), grant care relations."""
        primary = {sid: self._fold(sid) for sid in self.naming.get(patient, set()) | {stay_id} if sid in self.messages}
        folds = dict(primary)
        others = {f.stay.patient for f in folds.values() if f.stay.patient and f.stay.patient != patient}
        if others:  # a stay whose admission names another patient: fold that patient's stays too
            extra = set().union(*(self.naming.get(other, set()) for other in others)) - set(folds)
            folds.update({sid: self._fold(sid) for sid in extra if sid in self.messages})
        stays = {sid: f.stay for sid, f in folds.items()}
        before = {sid: self.memo[sid][2] for sid in stays if sid in self.memo}
        results = evaluate_stays(stays, {sid: f.groups for sid, f in folds.items()}, self.rules, self.rates,
                                 self.now, self.memo, _SETTLED)
        receipts = {r.message_id: r for result in results.values() for r in result.receipts}
        for sid in primary:  # the refold updates the statuses of the messages it read (not the extra stays')
            self.pathway[sid] = results[sid]
        relation_facts = self.facts.get(stay_id)
        for sid, result in results.items():
            if before.get(sid) is not result:  # the same result as last time: the same projection, already written
                self._project(sid, result, folds[sid])
        if stay_id in stays and (message_type == "discharge_summary"
                                 or projected_relation_facts(stays[stay_id]) != relation_facts):
            grants = relation_grants(stays[stay_id], self.messages[stay_id])
            if grants:
                self.grants.setdefault(stays[stay_id].patient, []).extend(grants)
        return receipts

    def _unchanged(self, stay_id: str, result: StayResult, fold: _Fold) -> bool:
        """The stay's projection is known to be the stored one without projecting it again: its last projection
        was of the same result object, priority groups, expected discharge and hospital's party, and had the
        fingerprint stored."""
        last = _PROJECTED.get(stay_id)
        hospital = result.projection.hospital
        return (last is not None and last[0] is result and last[1] == fold.groups
                and last[2] == fold.expected_discharge and (hospital is None or hospital in self.parties)
                and last[3] == (self.parties[hospital] if hospital is not None else None)
                and self.fingerprints.get(stay_id) == last[4])

    def _project(self, stay_id: str, result: StayResult, fold: _Fold) -> None:
        """`projection.write_projection` on the rows in memory: the stay row and alert rows are changed in the
        session (flushed by `write`), the obligation and payable-month rows kept for `write`."""
        if self._unchanged(stay_id, result, fold):
            return
        projected = project(self.session, result, parties=self.parties, groups=fold.groups,
                            expected_discharge=fold.expected_discharge)
        if len(_PROJECTED) >= 100_000:
            _PROJECTED.clear()
        _PROJECTED[stay_id] = (result, fold.groups, fold.expected_discharge, projected.hospital_party,
                               projected.fingerprint)
        if self.fingerprints.get(stay_id) == projected.fingerprint:
            return
        new = stay_id not in self.stored and stay_id not in self.created  # no projection rows yet: none to replace
        if new:
            self.alert_rows[stay_id] = {}
            self.created.add(stay_id)
        else:
            self.replaced.add(stay_id)
        if stay_id in self.created:  # inserted by the flush in `write`
            self.stay_rows[stay_id] = set_stay_row(self.session, self.stay_rows.get(stay_id), projected, self.now)
        else:  # a stored row: updated with the others in one executemany by `write`
            self.stay_updates[stay_id] = {**projected.values, "fingerprint": projected.fingerprint,
                                          "evaluated_at": aware(self.now), "row_stay_id": stay_id}
        self.fingerprints[stay_id] = projected.fingerprint
        self.facts[stay_id] = projected_relation_facts(result.projection)
        self.written[stay_id] = projected
        existing = self.alert_rows.get(stay_id)
        if existing is None:  # an ended stay's, not read with the others
            existing = self.alert_rows[stay_id] = {
                alert.id: alert for alert in self.session.scalars(select(AlertRow).where(AlertRow.stay_id == stay_id))}
        write_alerts(self.session, result, projected.hospital_party, projected.municipality_party, self.now,
                     new=new, existing=existing)

    # ---- writing ------------------------------------------------------------------------------------------------

    def write(self, new_rows: Sequence[SimpleNamespace]) -> None:
        """Write what the batch left: the new messages (in order, one multi-row INSERT), the messages' pathway
        statuses, the stays' and alerts' rows, obligations and payable months, care relations."""
        for stay_id, result in self.pathway.items():
            statuses = {r.message_id: r for r in result.receipts}
            for row in self.rows.get(stay_id, []):
                receipt = statuses.get(row.message_id or "")
                if receipt is None:
                    continue
                status, errors = str(receipt.status), errors_json(receipt) if receipt.errors else "[]"
                if row.pathway_status != status or row.pathway_errors != errors:
                    row.pathway_status, row.pathway_errors = status, errors
        changed = [{"row_seq": row.seq, "status": row.pathway_status, "errors": row.pathway_errors}
                   for rows in self.rows.values() for row in rows
                   if hasattr(row, "loaded_status") and row.loaded_status != (row.pathway_status, row.pathway_errors)]
        if changed:
            self.session.execute(_SET_PATHWAY, changed)
        if new_rows:
            try:
                self.session.execute(insert(MESSAGES), [vars(row) for row in new_rows])
            except IntegrityError:
                raise Conflict("A message id of the batch was stored by another request meanwhile; send the batch "
                               "again.") from None
        self.session.flush()
        if self.stay_updates:
            updates = list(self.stay_updates.values())
            self.session.execute(update(STAYS).where(STAYS.c.stay_id == bindparam("row_stay_id"))
                                 .values({name: bindparam(name) for name in updates[0] if name != "row_stay_id"}),
                                 updates)
            for stay_id in self.stay_updates:  # a row the session holds no longer holds what is stored
                held = self.session.identity_map.get(self.session.identity_key(StayRow, stay_id))
                if held is not None:
                    self.session.expire(held)
        for chunk in _chunks(self.replaced):
            self.session.execute(delete(ObligationRow).where(ObligationRow.stay_id.in_(chunk)))
            self.session.execute(delete(PayableMonthRow).where(PayableMonthRow.stay_id.in_(chunk)))
        obligations = [o for projected in self.written.values() for o in projected.obligations]
        months = [m for projected in self.written.values() for m in projected.months]
        if obligations:
            self.session.execute(insert(OBLIGATIONS), obligations)
        if months:
            self.session.execute(insert(PAYABLE_MONTHS), months)
        if self.grants:
            access.grant_care_relations_of_persons(
                self.session, [(patient, _last_grants(grants)) for patient, grants in self.grants.items()])


def _last_grants(grants: list[access.RelationGrant]) -> list[access.RelationGrant]:
    """The last grant of each care relation (organisation, kind, reference), in the order they were first granted:
    what granting all of them in turn leaves (`access.grant_care_relations` sets a relation's period again each
    time), without setting the period of a relation once for each refold of the batch that granted it."""
    last: dict[tuple[str, str, str], access.RelationGrant] = {}
    for grant in grants:
        last[(grant[0], str(grant[1]), grant[2])] = grant
    return list(last.values())


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


def receive_messages(session: Session, submissions: Sequence[Submission], *,
                     now: dt.datetime, source: str | None = None, rules: TransitionRules = DEFAULT_RULES,
                     rates: DailyRates | None = None) -> list[Outcome]:
    """Receive the messages in order, each as its principal (see the module's description): per message its
    receipt, or the error `receive_message` would have raised for it (nothing is stored for that one)."""
    session.flush()
    with session.no_autoflush, paused_gc():
        return _receive(session, submissions, now=now, source=source, rules=rules, rates=rates)


BATCH_ATTEMPTS = 3  # a batch received again after a concurrent request stored one of its ids (`receive_batch`)


def receive_batch(database: Database, submissions: Callable[[Session], Sequence[Submission]], *, now: dt.datetime,
                  source: str | None = None, check: Callable[[list[Outcome]], None] | None = None,
                  attempts: int = BATCH_ATTEMPTS) -> list[Outcome]:
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


def _receive(session: Session, submissions: Sequence[tuple[Principal, dict[str, Any] | bytes]], *,
             now: dt.datetime, source: str | None, rules: TransitionRules,
             rates: DailyRates | None) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(submissions)
    new_rows: dict[int, SimpleNamespace] = {}  # by submission index: every row to store, in order
    received: list[_Received] = []
    for index, (principal, payload) in enumerate(submissions):
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        if len(data) > MAX_MESSAGE_BYTES:
            outcomes[index] = InvalidInput(f"A message is at most {MAX_MESSAGE_BYTES} bytes.")
            continue
        try:
            message = parse_message(data)
        except ValidationError as error:
            try:
                invalid = rejected_message_row(session, principal, data, error, now=now)
            except DomainError as refused:
                outcomes[index] = refused
            else:
                new_rows[index] = SimpleNamespace(**{column.key: getattr(invalid, column.key)
                                                     for column in MESSAGES.columns if column.key != "seq"})
                outcomes[index] = receipt_view(new_rows[index])
            continue
        received.append(_Received(index, principal, message))
    bases = access.authorize_submissions(
        session, [(r.principal, r.message.sender, r.message.patient, r.message.id) for r in received], now=now,
        source=source)
    allowed = []
    for item, basis in zip(received, bases, strict=True):
        if isinstance(basis, DomainError):
            outcomes[item.index] = basis
        else:
            item.text, item.digest = canonical(item.message)
            allowed.append(item)
    stored: dict[str, MessageRow | SimpleNamespace] = {}
    for chunk in _chunks({item.message.id for item in allowed}):
        stored.update({row.message_id: row for row in session.scalars(
            select(MessageRow).where(MessageRow.message_id.in_(chunk))) if row.message_id})
    claims: dict[str, _Received] = {}
    for item in allowed:
        if item.message.id not in stored and item.message.id not in claims:
            claims[item.message.id] = item
    store = _Store(session, now, rules, _rates(session, rates))
    patients = {item.message.patient for item in claims.values()}
    lock_patients(session, patients)
    store.load(patients, {item.message.stay_id for item in claims.values()})
    for item in allowed:
        message = item.message
        first = stored.get(message.id)
        if first is None and claims[message.id] is item:  # new: claim the id, refold
            row = SimpleNamespace(**row_values(item.principal, message, item.text, item.digest, now))
            stored[message.id] = new_rows[item.index] = row
            store._add(row, message)
            receipt = store.refold(message.patient, message.stay_id, message.type).get(message.id) or rc.ok(message)
            row.receipt_status, row.receipt_errors = str(receipt.status), errors_json(receipt)
            row.pathway_status, row.pathway_errors = row.receipt_status, row.receipt_errors
            outcomes[item.index] = receipt_view(row)
            continue
        first = stored[message.id]
        if first.sha256 == item.digest:  # a redelivery: the first receipt again
            outcomes[item.index] = receipt_view(first, duplicate=True)
            continue
        conflict = ReceiptError(ErrorCode.id_conflict, f"id {message.id} was already used for another message")
        row = SimpleNamespace(**row_values(item.principal, message, item.text, item.digest, now))
        rejected = rc.rejected(message.id, message.stay_id, conflict)
        row.message_id = None
        row.receipt_status = row.pathway_status = str(rejected.status)
        row.receipt_errors = row.pathway_errors = errors_json(rejected)
        new_rows[item.index] = row
        outcomes[item.index] = receipt_view(row)
    store.write([new_rows[index] for index in sorted(new_rows)])
    return [cast(Outcome, outcome) for outcome in outcomes]


def refresh_stays(session: Session, *, now: dt.datetime, rules: TransitionRules = DEFAULT_RULES,
                  rates: DailyRates | None = None) -> int:
    """Re-evaluate every stay not ended as of `now`, as the refold after a message of its patient would (payable
    days grow and deadlines pass while no message comes): the stays' rows, obligations, payable months and alerts
    are brought up to `now`. Returns how many stays' projections changed. No person data leaves the service, so
    nothing is audited (as for the refold a message causes)."""
    session.flush()
    open_stays = [(patient, stay_id) for stay_id, patient in session.execute(
        select(StayRow.stay_id, StayRow.patient).where(StayRow.state.not_in([str(s) for s in ENDED]))
        .order_by(StayRow.patient, StayRow.stay_id))]
    return _refold_stays(session, open_stays, now=now, rules=rules, rates=rates)


def refold_stays(session: Session, stay_ids: Collection[str], *, now: dt.datetime,
                 rules: TransitionRules = DEFAULT_RULES, rates: DailyRates | None = None) -> int:
    """Re-evaluate the given stays (ended or not) as a refold would, e.g. after a daily rate changed: every
    projection row, the fingerprint included, is then what the next message's refold would write. Returns how
    many stays' projections changed; nothing is audited (see `refresh_stays`)."""
    session.flush()
    stays: list[tuple[str, str]] = []
    for chunk in _chunks(set(stay_ids)):
        stays.extend((patient, stay_id) for stay_id, patient in session.execute(
            select(StayRow.stay_id, StayRow.patient).where(StayRow.stay_id.in_(chunk))))
    return _refold_stays(session, sorted(stays, key=lambda s: (s[0] or "", s[1])), now=now, rules=rules, rates=rates)


def _refold_stays(session: Session, stays: list[tuple[str, str]], *, now: dt.datetime, rules: TransitionRules,
                  rates: DailyRates | None) -> int:
    if not stays:
        return 0
    with session.no_autoflush:
        store = _Store(session, now, rules, _rates(session, rates))
        patients = {patient for patient, _ in stays}
        lock_patients(session, patients)
        store.load(patients, {stay_id for _, stay_id in stays})
        for patient, stay_id in stays:
            store.refold(patient, stay_id, None)
        store.write([])
        return len(store.written)

