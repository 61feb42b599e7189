"""Work lists: the hospital's and the municipality's boards of stays, and open obligations.

Who sees what: a board lists only the stays of the principal's own party (the legal party behind their
organisation unit): the hospital board the stays admitted by the party's hospitals (the hospital_stay care
relation the ingest grants), the municipality board the stays the municipality pays for (its residents; the
municipal_service relation). Every person shown is audited: one entry per person per board read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import AccessBasis, Action, Principal, Resource
from helsefellesskap.errors import Forbidden, InvalidInput
from helsefellesskap.priority_groups.model import age_on
from helsefellesskap.registry.model import municipality_address
from helsefellesskap.transitions.calendar import oslo_date
from helsefellesskap.transitions.obligations import ObligationKind, ObligationStatus, obligation_status
from helsefellesskap.transitions.pathway import ENDED, READY, StayState
from helsefellesskap.transitions.patient_id import parse_patient
from helsefellesskap.transitions.projection import aware, maybe_aware, oslo_days_since
from helsefellesskap.transitions.readmodel import Names, municipality_ref, obligation_view
from helsefellesskap.transitions.store import AlertRow, ObligationRow, StayRow
from helsefellesskap.transitions.views import BoardPage, BoardRow, ObligationView

SORT_KEYS = ("days_waiting", "admitted_at", "ready_at", "payable_days", "state", "stay_id", "patient",
             "municipality", "open_alerts", "obligations_overdue")


def _states(state: str | None) -> list[str] | None:
    """None: the active stays (not ended); 'all': every stay; else one state."""
    if state is None:
        return [str(s) for s in StayState if s not in ENDED]
    if state == "all":
        return None
    if state not in {str(s) for s in StayState}:
        raise InvalidInput(f"Unknown state {state!r}; one of: all, {', '.join(str(s) for s in StayState)}.")
    return [state]


def _audit_rows(session: Session, principal: Principal, basis: AccessBasis, resource: Resource, patients: list[str],
                *, now: dt.datetime, reason: str) -> None:
    """One audit entry per person shown (the patient sees who looked), written together."""
    access.audit_persons(session, principal, action=Action.READ, resource=resource, now=now, basis=basis,
                         national_ids=list(dict.fromkeys(patients)), reason=reason)


# The board pages' sort keys (as the web shows them): the API's plus hospital, service, expected discharge.
PAGE_SORT_KEYS = (*SORT_KEYS, "hospital", "service", "expected_discharge")


class _Counts:
    """Per stay: obligations due and overdue, open alerts, the deadline of the answer still due."""

    def __init__(self, session: Session, ids: list[str], now: dt.datetime) -> None:
        self.due: dict[str, int] = defaultdict(int)
        self.overdue: dict[str, int] = defaultdict(int)
        self.alerts: dict[str, int] = defaultdict(int)
        self.answer_due: dict[str, dt.datetime] = {}
        if not ids:
            return
        for o in session.execute(  # the columns, not ORM objects: a board reads thousands
                select(ObligationRow.stay_id, ObligationRow.kind, ObligationRow.due_at, ObligationRow.met_at)
                .where(ObligationRow.stay_id.in_(ids)).order_by(ObligationRow.due_at, ObligationRow.id)):
            due_at, met_at = aware(o.due_at), maybe_aware(o.met_at)
            status = obligation_status(due_at, met_at, now)
            if status is ObligationStatus.due:
                self.due[o.stay_id] += 1
            elif status is ObligationStatus.missing:
                self.overdue[o.stay_id] += 1
            if o.kind == ObligationKind.municipal_response and met_at is None:
                self.answer_due[o.stay_id] = due_at  # the latest unanswered notice's deadline (forskrift §§ 11-12)
        for a in session.scalars(select(AlertRow.stay_id).where(AlertRow.stay_id.in_(ids),
                                                                AlertRow.resolved_at.is_(None))):
            self.alerts[a] += 1


def _stay_value(stay: StayRow, key: str, counts: _Counts, names: Names, now: dt.datetime, *, by_name: bool) -> Any:
    """The value a board sorts a stay on, from the stored row (the same as its BoardRow's), without building it;
    `by_name`: municipality and hospital by name (as the page shows them), else by number/address."""
    if key == "days_waiting":
        return oslo_days_since(maybe_aware(stay.ready_at), maybe_aware(stay.discharged_at) or now)
    if key == "municipality":
        return (municipality_ref(stay.municipality).name or stay.municipality) if by_name else stay.municipality
    if key == "hospital":
        ref = names.ref(stay.hospital)
        return ref.name or ref.address
    if key in ("admitted_at", "ready_at"):
        return maybe_aware(getattr(stay, key))
    if key == "obligations_overdue":
        return counts.overdue[stay.stay_id]
    if key == "open_alerts":
        return counts.alerts[stay.stay_id]
    return getattr(stay, key)


def _board(session: Session, principal: Principal, query: Select[StayRow], *, now: dt.datetime, sort: str,
           descending: bool, basis: AccessBasis, resource: Resource, service: str | None = None,
           alerts_only: bool = False, limit: int | None = None, offset: int = 0,
           page_order: bool = False) -> tuple[BoardPage, list[StayRow]]:
    """Every stay of the query counted and sorted from its stored row; only the page (`offset`, `limit`) is built
    into BoardRows and audited. `page_order`: the page's order (rows without a value last in either direction,
    names by name); else the API's (rows without a value first when ascending, municipalities by number).
    Also every stay that matches, sorted (for totals over more than the page)."""
    keys = PAGE_SORT_KEYS if page_order else SORT_KEYS
    if sort not in keys:
        raise InvalidInput(f"Unknown sort {sort!r}; one of: {', '.join(keys)}.")
    if offset < 0 or (limit is not None and limit < 0):
        raise InvalidInput("limit and offset are 0 or more.")
    stays = list(session.scalars(query))
    counts = _Counts(session, [s.stay_id for s in stays], now)
    names = Names(session)
    if service is not None:
        stays = [s for s in stays if s.service == service]
    if alerts_only:
        stays = [s for s in stays if counts.alerts[s.stay_id] > 0]
    values = {s.stay_id: _stay_value(s, sort, counts, names, now, by_name=page_order) for s in stays}
    if page_order:
        present = [s for s in stays if values[s.stay_id] is not None]
        present.sort(key=lambda s: (values[s.stay_id], s.stay_id), reverse=descending)
        stays = present + [s for s in stays if values[s.stay_id] is None]
    else:
        stays.sort(key=lambda s: (values[s.stay_id] is not None, values[s.stay_id] if values[s.stay_id] is not None
                                  else 0, s.stay_id), reverse=descending)
    shown = stays[offset:] if limit is None else stays[offset:offset + limit]
    rows = [_board_row(s, names, now, counts.due[s.stay_id], counts.overdue[s.stay_id], counts.alerts[s.stay_id],
                       counts.answer_due.get(s.stay_id)) for s in shown]
    _audit_rows(session, principal, basis, resource, [r.patient for r in rows], now=now,
                reason=f"listed on the {'hospital' if resource is Resource.BOARD_HOSPITAL else 'municipality'} board")
    return BoardPage(total=len(stays), offset=offset, rows=rows), stays


def _board_row(stay: StayRow, names: Names, now: dt.datetime, due: int, overdue: int, alerts: int,
               answer_due_at: dt.datetime | None) -> BoardRow:
    person = parse_patient(stay.patient)
    age = age_on(person.birth_date, oslo_date(now)) if person.birth_date else None
    ready_at = maybe_aware(stay.ready_at)
    waiting_until = maybe_aware(stay.discharged_at) or now
    return BoardRow(
        stay_id=stay.stay_id, patient=stay.patient, age=age, sex=person.sex or None, hospital=names.ref(stay.hospital),
        municipality=municipality_ref(stay.municipality), service=stay.service, state=stay.state,
        admitted_at=maybe_aware(stay.admitted_at), expected_discharge=stay.expected_discharge, ready_at=ready_at,
        answer=stay.answer, receive_from=maybe_aware(stay.receive_from),
        days_waiting=oslo_days_since(ready_at, waiting_until), payable_days=stay.payable_days,
        amount_nok=Decimal(stay.amount_ore) / 100, obligations_due=due, obligations_overdue=overdue,
        open_alerts=alerts, priority_groups=json.loads(stay.priority_groups), answer_due_at=answer_due_at)


def _party(session: Session, principal: Principal) -> str:
    party = access.principal_party(session, principal)
    if party is None:
        raise Forbidden("You may only act for your own organisation.")
    return party


def hospital_board(session: Session, principal: Principal, *, now: dt.datetime, organisation: str | None = None,
                   state: str | None = None, municipality: str | None = None, sort: str = "days_waiting",
                   descending: bool = True, limit: int | None = None, offset: int = 0) -> list[BoardRow]:
    """The stays of the principal's hospital party (one hospital of it with `organisation`); active stays
    unless `state` is given ('all' for every stay); `limit`/`offset` a page of them (default: all)."""
    return hospital_board_page(session, principal, now=now, organisation=organisation, state=state,
                               municipality=municipality, sort=sort, descending=descending, limit=limit,
                               offset=offset, page_order=False).rows


def hospital_board_page(session: Session, principal: Principal, *, now: dt.datetime, organisation: str | None = None,
                        state: str | None = None, municipality: str | None = None, service: str | None = None,
                        alerts_only: bool = False, sort: str = "days_waiting", descending: bool = True,
                        limit: int | None = None, offset: int = 0, page_order: bool = True) -> BoardPage:
    """A page of the hospital board and how many stays match in all: filtered (also by `service` and
    `alerts_only`) and sorted across every stay, then only the page is built and audited. The sort is the web
    page's (`PAGE_SORT_KEYS`; no value last either way, municipality and hospital by name) unless `page_order`
    is False (the API's, `SORT_KEYS`)."""
    basis = access.authorize(session, principal, Resource.BOARD_HOSPITAL, Action.READ, now=now,
                             organisation=organisation)
    party = _party(session, principal)
    query = select(StayRow).where(StayRow.hospital_party == party)
    if organisation is not None and organisation != party:
        query = query.where(StayRow.hospital == organisation)
    if (states := _states(state)) is not None:
        query = query.where(StayRow.state.in_(states))
    if municipality is not None:
        query = query.where(StayRow.municipality == municipality)
    return _board(session, principal, query, now=now, sort=sort, descending=descending, basis=basis,
                  resource=Resource.BOARD_HOSPITAL, service=service, alerts_only=alerts_only, limit=limit,
                  offset=offset, page_order=page_order)[0]


def municipality_board(session: Session, principal: Principal, *, now: dt.datetime, municipality: str | None = None,
                       state: str | None = None, sort: str = "days_waiting", descending: bool = True,
                       limit: int | None = None, offset: int = 0) -> list[BoardRow]:
    """The stays the principal's municipality pays for (its residents in hospital); `limit`/`offset` a page of
    them (default: all)."""
    return municipality_board_page(session, principal, now=now, municipality=municipality, state=state, sort=sort,
                                   descending=descending, limit=limit, offset=offset, page_order=False).rows


class BoardTotals(BaseModel):
    """What the municipal board sums over every stay that matches (not only the page shown); no person data."""

    awaiting: int = Field(description="Readiness notices awaiting the municipality's answer.")
    ready: int = Field(description="Patients ready for discharge (answered or not).")
    payable_days: int
    amount_nok: Decimal


class MunicipalBoardPage(BoardPage):
    totals: BoardTotals


def _totals(stays: list[StayRow]) -> BoardTotals:
    return BoardTotals(awaiting=sum(1 for s in stays if s.state == StayState.ready_for_discharge),
                       ready=sum(1 for s in stays if s.state in READY),
                       payable_days=sum(s.payable_days for s in stays),
                       amount_nok=Decimal(sum(s.amount_ore for s in stays)) / 100)


def municipality_board_page(session: Session, principal: Principal, *, now: dt.datetime,
                            municipality: str | None = None, state: str | None = None, service: str | None = None,
                            alerts_only: bool = False, stay_id: str | None = None, sort: str = "days_waiting",
                            descending: bool = True, limit: int | None = None, offset: int = 0,
                            page_order: bool = True) -> MunicipalBoardPage:
    """A page of the municipality board, how many stays match in all and their totals: filtered (also by
    `service`, `alerts_only`, and `stay_id`: that stay alone, if it is on the board) and sorted across every
    stay, then only the page is built and audited. The sort as `hospital_board_page`'s."""
    target = municipality_address(municipality) if municipality else None
    basis = access.authorize(session, principal, Resource.BOARD_MUNICIPALITY, Action.READ, now=now,
                             organisation=target)
    party = _party(session, principal)
    query = select(StayRow).where(StayRow.municipality_party == party)
    if (states := _states(state)) is not None:
        query = query.where(StayRow.state.in_(states))
    if stay_id is not None:
        query = query.where(StayRow.stay_id == stay_id)
    page, matched = _board(session, principal, query, now=now, sort=sort, descending=descending, basis=basis,
                           resource=Resource.BOARD_MUNICIPALITY, service=service, alerts_only=alerts_only,
                           limit=limit, offset=offset, page_order=page_order)
    return MunicipalBoardPage(total=page.total, offset=page.offset, rows=page.rows, totals=_totals(matched))


def work_list_basis(session: Session, principal: Principal, *, now: dt.datetime,
                    organisation: str | None = None) -> tuple[AccessBasis, Resource]:
    """Hospital staff read their hospital's work lists, municipal staff their municipality's."""
    for resource in (Resource.BOARD_HOSPITAL, Resource.BOARD_MUNICIPALITY):
        try:
            return access.authorize(session, principal, resource, Action.READ, now=now,
                                    organisation=organisation), resource
        except Forbidden:
            continue
    raise Forbidden("You have no access to this resource.")


def open_obligations(session: Session, principal: Principal, *, now: dt.datetime,
                     organisation: str | None = None) -> list[ObligationView]:
    """Obligations the principal's party owes and has not met (due, or missing once the deadline passed),
    earliest deadline first."""
    basis, resource = work_list_basis(session, principal, now=now, organisation=organisation)
    party = _party(session, principal)
    query = (select(ObligationRow).where(ObligationRow.party_address == party, ObligationRow.met_at.is_(None))
             .order_by(ObligationRow.due_at, ObligationRow.id))
    views = [obligation_view(row, now) for row in session.scalars(query)]
    _audit_rows(session, principal, basis, resource, [v.patient for v in views], now=now,
                reason="listed among open obligations")
    return views
