"""A GP's list for the tests of the service and the page: stays sent through the real transitions service, the
discharge summaries (epikriser) addressed to the demo GP office (which gives it the `gp` care relation)."""

from __future__ import annotations

from helsefellesskap.access.model import Role
from helsefellesskap.access.seeding import DEMO_GP_OFFICE, default_demo_organisations, demo_patient_national_id
from helsefellesskap.access.users import DEMO_PASSWORD, NewUser, create_user
from helsefellesskap.db import Database
from helsefellesskap.registry.reference import load_reference
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id
from register_support import OTHER_GP_OFFICE, load_register_with_gp_offices
from web_transitions_support import DAY, HOUR, NOW, seed, send

IN_HOSPITAL = demo_patient_national_id()  # on the demo GP's list (seeded relation), in hospital, ready
RECEIVED = synthetic_national_id(511)  # discharged 10 days ago, epikrise arrived the next day
DUE = synthetic_national_id(512)  # on the list since an earlier stay; discharged 2 days ago, epikrise not yet due
MISSING = synthetic_national_id(513)  # on the list since an earlier stay; discharged 12 days ago, no epikrise
LONG_AGO = synthetic_national_id(514)  # on the list, discharged 40 days ago: not recent
OTHER_GPS = synthetic_national_id(515)  # discharged 3 days ago, epikrise to another GP office
EXPECTED = [IN_HOSPITAL, DUE, RECEIVED, MISSING]  # in hospital first, then the latest discharge first


def _stay(stay_id: str, patient: str, gp: str = DEMO_GP_OFFICE) -> StayBuilder:
    reference = load_reference()
    return StayBuilder(stay_id, patient, hospital=default_demo_organisations().hospital, municipality="3403",
                       municipality_address=reference.municipality_address("3403"), gp=gp)


def _discharged(stay_id: str, patient: str, days_ago: int, *, summary_after: int | None,
                gp: str = DEMO_GP_OFFICE) -> list[dict[str, object]]:
    stay = _stay(stay_id, patient, gp)
    stay.admission(NOW - (days_ago + 4) * DAY)
    stay.discharge(NOW - days_ago * DAY, destination="home")
    if summary_after is not None:
        stay.discharge_summary(NOW - days_ago * DAY + summary_after * HOUR)
    return stay.messages


def seed_gp_list(db: Database) -> None:
    """The board seed (register, demo users, three stays of persons not on the GP's list) and the GP's patients;
    a GP of another office (`annenlege`)."""
    seed(db)
    load_register_with_gp_offices(db, OTHER_GP_OFFICE, now=NOW - 400 * DAY)
    with db.unit_of_work() as session:
        create_user(session, NewUser("annenlege", "Fastlege Anne Annen", frozenset({Role.GP}), OTHER_GP_OFFICE,
                                     password=DEMO_PASSWORD), now=NOW - 400 * DAY)
    current = _stay("GP-1", IN_HOSPITAL)
    current.admission(NOW - 3 * DAY)
    current.ready(NOW - DAY)
    send(db, current.messages
         + _discharged("GP-2", RECEIVED, 10, summary_after=24)
         + _discharged("GP-3a", DUE, 200, summary_after=24) + _discharged("GP-3", DUE, 2, summary_after=None)
         + _discharged("GP-4a", MISSING, 300, summary_after=24) + _discharged("GP-4", MISSING, 12, summary_after=None)
         + _discharged("GP-5", LONG_AGO, 40, summary_after=24)
         + _discharged("GP-6", OTHER_GPS, 3, summary_after=24, gp=OTHER_GP_OFFICE))
