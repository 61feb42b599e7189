"""The payment ledger (forskrift § 13) from the stored projection: municipality x health trust x month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helsefellesskap.access.model import Principal
from helsefellesskap.transitions.views import LedgerRow


def payment_ledger(session: Session, principal: Principal, *, now: dt.datetime, municipality: str | None = None,
                   health_trust: str | None = None, month: str | None = None) -> list[LedgerRow]:
    raise NotImplementedError


def ledger_csv(rows: list[LedgerRow]) -> str:
    raise NotImplementedError
