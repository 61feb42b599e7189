"""The rows a batch's unit of work works on (`batch.receive_messages`, `batch.refold_stays`): read once, refolded
in memory message by message, and written once at the end.

The stored messages, stay rows and alert rows the batch touches are read in a few queries and parsed once; each
message's refold is then computed in memory with the same pure fold and evaluation (`projection.evaluate_stays`)
and the same projection (`projection.project`, `projection.write_alerts`) on the loaded rows; what is left at the
end is written once — new messages, the stays' rows and alerts through one flush, obligations and payable months as
one DELETE and one multi-row INSERT each, care relations with one query. The stays' rows are read as plain rows
(only the ones a batch creates are ORM objects), the alert rows of an ended stay without a message in the batch
only when it is written, and care relations granted again within the batch are set once to their last period.
What is kept across units of work (folds, settled evaluations, last projections) is in `fold_cache.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.errors import Conflict
from helsefellesskap.transitions import fold_cache
from helsefellesskap.transitions.fold_cache import Fold
from helsefellesskap.transitions.messages import Message
from helsefellesskap.transitions.pathway import ENDED
from helsefellesskap.transitions.projection import (
    Memo,
    aware,
    errors_json,
    evaluate_stays,
    project,
    projected_relation_facts,
    receipts_by_message,
    relation_grants,
    set_stay_row,
    stored_key,
    stored_relation_facts,
    write_alerts,
)
from helsefellesskap.transitions.rates import DailyRates
from helsefellesskap.transitions.receipts import MessageKey, Receipt
from helsefellesskap.transitions.replay import StayResult
from helsefellesskap.transitions.rules import TransitionRules
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

_SET_PATHWAY = (
    update(MESSAGES)
    .where(MESSAGES.c.seq == bindparam("row_seq"))
    .values(pathway_status=bindparam("status"), pathway_errors=bindparam("errors"))
)
_STAY_FACTS = [
    STAYS.c[name]
    for name in (
        "stay_id",
        "state",
        "fingerprint",
        "patient",
        "hospital",
        "municipality",
        "admitted_at",
        "discharged_at",
    )
]
_ENDED = {str(state) for state in ENDED}
CHUNK = 2000  # values per IN list (SQLite allows 32 766 parameters per statement)

_STORED = [
    MESSAGES.c[name]
    for name in (
        "seq", "message_id", "sender", "stay_id", "patient", "payload", "sha256", "pathway_status", "pathway_errors"
    )
]


def chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


@dataclass
class WorkingSet:
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
    folds: dict[str, Fold] = field(default_factory=dict)
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
        for chunk in chunks(stays):  # plain rows: what the refold compares with (most are not written again)
            for row in self.session.execute(select(*_STAY_FACTS).where(STAYS.c.stay_id.in_(chunk))):
                self.stored.add(row.stay_id)
                self.fingerprints[row.stay_id] = row.fingerprint
                self.facts[row.stay_id] = stored_relation_facts(cast(StayRow, row))  # (the columns it reads)
                if row.state in _ENDED:
                    ended.add(row.stay_id)
        # The alert rows of the stays a refold is likely to write: those with a message in the batch and those not
        # ended (their deadlines and days move with the clock). An ended stay's are read when it is written.
        for chunk in chunks((stays - ended) | stay_ids):
            for alert in self.session.scalars(select(AlertRow).where(AlertRow.stay_id.in_(chunk))):
                self.alert_rows.setdefault(alert.stay_id, {})[alert.id] = alert
            for stay_id in chunk:
                self.alert_rows.setdefault(stay_id, {})

    def _load_messages(
        self, patients: set[str], stay_ids: set[str], skip: set[str] | None = None
    ) -> dict[str, list[SimpleNamespace]]:
        wanted = set(stay_ids)
        for chunk in chunks(patients):
            wanted.update(
                s
                for s in self.session.scalars(
                    select(MessageRow.stay_id)
                    .where(MessageRow.patient.in_(chunk), MessageRow.message_id.is_not(None))
                    .distinct()
                )
                if s is not None
            )
        wanted -= skip or set()
        found: dict[str, list[SimpleNamespace]] = {}
        rows: list[SimpleNamespace] = []
        for chunk in chunks(wanted):  # plain rows, not ORM objects: a batch reads thousands
            rows.extend(
                SimpleNamespace(**row)
                for row in self.session.execute(
                    select(*_STORED).where(MESSAGES.c.stay_id.in_(chunk), MESSAGES.c.message_id.is_not(None))
                ).mappings()
            )
        rows.sort(key=lambda row: row.seq)
        for row in rows:
            row.loaded_status = (row.pathway_status, row.pathway_errors)
            self.add(row, fold_cache.parsed_message(row.sha256, row.payload))
            found.setdefault(row.stay_id or "", []).append(row)
        return found

    def add(self, row: SimpleNamespace, message: Message) -> None:
        stay_id = row.stay_id or ""
        self.messages.setdefault(stay_id, []).append(message)
        self.rows.setdefault(stay_id, []).append(row)
        if row.patient:
            self.naming.setdefault(row.patient, set()).add(stay_id)

    # ---- one refold, in memory --------------------------------------------------------------------------------

    def _fold(self, stay_id: str) -> Fold:
        messages = self.messages[stay_id]
        cached = self.folds.get(stay_id)
        if cached is None or cached.count != len(messages):
            digests = tuple(row.sha256 for row in self.rows[stay_id])
            cached = self.folds[stay_id] = fold_cache.fold(stay_id, digests, messages, cached)
        return cached

    def refold(self, patient: str, stay_id: str, message_type: str | None) -> dict[MessageKey, Receipt]:
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
        results = evaluate_stays(
            stays,
            {sid: f.groups for sid, f in folds.items()},
            self.rules,
            self.rates,
            self.now,
            self.memo,
            fold_cache.SETTLED,
        )
        receipts = receipts_by_message(results.values())
        for sid in primary:  # the refold updates the statuses of the messages it read (not the extra stays')
            self.pathway[sid] = results[sid]
        relation_facts = self.facts.get(stay_id)
        for sid, result in results.items():
            if before.get(sid) is not result:  # the same result as last time: the same projection, already written
                self._project(sid, result, folds[sid])
        if stay_id in stays and (
            message_type == "discharge_summary" or projected_relation_facts(stays[stay_id]) != relation_facts
        ):
            grants = relation_grants(stays[stay_id], self.messages[stay_id])
            if grants:
                self.grants.setdefault(stays[stay_id].patient, []).extend(grants)
        return receipts

    def _project(self, stay_id: str, result: StayResult, fold: Fold) -> None:
        """`projection.write_projection` on the rows in memory: the stay row and alert rows are changed in the
        session (flushed by `write`), the obligation and payable-month rows kept for `write`."""
        if fold_cache.projection_unchanged(stay_id, result, fold, self.parties, self.fingerprints.get(stay_id)):
            return
        projected = project(
            self.session, result, parties=self.parties, groups=fold.groups, expected_discharge=fold.expected_discharge
        )
        fold_cache.keep_projection(stay_id, result, fold, projected.hospital_party, projected.fingerprint)
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
            self.stay_updates[stay_id] = {
                **projected.values,
                "fingerprint": projected.fingerprint,
                "evaluated_at": aware(self.now),
                "row_stay_id": stay_id,
            }
        self.fingerprints[stay_id] = projected.fingerprint
        self.facts[stay_id] = projected_relation_facts(result.projection)
        self.written[stay_id] = projected
        existing = self.alert_rows.get(stay_id)
        if existing is None:  # an ended stay's, not read with the others
            existing = self.alert_rows[stay_id] = {
                alert.id: alert for alert in self.session.scalars(select(AlertRow).where(AlertRow.stay_id == stay_id))
            }
        write_alerts(
            self.session,
            result,
            projected.hospital_party,
            projected.municipality_party,
            self.now,
            new=new,
            existing=existing,
        )

    # ---- writing ------------------------------------------------------------------------------------------------

    def write(self, new_rows: Sequence[SimpleNamespace]) -> None:
        """Write what the batch left: the new messages (in order, one multi-row INSERT), the messages' pathway
        statuses, the stays' and alerts' rows, obligations and payable months, care relations."""
        for stay_id, result in self.pathway.items():
            statuses = receipts_by_message([result])
            for row in self.rows.get(stay_id, []):
                receipt = statuses.get(stored_key(row))
                if receipt is None:
                    continue
                status, errors = str(receipt.status), errors_json(receipt) if receipt.errors else "[]"
                if row.pathway_status != status or row.pathway_errors != errors:
                    row.pathway_status, row.pathway_errors = status, errors
        changed = [
            {"row_seq": row.seq, "status": row.pathway_status, "errors": row.pathway_errors}
            for rows in self.rows.values()
            for row in rows
            if hasattr(row, "loaded_status") and row.loaded_status != (row.pathway_status, row.pathway_errors)
        ]
        if changed:
            self.session.execute(_SET_PATHWAY, changed)
        if new_rows:
            try:
                self.session.execute(insert(MESSAGES), [vars(row) for row in new_rows])
            except IntegrityError:
                raise Conflict(
                    "A message of the batch (a sender's id) was stored by another request meanwhile; send the batch "
                    "again."
                ) from None
        self.session.flush()
        if self.stay_updates:
            updates = list(self.stay_updates.values())
            self.session.execute(
                update(STAYS)
                .where(STAYS.c.stay_id == bindparam("row_stay_id"))
                .values({name: bindparam(name) for name in updates[0] if name != "row_stay_id"}),
                updates,
            )
            for stay_id in self.stay_updates:  # a row the session holds no longer holds what is stored
                held = self.session.identity_map.get(self.session.identity_key(StayRow, stay_id))
                if held is not None:
                    self.session.expire(held)
        for chunk in chunks(self.replaced):
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
                self.session, [(patient, _last_grants(grants)) for patient, grants in self.grants.items()]
            )


def _last_grants(grants: list[access.RelationGrant]) -> list[access.RelationGrant]:
    """The last grant of each care relation (organisation, kind, reference), in the order they were first granted:
    what granting all of them in turn leaves (`access.grant_care_relations` sets a relation's period again each
    time), without setting the period of a relation once for each refold of the batch that granted it."""
    last: dict[tuple[str, str, str], access.RelationGrant] = {}
    for grant in grants:
        last[(grant[0], str(grant[1]), grant[2])] = grant
    return list(last.values())
