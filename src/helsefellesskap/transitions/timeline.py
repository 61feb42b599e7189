"""One person's pathway (stays with obligations, payment, alerts) and timeline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helsefellesskap.access.model import Principal
from helsefellesskap.transitions.views import StayView, TimelineEntry


def person_pathway(session: Session, principal: Principal, national_id: str, *, now: dt.datetime) -> list[StayView]:
    raise NotImplementedError


def person_timeline(session: Session, principal: Principal, national_id: str, *,
                    now: dt.datetime) -> list[TimelineEntry]:
    raise NotImplementedError
