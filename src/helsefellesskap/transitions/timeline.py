"""One person's pathway (stays with obligations, payment, alerts) and timeline (messages and alerts, newest
first). Both are person data: access control decides (care relation, emergency, own data) and audits."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Action, Principal, Resource
from helsefellesskap.transitions.notes import TEMPLATES, Note
from helsefellesskap.transitions.projection import aware
from helsefellesskap.transitions.readmodel import Names, note_view, stay_view
from helsefellesskap.transitions.store import AlertRow, MessageRow, StayRow
from helsefellesskap.transitions.views import NoteView, ReceiptErrorView, StayView, TimelineEntry


def person_pathway(session: Session, principal: Principal, national_id: str, *, now: dt.datetime,
                   source: str | None = None) -> list[StayView]:
    """The person's stays, newest admission first."""
    access.authorize_person(session, principal, national_id, Action.READ, Resource.PERSON_PATHWAY, now=now,
                            source=source)
    patient = access.normalise_national_id(national_id)
    rows = session.scalars(select(StayRow).where(StayRow.patient == patient))
    names = Names(session)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    stays = sorted(rows, key=lambda r: (aware(r.admitted_at) if r.admitted_at else epoch, r.stay_id), reverse=True)
    return [stay_view(session, row, names, now) for row in stays]


def _message_note(row: MessageRow) -> Note:
    kind = row.type or "invalid"
    if kind == "municipal_response":
        kind += "-can" if json.loads(row.payload).get("can_receive") else "-cannot"
    return Note.of(f"MSG-{kind}" if f"MSG-{kind}" in TEMPLATES else "MSG-invalid")


def _message_entry(row: MessageRow) -> TimelineEntry:
    note = _message_note(row)
    return TimelineEntry(at=aware(row.sent_at or row.received_at), kind="message", stay_id=row.stay_id,
                         type=row.type or "invalid", summary=note.text, note=NoteView(**note.as_json()),
                         sender=row.sender, status=row.pathway_status,
                         errors=[ReceiptErrorView(**e) for e in json.loads(row.pathway_errors)])


def person_timeline(session: Session, principal: Principal, national_id: str, *, now: dt.datetime,
                    source: str | None = None) -> list[TimelineEntry]:
    """Messages about the person (also rejected and flagged ones) and alerts, newest first."""
    access.authorize_person(session, principal, national_id, Action.READ, Resource.PERSON_TIMELINE, now=now,
                            source=source)
    patient = access.normalise_national_id(national_id)
    entries = [_message_entry(row) for row in session.scalars(select(MessageRow).where(MessageRow.patient == patient))]
    for alert in session.scalars(select(AlertRow).where(AlertRow.patient == patient)):
        entries.append(TimelineEntry(at=aware(alert.raised_at), kind="alert", stay_id=alert.stay_id,
                                     type=alert.rule_id, summary=alert.detail,
                                     note=note_view({**json.loads(alert.detail_note), "text": alert.detail})
                                     if alert.detail_note else None,
                                     status="resolved" if alert.resolved_at else "open"))
    entries.sort(key=lambda e: (e.at, e.kind, e.type), reverse=True)
    return entries
