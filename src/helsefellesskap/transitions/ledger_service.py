"""The payment ledger (forskrift § 13) from the stored projection: payable days and amounts per paying
municipality x health trust x month, the same lines as `transitions ledger` computes from a log.

Who sees what: municipal staff (allocation office, coordinators) see their municipality's lines, hospital
discharge coordinators their health trust's. The ledger holds no person data (counts and amounts). A stay still
waiting counts its days up to the latest refold of the stay.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import MUNICIPAL_ROLES, Action, Principal, Resource
from helsefellesskap.errors import InvalidInput, NotFound
from helsefellesskap.registry.organisations import get_organisation
from helsefellesskap.transitions.readmodel import municipality_ref
from helsefellesskap.transitions.store import PayableMonthRow
from helsefellesskap.transitions.views import LedgerRow

CSV_COLUMNS = ("municipality", "municipality_name", "health_trust", "health_trust_name", "month", "payable_days",
               "unpriced_days", "amount_ore", "amount_nok")


def _trust_names() -> dict[str, str]:
    from helsefellesskap.registry.reference import load_reference

    return {trust_id: trust.name for trust_id, trust in load_reference().health_trusts.items()}


def _municipality_number(session: Session, party: str | None) -> str | None:
    try:
        return get_organisation(session, party).municipality_number if party else None
    except NotFound:
        return None


def payment_ledger(session: Session, principal: Principal, *, now: dt.datetime, municipality: str | None = None,
                   health_trust: str | None = None, month: str | None = None) -> list[LedgerRow]:
    access.authorize(session, principal, Resource.LEDGER, Action.READ, now=now)
    if month is not None and not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month):
        raise InvalidInput("month is YYYY-MM.")
    party = access.principal_party(session, principal)
    query = select(PayableMonthRow.municipality, PayableMonthRow.health_trust, PayableMonthRow.month,
                   func.sum(PayableMonthRow.payable_days), func.sum(PayableMonthRow.amount_ore),
                   func.sum(PayableMonthRow.unpriced_days))
    if principal.has_any(MUNICIPAL_ROLES):  # a municipality's own lines
        query = query.where(PayableMonthRow.municipality == _municipality_number(session, party))
    else:  # a health trust's own lines
        query = query.where(PayableMonthRow.hospital_party == party)
    if municipality is not None:
        query = query.where(PayableMonthRow.municipality == municipality)
    if health_trust is not None:
        query = query.where(PayableMonthRow.health_trust == health_trust)
    if month is not None:
        query = query.where(PayableMonthRow.month == month)
    query = query.group_by(PayableMonthRow.municipality, PayableMonthRow.health_trust, PayableMonthRow.month).order_by(
        PayableMonthRow.municipality, PayableMonthRow.health_trust, PayableMonthRow.month)
    trusts = _trust_names()
    return [LedgerRow(municipality=m, municipality_name=municipality_ref(m).name, health_trust=t,
                      health_trust_name=trusts.get(t), month=mo, payable_days=int(days), unpriced_days=int(u or 0),
                      amount_ore=int(o or 0), amount_nok=Decimal(int(o or 0)) / 100)
            for m, t, mo, days, o, u in session.execute(query)]


def ledger_csv(rows: list[LedgerRow]) -> str:
    """The ledger as CSV (comma-separated, a header line, amounts in NOK with two decimals and in øre)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.municipality, row.municipality_name or "", row.health_trust, row.health_trust_name or "",
                         row.month, row.payable_days, row.unpriced_days, row.amount_ore, f"{row.amount_nok:.2f}"])
    return out.getvalue()

