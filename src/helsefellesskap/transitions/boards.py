"""Work lists: the hospital's and the municipality's boards of stays, and open obligations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helsefellesskap.access.model import Principal
from helsefellesskap.transitions.views import BoardRow, ObligationView


def hospital_board(session: Session, principal: Principal, *, now: dt.datetime, organisation: str | None = None,
                   state: str | None = None, municipality: str | None = None, sort: str = "days_waiting",
                   descending: bool = True) -> list[BoardRow]:
    raise NotImplementedError


def municipality_board(session: Session, principal: Principal, *, now: dt.datetime, municipality: str | None = None,
                       state: str | None = None, sort: str = "days_waiting", descending: bool = True) -> list[BoardRow]:
    raise NotImplementedError


def open_obligations(session: Session, principal: Principal, *, now: dt.datetime,
                     organisation: str | None = None) -> list[ObligationView]:
    raise NotImplementedError
