"""The demo's organisations: addresses from the registry (the register shipped with the package), so the demo
users sit in organisations of one health community, and units of one party share its care relations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from helsefellesskap.access.model import CareRelationKind, Principal
from helsefellesskap.access.service import grant_care_relation
from helsefellesskap.access.users import DemoOrganisations, demo_patient_national_id, seed_demo_users
from helsefellesskap.errors import InvalidInput, NotFound
from helsefellesskap.registry import service as registry_service
from helsefellesskap.registry.reference import load_reference

DEMO_MUNICIPALITY = "3403"  # Hamar, in the Innlandet health community
DEMO_HOSPITAL = "si-hamar"  # Sykehuset Innlandet, Hamar
# GP offices are created organisations (registry addresses 3NNNNNN); the demo's has a fixed address.
DEMO_GP_OFFICE = "3990001"
DEMO_GP_OFFICE_NAME = "Demo legekontor Hamar"
DEMO_GP_LIST_SINCE = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def default_demo_organisations(session: Session | None = None) -> DemoOrganisations:
    """The hospital, municipality and trust of the demo municipality, as the registry addresses them (from the
    shipped reference data, so ``session`` is not needed; accepted for callers that pass one)."""
    reference = load_reference()
    trust = reference.health_trusts[reference.health_trust_for(DEMO_MUNICIPALITY)]
    hospital = next((h.address for h in trust.hospitals if h.id == DEMO_HOSPITAL), trust.hospitals[0].address)
    return DemoOrganisations(hospital=hospital, municipality=reference.municipality_address(DEMO_MUNICIPALITY),
                             gp_office=DEMO_GP_OFFICE, analytics=trust.address)


def register_demo_gp_office(session: Session, *, now: dt.datetime) -> bool:
    """Create the demo GP office in the registry when the register is loaded and the office is missing.
    Returns whether the office is registered (False: the register is not loaded yet)."""
    try:
        registry_service.get_organisation(session, DEMO_GP_OFFICE)
        return True
    except NotFound:
        pass
    try:
        registry_service.get_municipality(session, DEMO_MUNICIPALITY)
    except NotFound:
        return False
    registry_service.create_organisation(session, kind="gp_office", name=DEMO_GP_OFFICE_NAME,
                                         municipality_number=DEMO_MUNICIPALITY, address=DEMO_GP_OFFICE, now=now)
    return True


def seed_demo(session: Session, *, now: dt.datetime) -> list[Principal]:
    """The access part of the demo: the GP office, one user per role, and the demo patient on the demo GP's list
    (a care relation of kind gp). Idempotent. The users and the relation belong to organisations of the register,
    so it must be loaded first (InvalidInput otherwise, before anything is written)."""
    if not register_demo_gp_office(session, now=now):
        raise InvalidInput("The register is not loaded: the demo users belong to its organisations "
                           "(`helsefellesskap registry load` loads it).")
    organisations = default_demo_organisations()
    users = seed_demo_users(session, organisations, now=now)
    grant_care_relation(session, demo_patient_national_id(), organisations.gp_office, CareRelationKind.GP,
                        "gp-list-demo", DEMO_GP_LIST_SINCE)
    return users
