"""From projection rows to views: names of organisations, obligation status at the time of reading, alerts
with their workflow."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.errors import NotFound
from helsefellesskap.registry.organisations import get_organisation
from helsefellesskap.transitions.alerts import RULES
from helsefellesskap.transitions.notes import TEMPLATES, Note
from helsefellesskap.transitions.obligations import SOURCES, ObligationKind, obligation_status
from helsefellesskap.transitions.projection import aware, maybe_aware
from helsefellesskap.transitions.store import AlertCommentRow, AlertRow, AlertWorkflowRow, ObligationRow, StayRow
from helsefellesskap.transitions.views import (
    AlertCommentView,
    AlertView,
    MunicipalityRef,
    NoteView,
    ObligationView,
    OrganisationRef,
    StayView,
)

# How urgent each rule is on the inbox (a product choice, not a rule of law).
SEVERITY = {
    "KB-REPEATED-TRANSITIONS": "high",
    "KB-PRIORITY-NO-MUNICIPAL-ANSWER": "high",
    "KB-PRIORITY-NO-DISCHARGE-REPORT": "high",
    "KB-READMISSION-30D": "medium",
    "KB-OVERDUE-OBLIGATION": "medium",
    "KB-READINESS-REPEATED": "low",
}


@lru_cache(maxsize=1)
def _municipality_names() -> dict[str, str]:
    from helsefellesskap.registry.reference import load_reference

    return {number: m.name for number, m in load_reference().municipalities.items()}


def municipality_ref(number: str | None) -> MunicipalityRef:
    return MunicipalityRef(number=number, name=_municipality_names().get(number) if number else None)


class Names:
    """Organisation names from the registry, looked up once per request."""

    def __init__(self, session: Session) -> None:
        self.session, self._names = session, dict[str, str | None]()

    def name(self, address: str | None) -> str | None:
        if address is None:
            return None
        if address not in self._names:
            try:
                self._names[address] = get_organisation(self.session, address).name
            except NotFound:
                self._names[address] = None
        return self._names[address]

    def ref(self, address: str | None) -> OrganisationRef:
        return OrganisationRef(address=address, name=self.name(address))


def obligation_view(row: ObligationRow, now: dt.datetime) -> ObligationView:
    due, met = aware(row.due_at), maybe_aware(row.met_at)
    return ObligationView(stay_id=row.stay_id, patient=row.patient, kind=row.kind, party=row.party,
                          organisation=row.organisation, due_at=due, met_at=met,
                          status=str(obligation_status(due, met, now)), source=SOURCES[ObligationKind(row.kind)])


def alert_status(row: AlertRow, workflow: AlertWorkflowRow | None) -> str:
    if row.resolved_at is not None:
        return "resolved"
    return "acknowledged" if workflow is not None and workflow.acknowledged_at is not None else "open"


def alert_views(session: Session, rows: Iterable[AlertRow], names: Names) -> list[AlertView]:
    rows = list(rows)
    ids = [row.id for row in rows]
    workflow: dict[str, AlertWorkflowRow] = {}
    comments: dict[str, list[AlertCommentView]] = {}
    if ids:
        workflow = {w.alert_id: w for w in session.scalars(
            select(AlertWorkflowRow).where(AlertWorkflowRow.alert_id.in_(ids)))}
        for c in session.scalars(select(AlertCommentRow).where(AlertCommentRow.alert_id.in_(ids))
                                 .order_by(AlertCommentRow.at, AlertCommentRow.id)):
            comments.setdefault(c.alert_id, []).append(AlertCommentView(at=aware(c.at), author=c.author, text=c.text))
    return [alert_view(row, workflow.get(row.id), comments.get(row.id, []), names) for row in rows]


def note_view(stored: object) -> NoteView:
    """A stored note: {code, params, text}; a plain string is a note stored before codes (English only)."""
    if isinstance(stored, dict) and stored.get("code") in TEMPLATES:
        return NoteView(code=stored["code"], params=stored.get("params") or {},
                        text=stored.get("text") or Note.of(stored["code"], **(stored.get("params") or {})).text)
    return NoteView(code=None, text=str(stored.get("text", "") if isinstance(stored, dict) else stored))


def alert_view(row: AlertRow, workflow: AlertWorkflowRow | None, comments: list[AlertCommentView],
               names: Names) -> AlertView:
    rule = RULES[row.rule_id]
    must_act = (OrganisationRef(address=row.party_address, name=names.name(row.party_address))
                if row.party_address else names.ref(row.organisation))
    return AlertView(
        id=row.id, rule_id=row.rule_id, severity=SEVERITY.get(row.rule_id, "medium"), title=rule.title,
        explanation_nb=rule.explanation_nb, explanation_en=rule.explanation, detail=row.detail,
        detail_note=note_view({**json.loads(row.detail_note), "text": row.detail}) if row.detail_note else None,
        must_act=must_act,
        stay_id=row.stay_id, patient=row.patient, raised_at=aware(row.raised_at),
        status=alert_status(row, workflow), acknowledged_by=workflow.acknowledged_by if workflow else None,
        assignee=workflow.assignee if workflow else None, comments=comments)


def stay_view(session: Session, row: StayRow, names: Names, now: dt.datetime) -> StayView:
    obligations = session.scalars(select(ObligationRow).where(ObligationRow.stay_id == row.stay_id)
                                  .order_by(ObligationRow.due_at, ObligationRow.id))
    alerts = session.scalars(select(AlertRow).where(AlertRow.stay_id == row.stay_id, AlertRow.resolved_at.is_(None))
                             .order_by(AlertRow.raised_at, AlertRow.id))
    notes = [note_view(note) for note in json.loads(row.payment_notes)]
    return StayView(
        stay_id=row.stay_id, patient=row.patient, hospital=names.ref(row.hospital),
        municipality=municipality_ref(row.municipality), service=row.service, state=row.state, acute=row.acute,
        admitted_at=maybe_aware(row.admitted_at), expected_discharge=row.expected_discharge,
        ready_at=maybe_aware(row.ready_at), answer=row.answer, receive_from=maybe_aware(row.receive_from),
        discharged_at=maybe_aware(row.discharged_at), destination=row.destination,
        readmission_of=row.readmission_of, payable_days=row.payable_days, unpriced_days=row.unpriced_days,
        amount_ore=row.amount_ore, amount_nok=Decimal(row.amount_ore) / 100,
        payment_notes=[note.text for note in notes], payment_note_details=notes,
        priority_groups=json.loads(row.priority_groups),
        obligations=[obligation_view(o, now) for o in obligations], alerts=alert_views(session, alerts, names))
