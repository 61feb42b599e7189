"""The GP's work list ("Mine pasienter"): the persons on the GP office's list who are in hospital now or were
discharged in the last `RECENT_DAYS` days, with the stay's hospital and state, the person's open alerts and
whether the discharge summary (epikrise) has arrived.

Who sees what: only the GP role (the policy's `board.gp`, organisation scope), and only the persons the
principal's party has an active care relation of kind `gp` with (access.service.persons_related_to_party) —
the same ground on which the policy lets the GP open each person's timeline. Every person shown is audited:
one entry per person per read, appended together (as the boards do). A fixed number of queries, whatever the
number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Action, CareRelationKind, Principal, Resource
from helsefellesskap.errors import Forbidden
from helsefellesskap.priority_groups.model import age_on
from helsefellesskap.transitions.calendar import oslo_date
from helsefellesskap.transitions.obligations import ObligationKind, ObligationStatus, obligation_status
from helsefellesskap.transitions.pathway import ENDED, READY, StayState
from helsefellesskap.transitions.patient_id import parse_patient
from helsefellesskap.transitions.projection import aware, maybe_aware
from helsefellesskap.transitions.readmodel import Names
from helsefellesskap.transitions.store import AlertRow, ObligationRow, StayRow
from helsefellesskap.transitions.views import OrganisationRef

# "Recently discharged": the window in which a GP follows up a discharge — the epikrise is due within days
# (rules.discharge_summary_deadline, 7 [B]) and most readmissions counted by the indicators happen within 30
# days (the 30-day readmission indicator). A choice of this platform, not a rule [B].
RECENT_DAYS = 30
_CHUNK = 500  # persons per IN list (SQLite's limit on bound parameters)


class GpListRow(BaseModel):
    patient: str
    age: int | None
    sex: str | None
    stay_id: str
    hospital: OrganisationRef
    state: str
    in_hospital: bool = Field(description="Admitted and not discharged.")
    ready_for_discharge: bool = Field(description="In hospital and declared ready for discharge (utskrivningsklar).")
    admitted_at: dt.datetime | None
    discharged_at: dt.datetime | None
    open_alerts: int = Field(description="Open alerts on any of the person's stays.")
    discharge_summary: str = Field(
        description="received | due | missing (its deadline passed) | not_yet (still in hospital) | "
                    "not_owed (the stay ended without one owed, e.g. the person died)")
    discharge_summary_at: dt.datetime | None = Field(description="When the discharge summary arrived.")


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start:start + _CHUNK])


def _is_recent(stay: StayRow, since: dt.datetime) -> bool:
    if stay.state == StayState.not_admitted or stay.admitted_at is None:
        return False
    if stay.state not in ENDED:
        return True
    discharged = maybe_aware(stay.discharged_at)
    return discharged is not None and discharged >= since


def _latest(stays: list[StayRow]) -> StayRow:
    """The stay to show for a person: the one in hospital, else the latest admission."""
    return max(stays, key=lambda s: (s.state not in ENDED, aware(s.admitted_at) if s.admitted_at else aware(
        dt.datetime.min), s.stay_id))


def gp_list(session: Session, principal: Principal, *, now: dt.datetime,
            recent_days: int = RECENT_DAYS) -> list[GpListRow]:
    """The GP's patients with a recent hospital stay: in hospital first (latest admission first), then the
    discharged (latest discharge first)."""
    basis = access.authorize(session, principal, Resource.BOARD_GP, Action.READ, now=now)
    party = access.principal_party(session, principal)
    if party is None:
        raise Forbidden("You may only act for your own organisation.")
    persons = sorted(access.persons_related_to_party(session, party, CareRelationKind.GP, now=now))
    since = now - dt.timedelta(days=recent_days)
    by_person: dict[str, list[StayRow]] = defaultdict(list)
    alerts: dict[str, int] = defaultdict(int)
    for chunk in _chunks(persons):
        for stay in session.scalars(select(StayRow).where(StayRow.patient.in_(chunk))):
            if _is_recent(stay, since):
                by_person[stay.patient].append(stay)
    shown = {person: _latest(stays) for person, stays in by_person.items()}
    summaries: dict[str, tuple[dt.datetime, dt.datetime | None]] = {}
    for chunk in _chunks(sorted(shown)):
        for patient in session.scalars(select(AlertRow.patient).where(AlertRow.patient.in_(chunk),
                                                                      AlertRow.resolved_at.is_(None))):
            alerts[patient] += 1
    for chunk in _chunks(sorted(s.stay_id for s in shown.values())):
        for o in session.execute(select(ObligationRow.stay_id, ObligationRow.due_at, ObligationRow.met_at)
                                 .where(ObligationRow.stay_id.in_(chunk),
                                        ObligationRow.kind == ObligationKind.discharge_summary)):
            summaries[o.stay_id] = (aware(o.due_at), maybe_aware(o.met_at))
    names = Names(session)
    rows = [_row(stay, names, now, alerts[person], summaries.get(stay.stay_id)) for person, stay in shown.items()]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (r.in_hospital, (r.admitted_at or epoch) if r.in_hospital else (r.discharged_at or epoch),
                             r.patient), reverse=True)
    access.audit_persons(session, principal, action=Action.READ, resource=Resource.BOARD_GP, now=now, basis=basis,
                         national_ids=[r.patient for r in rows], reason="listed on the GP's list of patients")
    return rows


def _row(stay: StayRow, names: Names, now: dt.datetime, alerts: int,
         summary: tuple[dt.datetime, dt.datetime | None] | None) -> GpListRow:
    person = parse_patient(stay.patient)
    in_hospital = stay.state not in ENDED
    status, arrived = ("not_yet" if in_hospital else "not_owed"), None
    if summary is not None:
        # The epikrise to the GP: due within rules.discharge_summary_deadline of discharge (obligations.SOURCES).
        due_at, arrived = summary
        status = ("received" if arrived is not None
                  else "missing" if obligation_status(due_at, None, now) is ObligationStatus.missing else "due")
    return GpListRow(
        patient=stay.patient, age=age_on(person.birth_date, oslo_date(now)) if person.birth_date else None,
        sex=person.sex or None, stay_id=stay.stay_id, hospital=names.ref(stay.hospital), state=stay.state,
        in_hospital=in_hospital, ready_for_discharge=stay.state in READY,
        admitted_at=maybe_aware(stay.admitted_at), discharged_at=maybe_aware(stay.discharged_at),
        open_alerts=alerts, discharge_summary=status, discharge_summary_at=arrived)
