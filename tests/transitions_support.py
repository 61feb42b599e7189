"""Helpers of the transitions service tests: users of the demo hospital and municipality, stays as messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.db import Database
from helsefellesskap.registry.service import load_register
from helsefellesskap.settings import Settings
from helsefellesskap.transitions.calendar import OSLO
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

HOSPITAL, TRUST = "1060200", "1060000"  # a hospital of Sykehuset Innlandet and its trust (register)
MUNICIPALITY, MUNICIPALITY_ADDRESS = "3403", "2340300"  # Hamar
OTHER_MUNICIPALITY, OTHER_MUNICIPALITY_ADDRESS = "3405", "2340500"  # Lillehammer
OTHER_HOSPITAL = "1030100"  # a hospital of another trust
NOW = dt.datetime(2024, 3, 20, 12, tzinfo=dt.UTC)
PERSON = synthetic_national_id(5)
OTHER_PERSON = synthetic_national_id(6)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=OSLO)


def user(db: Database, username: str, role: Role, organisation: str | None) -> Principal:
    with db.unit_of_work() as session:
        return create_user(session, NewUser(username, username.title(), frozenset({role}), organisation, None, None,
                                            None), now=NOW)


def setup_parties(db: Database) -> dict[str, Principal]:
    load_register(db)
    return {
        "hospital_system": user(db, "his", Role.MESSAGING_SYSTEM, HOSPITAL),
        "municipal_system": user(db, "kis", Role.MESSAGING_SYSTEM, MUNICIPALITY_ADDRESS),
        "coordinator": user(db, "coord", Role.DISCHARGE_COORDINATOR, HOSPITAL),
        "nurse": user(db, "nurse", Role.HOSPITAL_NURSE, HOSPITAL),
        "allocation": user(db, "alloc", Role.ALLOCATION_OFFICER, MUNICIPALITY_ADDRESS),
        "other_allocation": user(db, "alloc2", Role.ALLOCATION_OFFICER, OTHER_MUNICIPALITY_ADDRESS),
        "other_nurse": user(db, "nurse2", Role.HOSPITAL_NURSE, OTHER_HOSPITAL),
    }


def auth(settings: Settings, principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(principal, settings, dt.datetime.now(dt.UTC))}"}


def builder(stay_id: str = "S1", patient: str = PERSON, municipality: str = MUNICIPALITY,
            municipality_address: str = MUNICIPALITY_ADDRESS) -> StayBuilder:
    return StayBuilder(stay_id, patient, hospital=HOSPITAL, municipality=municipality,
                       municipality_address=municipality_address, gp="3990001")


def waiting_stay(stay_id: str = "S1", patient: str = PERSON, *, discharged: bool = True) -> list[dict[str, Any]]:
    """Admitted 1 March, ready 4 March, the municipality cannot receive; discharged 7 March (3 payable days)."""
    stay = builder(stay_id, patient)
    stay.admission(at(1))
    stay.admission_notice(at(1, 12))
    stay.ready(at(4))
    stay.response(at(4, 13), can_receive=False)
    if discharged:
        stay.discharge(at(7), destination="nursing_home")
        stay.discharge_report(at(7, 11))
    return stay.messages
