"""The alert inbox: the alerts the principal's party must act on; acknowledge, assign, comment.

What people do with an alert lives in `transition_alert_workflow` / `transition_alert_comments`, keyed by the
alert's stable id, so it survives every refold of the stay. Listing is a work list of the party (each person
shown is audited); acting on one alert is a write of the person's data (`person.alerts`, care relation needed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Action, Principal, Resource
from helsefellesskap.access.policy import NO_PERSON_ACCESS
from helsefellesskap.errors import DomainError, Forbidden, InvalidInput
from helsefellesskap.transitions.alerts import RULES
from helsefellesskap.transitions.projection import aware
from helsefellesskap.transitions.readmodel import Names, alert_views
from helsefellesskap.transitions.store import AlertCommentRow, AlertRow, AlertWorkflowRow
from helsefellesskap.transitions.views import AlertPage, AlertView

STATUSES = ("open", "acknowledged", "resolved", "all")
MAX_COMMENT = 4000


def _status_clause(status: str) -> ColumnElement[bool] | None:
    """The status filter in SQL (as `readmodel.alert_status` decides it), so a page is read without building every
    alert: resolved = resolved_at set; acknowledged = open with an acknowledgement; open = neither."""
    acknowledged = exists().where(AlertWorkflowRow.alert_id == AlertRow.id,
                                  AlertWorkflowRow.acknowledged_at.is_not(None))
    if status == "resolved":
        return AlertRow.resolved_at.is_not(None)
    if status == "acknowledged":
        return and_(AlertRow.resolved_at.is_(None), acknowledged)
    if status == "open":
        return and_(AlertRow.resolved_at.is_(None), ~acknowledged)
    return None


def alert_page(session: Session, principal: Principal, *, now: dt.datetime, status: str = "open",
               rule: str | None = None, limit: int | None = None, offset: int = 0) -> AlertPage:
    """One page of the alerts the principal's party must act on, newest first, and how many there are in all.
    Only the alerts on the page are built and audited (one entry per person shown); the total is counted in SQL.
    `limit` None: every alert from `offset` on."""
    if status not in STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; one of: {', '.join(STATUSES)}.")
    if rule is not None and rule not in RULES:
        raise InvalidInput(f"Unknown rule {rule!r}; one of: {', '.join(RULES)}.")
    if offset < 0 or (limit is not None and limit < 0):
        raise InvalidInput("limit and offset are 0 or more.")
    # its own resource, so the patient's access log says "the alert inbox", not the discharge board
    basis = access.authorize(session, principal, Resource.BOARD_ALERTS, Action.READ, now=now)
    party = access.principal_party(session, principal)
    where = [AlertRow.party_address == party]
    if rule is not None:
        where.append(AlertRow.rule_id == rule)
    if (clause := _status_clause(status)) is not None:
        where.append(clause)
    total = session.scalar(select(func.count()).select_from(AlertRow).where(*where)) or 0
    query = select(AlertRow).where(*where).order_by(AlertRow.raised_at.desc(), AlertRow.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    views = alert_views(session, session.scalars(query), Names(session))
    for patient in dict.fromkeys(v.patient for v in views):
        access.audit(session, principal, action=Action.READ, resource=Resource.BOARD_ALERTS, now=now, basis=basis,
                     national_id=patient, reason="listed in the alert inbox")
    return AlertPage(total=total, offset=offset, alerts=views)


def list_alerts(session: Session, principal: Principal, *, now: dt.datetime, status: str = "open",
                rule: str | None = None, limit: int | None = None, offset: int = 0) -> list[AlertView]:
    """Alerts the principal's party must act on, newest first; `status` open | acknowledged | resolved | all;
    `limit`/`offset` a page of them (default: all). `alert_page` gives the total too."""
    return alert_page(session, principal, now=now, status=status, rule=rule, limit=limit, offset=offset).alerts


def _authorized_alert(session: Session, principal: Principal, alert_id: str, now: dt.datetime) -> AlertRow:
    row = session.get(AlertRow, alert_id)
    if row is None:
        # The same refusal as an existing alert of a person without a care relation: an alert id is a hash of the
        # stay id and the rule (`projection.alert_id`), which anyone can compute for a guessed stay id, and a 404
        # against that 403 told whether the stay had, say, a readmission or a priority-group alert.
        raise Forbidden(NO_PERSON_ACCESS)
    try:
        access.authorize_person(session, principal, row.patient, Action.WRITE, Resource.PERSON_ALERTS, now=now,
                                reference=row.stay_id)
    except access.AccessDenied:
        # An alert addressed to the principal's own party is that organisation's work item: its inbox lists it on
        # the organisation's basis (board.alerts), and acknowledging, assigning or commenting shows nothing more
        # of the person. So the addressed party acts on it even without a care relation (e.g. a municipality told
        # of a resident's repeated transitions whose stays sent it no notice); anyone else still needs one.
        if row.party_address != access.principal_party(session, principal):
            raise
        basis = access.authorize(session, principal, Resource.BOARD_ALERTS, Action.READ, now=now)
        access.audit(session, principal, action=Action.WRITE, resource=Resource.PERSON_ALERTS, now=now,
                     basis=basis, national_id=row.patient,
                     reason=f"alert {row.rule_id} addressed to the organisation, handled in its inbox")
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


def acknowledge_alerts(session: Session, principal: Principal, alert_ids: Iterable[str], *,
                       now: dt.datetime) -> list[str]:
    """`acknowledge_alert` for each alert in turn — the same access checks, audit entries and workflow rows —
    without building each alert's view: the ids acknowledged. An alert the principal may not act on (or that is
    not there) is left as it is, as `acknowledge_alert` would have refused it (a demo user working an inbox)."""
    acknowledged = []
    for alert_id in alert_ids:
        try:
            _authorized_alert(session, principal, alert_id, now)
        except DomainError:
            continue
        workflow = _workflow(session, alert_id)
        if workflow.acknowledged_at is None:
            workflow.acknowledged_at, workflow.acknowledged_by = aware(now), principal.username
        acknowledged.append(alert_id)
    session.flush()
    return acknowledged


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
