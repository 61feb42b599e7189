"""The alert inbox: the alerts the principal's party must act on; acknowledge, assign, comment.

What people do with an alert lives in `transition_alert_workflow` / `transition_alert_comments`, keyed by the
alert's stable id, so it survives every refold of the stay. Listing is a work list of the party (each person
shown is audited); acting on one alert is a write of the person's data (`person.alerts`, care relation needed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Action, Principal, Resource
from helsefellesskap.errors import InvalidInput, NotFound
from helsefellesskap.transitions.alerts import RULES
from helsefellesskap.transitions.boards import work_list_basis
from helsefellesskap.transitions.projection import aware
from helsefellesskap.transitions.readmodel import Names, alert_views
from helsefellesskap.transitions.store import AlertCommentRow, AlertRow, AlertWorkflowRow
from helsefellesskap.transitions.views import AlertView

STATUSES = ("open", "acknowledged", "resolved", "all")
MAX_COMMENT = 4000


def list_alerts(session: Session, principal: Principal, *, now: dt.datetime, status: str = "open",
                rule: str | None = None) -> list[AlertView]:
    """Alerts the principal's party must act on, newest first; `status` open | acknowledged | resolved | all."""
    if status not in STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; one of: {', '.join(STATUSES)}.")
    if rule is not None and rule not in RULES:
        raise InvalidInput(f"Unknown rule {rule!r}; one of: {', '.join(RULES)}.")
    basis, resource = work_list_basis(session, principal, now=now)
    party = access.principal_party(session, principal)
    query = select(AlertRow).where(AlertRow.party_address == party).order_by(AlertRow.raised_at.desc(), AlertRow.id)
    if rule is not None:
        query = query.where(AlertRow.rule_id == rule)
    views = [v for v in alert_views(session, session.scalars(query), Names(session))
             if status == "all" or v.status == status]
    for patient in dict.fromkeys(v.patient for v in views):
        access.audit(session, principal, action=Action.READ, resource=resource, now=now, basis=basis,
                     national_id=patient, reason="listed in the alert inbox")
    return views


def _authorized_alert(session: Session, principal: Principal, alert_id: str, now: dt.datetime) -> AlertRow:
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise NotFound(f"No alert {alert_id}.")
    access.authorize_person(session, principal, row.patient, Action.WRITE, Resource.PERSON_ALERTS, now=now,
                            reference=row.stay_id)
    return row


def _workflow(session: Session, alert_id: str) -> AlertWorkflowRow:
    row = session.get(AlertWorkflowRow, alert_id)
    if row is None:
        row = AlertWorkflowRow(alert_id=alert_id)
        session.add(row)
    return row


def _view(session: Session, row: AlertRow) -> AlertView:
    session.flush()
    return alert_views(session, [row], Names(session))[0]


def acknowledge_alert(session: Session, principal: Principal, alert_id: str, *, now: dt.datetime) -> AlertView:
    row = _authorized_alert(session, principal, alert_id, now)
    workflow = _workflow(session, alert_id)
    if workflow.acknowledged_at is None:
        workflow.acknowledged_at, workflow.acknowledged_by = aware(now), principal.username
    return _view(session, row)


def assign_alert(session: Session, principal: Principal, alert_id: str, assignee: str, *,
                 now: dt.datetime) -> AlertView:
    assignee = assignee.strip()
    if not assignee or len(assignee) > 100 or not assignee.isprintable():
        raise InvalidInput("An assignee is 1 to 100 printable characters (a username).")
    row = _authorized_alert(session, principal, alert_id, now)
    workflow = _workflow(session, alert_id)
    workflow.assignee, workflow.assigned_at, workflow.assigned_by = assignee, aware(now), principal.username
    return _view(session, row)


def comment_alert(session: Session, principal: Principal, alert_id: str, text: str, *, now: dt.datetime) -> AlertView:
    text = text.strip()
    if not text or len(text) > MAX_COMMENT:
        raise InvalidInput(f"A comment is 1 to {MAX_COMMENT} characters.")
    row = _authorized_alert(session, principal, alert_id, now)
    session.add(AlertCommentRow(alert_id=alert_id, at=aware(now), author=principal.username, text=text))
    return _view(session, row)
