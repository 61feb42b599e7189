"""The alert inbox: alerts the principal's party must act on; acknowledge, assign, comment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helsefellesskap.access.model import Principal
from helsefellesskap.transitions.views import AlertView


def list_alerts(session: Session, principal: Principal, *, now: dt.datetime, status: str = "open",
                rule: str | None = None) -> list[AlertView]:
    raise NotImplementedError


def acknowledge_alert(session: Session, principal: Principal, alert_id: str, *, now: dt.datetime) -> AlertView:
    raise NotImplementedError


def assign_alert(session: Session, principal: Principal, alert_id: str, assignee: str, *,
                 now: dt.datetime) -> AlertView:
    raise NotImplementedError


def comment_alert(session: Session, principal: Principal, alert_id: str, text: str, *, now: dt.datetime) -> AlertView:
    raise NotImplementedError
