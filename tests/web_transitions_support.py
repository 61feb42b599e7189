"""Data for the board, timeline and alerts page tests, put in through the real transitions service: the register,
the demo users, and stays sent as messages by the hospital's integration user (`integrasjon`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helsefellesskap.access.model import Role
from helsefellesskap.access.seeding import default_demo_organisations, seed_demo
from helsefellesskap.access.users import DEMO_PASSWORD, NewUser, create_user, get_user
from helsefellesskap.db import Database
from helsefellesskap.registry.reference import load_reference
from helsefellesskap.registry.service import load_register
from helsefellesskap.transitions import service
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

# The pages run on the wall clock (a signed-in session is checked against it), so the stays are placed relative
# to the time the tests start.
NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
OTHER_MUNICIPALITY = "3411"  # Ringsaker: same health trust as the demo municipality (Hamar, 3403)

# The patients of the seeded stays (synthetic national ids).
WAITING = synthetic_national_id(101)  # Hamar resident, ready for discharge, no answer: notice awaiting an answer
ADMITTED = synthetic_national_id(202)  # Hamar resident, admitted, mental health care
NEIGHBOUR = synthetic_national_id(303)  # Ringsaker resident, ready for discharge
STRANGER = synthetic_national_id(404)  # no stay anywhere


def builder(stay_id: str, patient: str, municipality: str = "3403") -> StayBuilder:
    reference = load_reference()
    return StayBuilder(stay_id, patient, hospital=default_demo_organisations().hospital, municipality=municipality,
                       municipality_address=reference.municipality_address(municipality))


def send(db: Database, messages: list[dict[str, Any]], now: dt.datetime = NOW) -> None:
    with db.unit_of_work() as session:
        integration = get_user(session, "integrasjon")
        for message in messages:
            receipt = service.receive_message(session, integration, message, now=now, source="test")
            assert receipt.status == "ok", receipt


def seed(db: Database, now: dt.datetime = NOW) -> None:
    """Register, demo users (and a case worker of the neighbouring municipality), three stays."""
    load_register(db, now=now - 400 * DAY)
    with db.unit_of_work() as session:
        seed_demo(session, now=now - 400 * DAY)
        create_user(session, NewUser("naboen", "Saksbehandler Nils Nabo", frozenset({Role.ALLOCATION_OFFICER}),
                                     load_reference().municipality_address(OTHER_MUNICIPALITY),
                                     password=DEMO_PASSWORD), now=now - 400 * DAY)
    waiting = builder("SIH-1", WAITING)
    waiting.admission(now - 5 * DAY)
    waiting.admission_notice(now - 5 * DAY + HOUR, expected_discharge=(now - DAY).date())
    waiting.ready(now - 2 * DAY)
    admitted = builder("SIH-2", ADMITTED)
    admitted.admission(now - 3 * DAY, service="mental_health")
    admitted.admission_notice(now - 3 * DAY + HOUR, expected_discharge=(now + 4 * DAY).date())
    neighbour = builder("SIH-3", NEIGHBOUR, OTHER_MUNICIPALITY)
    neighbour.admission(now - 4 * DAY)
    neighbour.admission_notice(now - 4 * DAY + HOUR)
    neighbour.ready(now - 6 * HOUR)
    send(db, waiting.messages + admitted.messages + neighbour.messages, now)


def sign_in(client: Any, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text
