"""API fuzzing with schemathesis against the app's own OpenAPI schema (in-process ASGI): for every operation a
bounded, derandomised set of generated requests — valid and invalid — must get no 5xx, and every response must
match the schema the operation documents. Authenticated as a user holding every role, with a care relation."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from helsefellesskap.access.model import CareRelationKind, Principal, Role
from helsefellesskap.access.service import grant_care_relation
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.api import create_app
from helsefellesskap.db import Database
from helsefellesskap.settings import Settings
from register_support import load_register_with_gp_offices

PERSON = "17854101463"
HOSPITAL = "1060200"
MAX_EXAMPLES = 12


@pytest.fixture
def app_settings(make_settings, database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def everyone(db: Database) -> Principal:
    """One user holding every role, with a care relation of their hospital to the person."""
    now = dt.datetime.now(dt.UTC)
    load_register_with_gp_offices(db, now=now)
    with db.unit_of_work() as session:
        grant_care_relation(session, PERSON, HOSPITAL, CareRelationKind.HOSPITAL_STAY, "stay-1",
                            now - dt.timedelta(days=1))
        return create_user(session, NewUser("alle", "Alle Roller", frozenset(Role), HOSPITAL, PERSON, "9144900",
                                            "a long enough password"), now=now)


@pytest.fixture
def bearer(everyone: Principal, app_settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(everyone, app_settings, dt.datetime.now(dt.UTC))}"}


@pytest.fixture
def serving(db: Database, app_settings: Settings) -> None:
    """Point the app the schema was loaded from at the test database and settings (routes read both from
    ``app.state``). The schema itself does not depend on them."""
    APP.state.database, APP.state.settings = db, app_settings


# The schema is loaded once, at collection, from an app with an unused in-memory database (`serving` gives it
# the test database and settings).
APP = create_app(Settings(database_url="sqlite://", dev_identity_provider=True))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_has_no_server_errors_and_keeps_its_schema(case, serving: None, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error, response_schema_conformance])
