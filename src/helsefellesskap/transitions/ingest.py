"""Receiving messages: validate, store (idempotent by message id), refold the stay, receipt."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helsefellesskap.access.model import Principal
from helsefellesskap.transitions.views import ReceiptView


def receive_message(session: Session, principal: Principal, payload: dict[str, object] | bytes, *,
                    now: dt.datetime, source: str | None = None) -> ReceiptView:
    raise NotImplementedError


def answer_readiness(session: Session, principal: Principal, stay_id: str, *, can_receive: bool,
                     receive_from: dt.datetime | None, now: dt.datetime) -> ReceiptView:
    raise NotImplementedError
