"""One source for the care-relation grace period: an app created with its own settings decides a discharged
hospital stay's access by its own ``care_relation_grace_days`` on every route and page (the access routes, the
transitions routes and the web pages alike), never by the process's global settings (30 days here)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from helsefellesskap.access.model import CareRelationKind, Role
from helsefellesskap.access.service import grant_care_relation
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.api import create_app
from helsefellesskap.db import Database
from helsefellesskap.settings import get_settings
from register_support import load_register_with_gp_offices

PERSON = "17854101463"  # synthetic (Tenor)
HOSPITAL = "1060200"
PASSWORD = "correct horse battery"
NOW = dt.datetime.now(dt.UTC)  # the tokens and session cookies expire by the wall clock: no app clock here
API_PATHS = (f"/api/v1/persons/{PERSON}/care-relations", f"/api/v1/persons/{PERSON}/pathway",
             f"/api/v1/persons/{PERSON}/timeline")


def _discharged(db: Database, days_ago: int) -> str:
    """A hospital physician of the hospital the person was discharged from ``days_ago`` days ago."""
    load_register_with_gp_offices(db)
    discharged = NOW - dt.timedelta(days=days_ago)
    with db.unit_of_work() as session:
        create_user(session, NewUser("lege", "Lege", frozenset({Role.HOSPITAL_PHYSICIAN}), HOSPITAL, None, None,
                                     PASSWORD), now=NOW)
        grant_care_relation(session, PERSON, HOSPITAL, CareRelationKind.HOSPITAL_STAY, "stay-1",
                            discharged - dt.timedelta(days=5), discharged)
    return "lege"


def _client(make_settings, database_url: str, db: Database, grace_days: int) -> TestClient:
    app = create_app(make_settings(database_url, care_relation_grace_days=grace_days), database=db)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def global_grace() -> int:
    days = get_settings().care_relation_grace_days
    assert days == 30  # the process's default: the apps below differ from it
    return days


@pytest.mark.parametrize(("grace_days", "days_after", "status"), [(3, 10, 403), (60, 40, 200)])
def test_the_api_decides_by_the_apps_grace_not_the_global_one(make_settings, database_url, db, global_grace,
                                                              grace_days, days_after, status) -> None:
    username = _discharged(db, days_after)
    with _client(make_settings, database_url, db, grace_days) as client:
        login = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for path in API_PATHS:
            assert client.get(path, headers=headers).status_code == status, path


@pytest.mark.parametrize(("grace_days", "days_after", "status"), [(3, 10, 403), (60, 40, 200)])
def test_the_timeline_page_decides_by_the_apps_grace_not_the_global_one(make_settings, database_url, db,
                                                                         global_grace, grace_days, days_after,
                                                                         status) -> None:
    username = _discharged(db, days_after)
    with _client(make_settings, database_url, db, grace_days) as client:
        signed_in = client.post("/login", data={"username": username, "password": PASSWORD},
                                follow_redirects=False)
        assert signed_in.status_code == 303, signed_in.text
        assert client.get(f"/persons/{PERSON}").status_code == status


def test_settings_changed_on_a_running_app_are_the_ones_that_decide(make_settings, database_url, db) -> None:
    _discharged(db, 40)
    with _client(make_settings, database_url, db, 60) as client:
        settings = client.app.state.settings  # type: ignore[attr-defined]
        token = issue_dev_token(_principal(db), settings, NOW)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(API_PATHS[2], headers=headers).status_code == 200
        client.app.state.settings = settings.model_copy(update={"care_relation_grace_days": 3})  # type: ignore[attr-defined]
        assert client.get(API_PATHS[2], headers=headers).status_code == 403


def _principal(db: Database):  # type: ignore[no-untyped-def]
    from helsefellesskap.access.users import authenticate

    with db.unit_of_work() as session:
        return authenticate(session, "lege", PASSWORD)
