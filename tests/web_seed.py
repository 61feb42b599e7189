"""Test data for the web pages of the dashboard, ledger and audit log: the register, the demo users, a tiny demo
twin (generated once per session), and stays fed through the transitions service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helsefellesskap.access.seeding import DEMO_MUNICIPALITY, default_demo_organisations, seed_demo
from helsefellesskap.access.users import DEMO_PASSWORD, get_user
from helsefellesskap.db import Database
from helsefellesskap.demo_twin import generate_demo_twin
from helsefellesskap.registry.service import load_register
from helsefellesskap.transitions import service as transitions
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

TINY_SCALE = 0.002  # about 740 persons of Innlandet: small cells everywhere, so suppression shows


def seed_users(db: Database) -> None:
    load_register(db)
    with db.unit_of_work() as session:
        seed_demo(session, now=dt.datetime.now(dt.UTC))


def tiny_twin(directory: Path) -> Path:
    if not (directory / "run.json").is_file():
        generate_demo_twin(directory, today=dt.date.today(), scale=TINY_SCALE)
    return directory


def feed_waiting_stay(db: Database, *, now: dt.datetime, stay_id: str = "S-LEDGER-1", patient_n: int = 4242) -> str:
    """A Hamar resident at the demo hospital: ready ten days ago, the municipality could not receive, discharged
    two days ago — payable days for Hamar. Fed as the hospital's and the municipality's systems would."""
    organisations = default_demo_organisations()
    patient = synthetic_national_id(patient_n)
    stay = StayBuilder(stay_id, patient, hospital=organisations.hospital, municipality=DEMO_MUNICIPALITY,
                       municipality_address=organisations.municipality, gp="3990001")
    day = dt.timedelta(days=1)
    admitted = (now - 20 * day).replace(hour=8, minute=0, second=0, microsecond=0)
    stay.admission(admitted)
    stay.admission_notice(admitted + dt.timedelta(hours=2))
    stay.ready(admitted + 10 * day)
    stay.response(admitted + 10 * day + dt.timedelta(hours=3), can_receive=False)
    stay.discharge(admitted + 18 * day)
    with db.unit_of_work() as session:
        hospital_system = get_user(session, "integrasjon")
        municipal_officer = get_user(session, "tildeling")
        for message in stay.messages:
            sender = municipal_officer if message["type"] == "municipal_response" else hospital_system
            transitions.receive_message(session, sender, message, now=now, source="test")
    return patient


def sign_in_client(client, username: str):
    return client.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)
