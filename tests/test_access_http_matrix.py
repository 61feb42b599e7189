"""The authorisation matrix at the HTTP edge: every role against every access route that exists now.
Each care organisation has an active care relation to the person, so the answer shows what the role allows."""

from __future__ import annotations

import datetime as dt

import pytest

from helsefellesskap.access.model import CareRelationKind, Principal, Role
from helsefellesskap.access.service import grant_care_relation
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.db import Database
from helsefellesskap.settings import Settings
from register_support import OTHER_GP_OFFICE, load_register_with_gp_offices

PERSON = "17854101463"
HOSPITAL, MUNICIPALITY, GP_OFFICE, TRUST = "1060200", "2340300", "3990001", "1060000"
NOW = dt.datetime.now(dt.UTC)
ORGANISATION = {
    Role.HOSPITAL_PHYSICIAN: HOSPITAL, Role.HOSPITAL_NURSE: HOSPITAL, Role.DISCHARGE_COORDINATOR: HOSPITAL,
    Role.ALLOCATION_OFFICER: MUNICIPALITY, Role.MUNICIPAL_COORDINATOR: MUNICIPALITY,
    Role.MUNICIPAL_NURSE: MUNICIPALITY, Role.GP: GP_OFFICE, Role.ANALYST: TRUST, Role.PATIENT: None,
    Role.ADMINISTRATOR: TRUST, Role.COMPLIANCE_OFFICER: TRUST, Role.MESSAGING_SYSTEM: HOSPITAL,
}
CARE = {"hospital_physician", "hospital_nurse", "discharge_coordinator", "allocation_officer",
        "municipal_coordinator", "municipal_nurse", "gp"}
RELATIONS = ((HOSPITAL, CareRelationKind.HOSPITAL_STAY), (MUNICIPALITY, CareRelationKind.MUNICIPAL_SERVICE),
             (GP_OFFICE, CareRelationKind.GP))
OVERSIGHT = {"administrator", "compliance_officer"}
EMERGENCY = {"hospital_physician", "hospital_nurse", "municipal_nurse", "gp"}

# route -> (method, path, JSON body, success status, roles that succeed)
ROUTES = {
    "me": ("GET", "/api/v1/me", None, 200, {role.value for role in Role}),
    "my access log": ("GET", "/api/v1/me/access-log", None, 200, {"patient"}),
    "audit query": ("GET", "/api/v1/audit", None, 200, OVERSIGHT),
    "break the glass": ("POST", "/api/v1/emergency-access",
                        {"national_id": PERSON, "reason": "acute deterioration, no record access"}, 201, EMERGENCY),
    "emergency review list": ("GET", "/api/v1/emergency-access/review", None, 200, OVERSIGHT),
    "users list": ("GET", "/api/v1/users", None, 200, {"administrator"}),
    "user create": ("POST", "/api/v1/users", {"username": "new.user", "display_name": "New User",
                                              "roles": ["analyst"], "organisation_address": TRUST},
                    201, {"administrator"}),
    "indicator catalogue": ("GET", "/api/v1/indicators", None, 200, CARE | {"analyst", "administrator"}),
    "person care relations": ("GET", f"/api/v1/persons/{PERSON}/care-relations", None, 200, CARE | {"patient"}),
    "GP's list": ("GET", "/api/v1/boards/gp", None, 200, {"gp"}),
    "daily rates": ("GET", "/api/v1/daily-rates", None, 200,
                    {"discharge_coordinator", "allocation_officer", "municipal_coordinator", "administrator"}),
    "set a daily rate": ("PUT", "/api/v1/daily-rates/2026", {"nok_per_day": 6000, "source": "test figure"}, 200,
                         {"administrator"}),
    "add to care team": ("POST", f"/api/v1/persons/{PERSON}/care-relations",
                         {"organisation_address": OTHER_GP_OFFICE, "reference": "plan-1"}, 201,
                         {"discharge_coordinator", "municipal_coordinator"}),
}


@pytest.fixture
def settings(make_settings, database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(autouse=True)
def register(db: Database) -> None:
    """Users and care relations belong to organisations of the register."""
    load_register_with_gp_offices(db, GP_OFFICE, OTHER_GP_OFFICE)


def principal_for(db: Database, role: Role) -> Principal:
    with db.unit_of_work() as session:
        for organisation, kind in RELATIONS:
            grant_care_relation(session, PERSON, organisation, kind, f"{kind.value}-1", NOW - dt.timedelta(days=1))
        return create_user(session, NewUser(role.value.replace("_", "."), role.value, frozenset({role}),
                                            ORGANISATION[role], PERSON if role is Role.PATIENT else None), now=NOW)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_http_authorisation_matrix(client, db: Database, settings: Settings, role: Role, route: str) -> None:
    method, path, body, success, allowed = ROUTES[route]
    token = issue_dev_token(principal_for(db, role), settings, NOW)
    response = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    expected = success if role.value in allowed else 403
    assert response.status_code == expected, response.text
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("route", list(ROUTES))
def test_every_route_needs_authentication(client, route: str) -> None:
    method, path, body, _, _ = ROUTES[route]
    assert client.request(method, path, json=body).status_code == 401
