"""Access control over HTTP: sign-in and its rate limit, care relations deciding who sees a person, emergency
access and its review, the patient's access log, compliance queries, user administration, hardening."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import Request, Response

from helsefellesskap.access import audit
from helsefellesskap.access.http import SESSION_COOKIE, check_production_settings, login, logout
from helsefellesskap.access.model import CareRelationKind, Principal, Role
from helsefellesskap.access.service import grant_care_relation
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.db import Database
from helsefellesskap.settings import Settings
from register_support import load_register_with_gp_offices

PERSON = "17854101463"  # synthetic (Tenor)
OTHER_PERSON = "03823800761"  # synthetic (Tenor)
NOBODY = "26887102243"  # synthetic, valid, in no record
HOSPITAL, MUNICIPALITY, GP_OFFICE, TRUST = "1060200", "2340300", "3990001", "1060000"
TRUST_ELSEWHERE = "1030000"  # Oslo universitetssykehus
NOW = dt.datetime.now(dt.UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(make_settings, database_url: str) -> Settings:
    return make_settings(database_url, login_max_failures=3)


@pytest.fixture(autouse=True)
def register(db: Database) -> None:
    """Users and care relations belong to organisations of the register (and the demo GP office)."""
    load_register_with_gp_offices(db)


def user(db: Database, username: str, role: Role, organisation: str | None = HOSPITAL, *,
         national_id: str | None = None, password: str | None = None) -> Principal:
    with db.unit_of_work() as session:
        return create_user(session, NewUser(username, username.title(), frozenset({role}), organisation,
                                            national_id, None, password), now=NOW)


def auth(settings: Settings, principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(principal, settings, dt.datetime.now(dt.UTC))}"}


def relate(db: Database, organisation: str, kind: CareRelationKind, *, person: str = PERSON,
           start: dt.datetime = NOW - dt.timedelta(days=2), end: dt.datetime | None = None) -> None:
    with db.unit_of_work() as session:
        grant_care_relation(session, person, organisation, kind, f"{kind.value}-1", start, end)


def entries(db: Database, **criteria: object) -> list[audit.AuditRecord]:
    with db.reading() as session:
        return [audit.record_of(r) for r in audit.query(session, audit.AuditFilter(**criteria))]  # type: ignore[arg-type]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- identity -----------------------------------------------------------------------------------------------

def test_without_a_token_the_api_answers_401_problem(client) -> None:
    response = client.get("/api/v1/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}), 401)


def test_the_password_grant_issues_a_token_for_me(client, db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)
    response = client.post("/api/v1/auth/token", data={"username": "lege", "password": PASSWORD,
                                                       "grant_type": "password"})
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert me["username"] == "lege" and me["roles"] == ["hospital_physician"]
    assert me["organisation_address"] == HOSPITAL


def test_no_password_is_stored_in_clear(db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)
    with db.engine.connect() as conn:
        from sqlalchemy import text
        stored = conn.execute(text("SELECT password_hash FROM access_users")).scalar_one()
    assert PASSWORD not in stored and stored.startswith("$argon2id$")


def test_wrong_password_and_unknown_user_get_the_same_401(client, db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)
    wrong = client.post("/api/v1/auth/token", data={"username": "lege", "password": "wrong password"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong password"})
    assert assert_problem(wrong, 401)["detail"] == assert_problem(unknown, 401)["detail"]


def test_sign_in_attempts_are_rate_limited_per_username(client, db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)
    for _ in range(3):
        assert client.post("/api/v1/auth/token", data={"username": "lege", "password": "guess 1234"}).status_code \
            == 401
    blocked = client.post("/api/v1/auth/token", data={"username": "lege", "password": PASSWORD})
    assert_problem(blocked, 429)
    assert int(blocked.headers["retry-after"]) > 0
    # Another username from the same client is not blocked by these failures.
    user(db, "sykepleier", Role.HOSPITAL_NURSE, password=PASSWORD)
    assert client.post("/api/v1/auth/token", data={"username": "sykepleier", "password": PASSWORD}).status_code \
        == 200


def test_one_client_address_spraying_many_usernames_is_limited(client, db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)
    for i in range(30):  # 10 x login_max_failures (3), spread over usernames that never reach their own limit
        client.post("/api/v1/auth/token", data={"username": f"guess{i}", "password": "guess 1234"})
    assert_problem(client.post("/api/v1/auth/token", data={"username": "lege", "password": PASSWORD}), 429)


def test_the_window_passes_and_success_resets_the_count(client, db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)
    moment = [dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)]
    client.app.state.clock = lambda: moment[0]
    for _ in range(3):
        client.post("/api/v1/auth/token", data={"username": "lege", "password": "guess 1234"})
    assert client.post("/api/v1/auth/token", data={"username": "lege", "password": PASSWORD}).status_code == 429
    moment[0] += dt.timedelta(seconds=901)
    assert client.post("/api/v1/auth/token", data={"username": "lege", "password": PASSWORD}).status_code == 200
    for _ in range(2):
        client.post("/api/v1/auth/token", data={"username": "lege", "password": "guess 1234"})
    assert client.post("/api/v1/auth/token", data={"username": "lege", "password": PASSWORD}).status_code == 200


def test_the_jwks_is_served_while_the_dev_provider_is_on(client) -> None:
    keys = client.get("/api/v1/auth/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_a_production_setup_refuses_the_development_secret() -> None:
    with pytest.raises(RuntimeError):
        check_production_settings(Settings(database_url="sqlite://", dev_identity_provider=False))
    check_production_settings(Settings(database_url="sqlite://", dev_identity_provider=False,
                                       secret_key="a-long-random-production-secret-0123456789"))


def test_web_login_sets_an_http_only_session_that_authenticates(client, db: Database) -> None:
    user(db, "lege", Role.HOSPITAL_PHYSICIAN, password=PASSWORD)

    async def sign_in(request: Request, response: Response) -> dict[str, str]:
        form = await request.form()
        return {"username": login(request, response, str(form["username"]), str(form["password"])).username}

    def sign_out(response: Response) -> dict[str, str]:
        logout(response)
        return {}

    client.app.add_api_route("/test-login", sign_in, methods=["POST"])
    client.app.add_api_route("/test-logout", sign_out, methods=["POST"])
    response = client.post("/test-login", data={"username": "lege", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE) and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/v1/me").json()["username"] == "lege"
    client.post("/test-logout")
    assert client.get("/api/v1/me").status_code == 401


# --- care relations decide ----------------------------------------------------------------------------------

def test_staff_with_a_care_relation_read_and_the_access_is_audited(client, db: Database, settings) -> None:
    lege = user(db, "lege", Role.HOSPITAL_PHYSICIAN)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY)
    response = client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, lege))
    assert response.status_code == 200
    assert [r["organisation_address"] for r in response.json()] == [HOSPITAL]
    [entry] = entries(db, person=PERSON)
    assert (entry.user_id, entry.organisation_address, entry.role, entry.action, entry.resource, entry.outcome,
            entry.basis_kind) == (lege.user_id, HOSPITAL, "hospital_physician", "read", "person.care_relations",
                                  "allowed", "care_relation")
    assert entry.reason == "care relation: hospital_stay (hospital_stay-1)" and entry.source == "http testclient"


def test_without_a_relation_403_reveals_nothing_and_the_attempt_is_audited(client, db: Database, settings) -> None:
    nurse = user(db, "hjemmesykepleier", Role.MUNICIPAL_NURSE, MUNICIPALITY)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY)
    existing = client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, nurse))
    missing = client.get(f"/api/v1/persons/{NOBODY}/care-relations", headers=auth(settings, nurse))
    assert assert_problem(existing, 403)["detail"] == assert_problem(missing, 403)["detail"]
    assert [(e.national_id, e.outcome) for e in entries(db, user=nurse.user_id)] == [(NOBODY, "denied"),
                                                                                      (PERSON, "denied")]


def test_an_invalid_national_id_is_422_problem(client, db: Database, settings) -> None:
    lege = user(db, "lege", Role.HOSPITAL_PHYSICIAN)
    body = assert_problem(client.get("/api/v1/persons/12345678901/care-relations", headers=auth(settings, lege)),
                          422)
    assert body["errors"][0]["pointer"] == "/path/national_id"


def test_the_grace_period_after_discharge(client, db: Database, settings) -> None:
    lege = user(db, "lege", Role.HOSPITAL_PHYSICIAN)
    discharged = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY, start=discharged - dt.timedelta(days=5), end=discharged)
    url = f"/api/v1/persons/{PERSON}/care-relations"
    client.app.state.clock = lambda: discharged + dt.timedelta(days=30)
    assert client.get(url, headers=auth(settings, lege)).status_code == 200
    client.app.state.clock = lambda: discharged + dt.timedelta(days=30, seconds=1)
    assert client.get(url, headers=auth(settings, lege)).status_code == 403


def test_the_grace_period_is_a_setting(client, db: Database, settings) -> None:
    lege = user(db, "lege", Role.HOSPITAL_PHYSICIAN)
    discharged = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY, start=discharged - dt.timedelta(days=5), end=discharged)
    client.app.state.settings = settings.model_copy(update={"care_relation_grace_days": 7})
    url = f"/api/v1/persons/{PERSON}/care-relations"
    client.app.state.clock = lambda: discharged + dt.timedelta(days=7)
    assert client.get(url, headers=auth(settings, lege)).status_code == 200
    client.app.state.clock = lambda: discharged + dt.timedelta(days=8)
    assert client.get(url, headers=auth(settings, lege)).status_code == 403


def test_a_coordinator_places_the_gp_on_the_care_team_who_may_then_read(client, db: Database, settings) -> None:
    coordinator = user(db, "koordinator", Role.MUNICIPAL_COORDINATOR, MUNICIPALITY)
    gp = user(db, "fastlege", Role.GP, GP_OFFICE)
    relate(db, MUNICIPALITY, CareRelationKind.MUNICIPAL_SERVICE)
    url = f"/api/v1/persons/{PERSON}/care-relations"
    assert client.get(url, headers=auth(settings, gp)).status_code == 403
    added = client.post(url, json={"organisation_address": GP_OFFICE, "reference": "plan-7"},
                        headers=auth(settings, coordinator))
    assert added.status_code == 201 and added.json()["kind"] == "care_team"
    assert client.get(url, headers=auth(settings, gp)).status_code == 200


# --- emergency access -----------------------------------------------------------------------------------------

def test_break_the_glass_read_review(client, db: Database, settings) -> None:
    nurse = user(db, "hjemmesykepleier", Role.MUNICIPAL_NURSE, MUNICIPALITY)
    officer = user(db, "personvern", Role.COMPLIANCE_OFFICER, TRUST)
    url = f"/api/v1/persons/{PERSON}/care-relations"
    assert client.get(url, headers=auth(settings, nurse)).status_code == 403
    reason = "Found unconscious at home; need current medication list"
    opened = client.post("/api/v1/emergency-access", headers=auth(settings, nurse),
                         json={"national_id": PERSON, "reason": reason, "duration_minutes": 30})
    assert opened.status_code == 201, opened.text
    grant = opened.json()
    starts, expires = (dt.datetime.fromisoformat(grant[k]) for k in ("starts_at", "expires_at"))
    assert expires - starts == dt.timedelta(minutes=30) and grant["review_outcome"] is None
    assert client.get(url, headers=auth(settings, nurse)).status_code == 200
    emergency = entries(db, emergency=True)
    assert [(e.resource, e.basis_reference) for e in emergency] == [("person.care_relations", grant["id"]),
                                                                   ("emergency.access", grant["id"])]
    assert emergency[1].reason == f"break the glass: {reason}"
    pending = client.get("/api/v1/emergency-access/review", headers=auth(settings, officer)).json()
    assert [g["id"] for g in pending] == [grant["id"]]
    reviewed = client.post(f"/api/v1/emergency-access/{grant['id']}/review", headers=auth(settings, officer),
                           json={"outcome": "justified", "note": "ambulance call confirmed"})
    assert reviewed.json()["review_outcome"] == "justified" and reviewed.json()["reviewed_by"] == "personvern"
    assert client.get("/api/v1/emergency-access/review", headers=auth(settings, officer)).json() == []
    again = client.post(f"/api/v1/emergency-access/{grant['id']}/review", headers=auth(settings, officer),
                        json={"outcome": "unjustified"})
    assert_problem(again, 409)


def test_emergency_access_expires(client, db: Database, settings) -> None:
    gp = user(db, "fastlege", Role.GP, GP_OFFICE)
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    client.app.state.clock = lambda: start
    client.post("/api/v1/emergency-access", headers=auth(settings, gp),
                json={"national_id": PERSON, "reason": "acute chest pain at the office", "duration_minutes": 15})
    client.app.state.clock = lambda: start + dt.timedelta(minutes=15)
    assert client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, gp)).status_code == 403


def test_emergency_access_limits(client, db: Database, settings) -> None:
    nurse = user(db, "sykepleier", Role.HOSPITAL_NURSE)
    analyst = user(db, "analytiker", Role.ANALYST, TRUST)
    body = {"national_id": PERSON, "reason": "unconscious on arrival, no relation yet"}
    assert_problem(client.post("/api/v1/emergency-access", headers=auth(settings, nurse),
                               json=body | {"duration_minutes": 241}), 422)
    assert_problem(client.post("/api/v1/emergency-access", headers=auth(settings, nurse),
                               json=body | {"reason": "because"}), 422)
    assert_problem(client.post("/api/v1/emergency-access", headers=auth(settings, nurse),
                               json=body | {"national_id": "12345678901"}), 422)
    assert_problem(client.post("/api/v1/emergency-access", headers=auth(settings, analyst), json=body), 403)
    assert entries(db, emergency=True) == []


# --- the patient's view and compliance ------------------------------------------------------------------------

def test_the_patient_sees_who_has_looked_at_their_data(client, db: Database, settings) -> None:
    lege = user(db, "lege", Role.HOSPITAL_PHYSICIAN)
    patient = user(db, "pasient", Role.PATIENT, None, national_id=PERSON)
    other = user(db, "annen", Role.PATIENT, None, national_id=OTHER_PERSON)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY, person=OTHER_PERSON)
    client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, lege))
    client.get(f"/api/v1/persons/{OTHER_PERSON}/care-relations", headers=auth(settings, lege))
    client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, patient))  # own look-up
    log = client.get("/api/v1/me/access-log", headers=auth(settings, patient))
    assert log.status_code == 200
    [seen] = log.json()
    assert (seen["name"], seen["organisation_address"], seen["role"], seen["basis"]) == \
        ("Lege", HOSPITAL, "hospital_physician", "care_relation")
    assert seen["reason"] == "care relation: hospital_stay (hospital_stay-1)"
    assert len(client.get("/api/v1/me/access-log", headers=auth(settings, other)).json()) == 1
    assert_problem(client.get("/api/v1/me/access-log", headers=auth(settings, lege)), 403)


def test_a_patient_cannot_read_another_persons_data(client, db: Database, settings) -> None:
    patient = user(db, "pasient", Role.PATIENT, None, national_id=PERSON)
    assert client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, patient)).status_code == 200
    assert_problem(client.get(f"/api/v1/persons/{OTHER_PERSON}/care-relations", headers=auth(settings, patient)),
                   403)


def test_compliance_queries_are_for_oversight_roles_and_audited(client, db: Database, settings) -> None:
    lege = user(db, "lege", Role.HOSPITAL_PHYSICIAN)
    officer = user(db, "personvern", Role.COMPLIANCE_OFFICER, TRUST)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY)
    client.get(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, lege))
    by_person = client.get("/api/v1/audit", params={"person": PERSON}, headers=auth(settings, officer)).json()
    assert [(e["username"], e["resource"]) for e in by_person] == [("lege", "person.care_relations")]
    by_user = client.get("/api/v1/audit", params={"user": "lege"}, headers=auth(settings, officer)).json()
    assert len(by_user) == 1
    by_org = client.get("/api/v1/audit", params={"organisation": HOSPITAL}, headers=auth(settings, officer)).json()
    assert len(by_org) == 1
    assert client.get("/api/v1/audit", params={"emergency": "true"}, headers=auth(settings, officer)).json() == []
    assert_problem(client.get("/api/v1/audit", headers=auth(settings, lege)), 403)
    assert_problem(client.get("/api/v1/audit", params={"person": "123"}, headers=auth(settings, officer)), 422)
    queries = entries(db, user=officer.user_id)
    assert len(queries) == 4 and queries[-1].national_id == PERSON and queries[-1].resource == "audit.compliance"


# --- users ----------------------------------------------------------------------------------------------------

def test_administrators_create_and_list_users(client, db: Database, settings) -> None:
    admin = user(db, "admin", Role.ADMINISTRATOR, TRUST)
    new = {"username": "ny.lege", "display_name": "Ny Lege", "roles": ["hospital_physician"],
           "organisation_address": HOSPITAL, "hpr": "9144901", "password": PASSWORD}
    created = client.post("/api/v1/users", json=new, headers=auth(settings, admin))
    assert created.status_code == 201 and created.json()["roles"] == ["hospital_physician"]
    assert "password" not in created.text and "hash" not in created.text
    assert_problem(client.post("/api/v1/users", json=new, headers=auth(settings, admin)), 409)
    names = [u["username"] for u in client.get("/api/v1/users", headers=auth(settings, admin)).json()]
    assert names == ["admin", "ny.lege"]
    assert_problem(client.post("/api/v1/users", json=new | {"username": "pas", "roles": ["patient"],
                                                            "national_id": "12345678901"},
                               headers=auth(settings, admin)), 422)
    assert_problem(client.post("/api/v1/users", json=new | {"username": "x.y", "organisation_address": None},
                               headers=auth(settings, admin)), 422)


def test_a_user_of_an_organisation_the_register_does_not_hold_is_422_and_not_created(client, db: Database,
                                                                                       settings) -> None:
    admin = user(db, "admin", Role.ADMINISTRATOR, TRUST)
    new = {"username": "ny.lege", "display_name": "Ny Lege", "roles": ["hospital_physician"],
           "organisation_address": "1069999"}
    body = assert_problem(client.post("/api/v1/users", json=new, headers=auth(settings, admin)), 422)
    assert "1069999" in body["detail"] and "register" in body["detail"]
    names = [u["username"] for u in client.get("/api/v1/users", headers=auth(settings, admin)).json()]
    assert names == ["admin"]


def test_a_care_team_member_the_register_does_not_hold_is_422_and_nothing_is_written(client, db: Database,
                                                                                      settings) -> None:
    from helsefellesskap.access.service import care_relations_of

    coordinator = user(db, "koordinator", Role.MUNICIPAL_COORDINATOR, MUNICIPALITY)
    relate(db, MUNICIPALITY, CareRelationKind.MUNICIPAL_SERVICE)
    url = f"/api/v1/persons/{PERSON}/care-relations"
    body = assert_problem(client.post(url, json={"organisation_address": "3999999", "reference": "plan-7"},
                                      headers=auth(settings, coordinator)), 422)
    assert "3999999" in body["detail"]
    with db.reading() as session:
        assert [r.organisation_address for r in care_relations_of(session, PERSON)] == [MUNICIPALITY]
    assert entries(db, person=PERSON) == []  # the request's audited access rolled back with it


# --- the register: users and care relations given by hand belong to organisations it holds --------------------

def test_create_user_refuses_an_organisation_the_register_does_not_hold_before_writing(db: Database) -> None:
    from helsefellesskap.access.users import list_users
    from helsefellesskap.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"1069999.*register"), db.unit_of_work() as session:
        create_user(session, NewUser("lege", "Lege", frozenset({Role.HOSPITAL_PHYSICIAN}), "1069999"), now=NOW)
    with pytest.raises(InvalidInput), db.unit_of_work() as session:
        create_user(session, NewUser("admin", "Admin", frozenset({Role.ADMINISTRATOR}), "not-an-address"), now=NOW)
    with db.reading() as session:
        assert list_users(session) == []
    assert user(db, "lege", Role.HOSPITAL_PHYSICIAN, HOSPITAL).organisation_address == HOSPITAL
    assert user(db, "fastlege", Role.GP, GP_OFFICE).organisation_address == GP_OFFICE  # a created organisation
    assert user(db, "admin", Role.ADMINISTRATOR, None).organisation_address is None


def test_grant_care_relation_refuses_an_organisation_the_register_does_not_hold_before_writing(
        db: Database) -> None:
    from helsefellesskap.access.service import care_relations_of
    from helsefellesskap.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"1060299.*register"):
        relate(db, "1060299", CareRelationKind.HOSPITAL_STAY)
    with db.reading() as session:
        assert care_relations_of(session, PERSON) == []
    relate(db, GP_OFFICE, CareRelationKind.GP)
    with db.reading() as session:
        assert [r.organisation_address for r in care_relations_of(session, PERSON)] == [GP_OFFICE]


def test_the_pathways_grants_keep_an_organisation_outside_the_register(db: Database) -> None:
    """A discharge summary may be addressed to a GP office the register does not hold: the message is stored and
    the relation granted all the same (a message is never lost), so only the grants by hand check the register."""
    from helsefellesskap.access.service import care_relations_of, grant_care_relations

    with db.unit_of_work() as session:
        grant_care_relations(session, PERSON, [("70000001", CareRelationKind.GP, "stay-1", NOW, None)])
    with db.reading() as session:
        assert [r.organisation_address for r in care_relations_of(session, PERSON)] == ["70000001"]


# --- hardening ------------------------------------------------------------------------------------------------

def test_malformed_json_wrong_content_type_and_oversized_bodies(client, db: Database, settings) -> None:
    nurse = user(db, "sykepleier", Role.HOSPITAL_NURSE)
    headers = auth(settings, nurse)
    malformed = client.post("/api/v1/emergency-access", content=b'{"national_id": ',
                            headers=headers | {"Content-Type": "application/json"})
    assert_problem(malformed, 400)
    wrong_type = client.post("/api/v1/emergency-access", content=b"national_id=1",
                             headers=headers | {"Content-Type": "text/plain"})
    assert_problem(wrong_type, 415)
    form_encoded = client.post("/api/v1/emergency-access", data={"national_id": PERSON, "reason": "x" * 20},
                               headers=headers)
    assert_problem(form_encoded, 415)  # a cross-site HTML form cannot drive a JSON route
    form_route = client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
    assert_problem(form_route, 415)
    oversized = client.post("/api/v1/emergency-access", content=b"{" + b" " * 1_000_001 + b"}",
                            headers=headers | {"Content-Type": "application/json"})
    assert_problem(oversized, 413)
    unknown_field = client.post("/api/v1/emergency-access", headers=headers,
                                json={"national_id": PERSON, "reason": "x" * 20, "admin": True})
    assert_problem(unknown_field, 422)


# --- parties: units of one legal party share its care relations (registry.party_of) ---------------------------

def test_units_of_one_health_trust_share_a_relation_and_other_parties_do_not(client, db: Database,
                                                                              settings) -> None:
    elverum = user(db, "lege.elverum", Role.HOSPITAL_PHYSICIAN, "1060100")  # Sykehuset Innlandet, Elverum
    other_trust = user(db, "lege.oslo", Role.HOSPITAL_PHYSICIAN, TRUST_ELSEWHERE)
    municipal = user(db, "tildeling", Role.ALLOCATION_OFFICER, MUNICIPALITY)
    relate(db, HOSPITAL, CareRelationKind.HOSPITAL_STAY)  # held by Sykehuset Innlandet, Hamar
    url = f"/api/v1/persons/{PERSON}/care-relations"
    assert client.get(url, headers=auth(settings, elverum)).status_code == 200
    assert client.get(url, headers=auth(settings, other_trust)).status_code == 403
    assert client.get(url, headers=auth(settings, municipal)).status_code == 403
    patient = user(db, "pasient", Role.PATIENT, None, national_id=PERSON)
    [seen] = client.get("/api/v1/me/access-log", headers=auth(settings, patient)).json()
    assert seen["organisation_address"] == "1060100" and "Elverum" in seen["organisation_name"]


def test_only_administrators_create_organisations(client, db: Database, settings) -> None:
    body = {"kind": "gp_office", "name": "Nytt legekontor", "municipality_number": "3403"}
    assert_problem(client.post("/api/v1/organisations", json=body), 401)
    nurse = user(db, "sykepleier", Role.HOSPITAL_NURSE)
    assert_problem(client.post("/api/v1/organisations", json=body, headers=auth(settings, nurse)), 403)


def test_creating_a_patient_user_shows_in_that_persons_access_log(client, db: Database, settings) -> None:
    admin = user(db, "admin", Role.ADMINISTRATOR, TRUST)
    created = client.post("/api/v1/users", headers=auth(settings, admin), json={
        "username": "petra", "display_name": "Petra", "roles": ["patient"], "national_id": PERSON})
    assert created.status_code == 201, created.text
    patient = user(db, "petra2", Role.PATIENT, None, national_id=PERSON)
    [entry] = client.get("/api/v1/me/access-log", headers=auth(settings, patient)).json()
    assert entry["name"] == "Admin" and entry["resource"] == "users.admin" and "petra" in entry["reason"]


def test_a_message_submission_is_authorised_for_the_own_organisation_and_audited(db: Database) -> None:
    from helsefellesskap.access.service import authorize_submission
    from helsefellesskap.errors import Forbidden

    system = Principal("sys-1", "integrasjon", "EPJ", HOSPITAL, frozenset({Role.MESSAGING_SYSTEM}))
    with db.unit_of_work() as session:
        basis = authorize_submission(session, system, HOSPITAL, PERSON, now=NOW, message_id="msg-1")
    assert basis.reference == f"{HOSPITAL}/msg-1"  # a message id is unique per sender only
    with pytest.raises(Forbidden), db.unit_of_work() as session:
        authorize_submission(session, system, MUNICIPALITY, PERSON, now=NOW, message_id="msg-2")
    [entry] = entries(db, person=PERSON)
    assert (entry.resource, entry.action, entry.basis_reference) == ("messages.submit", "write", f"{HOSPITAL}/msg-1")


def test_a_refused_write_changes_nothing_and_only_the_refusal_is_logged(client, db: Database, settings) -> None:
    coordinator = user(db, "koordinator", Role.MUNICIPAL_COORDINATOR, MUNICIPALITY)  # no relation to the person
    refused = client.post(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, coordinator),
                          json={"organisation_address": GP_OFFICE, "reference": "plan-7"})
    assert_problem(refused, 403)
    from helsefellesskap.access.service import care_relations_of

    with db.reading() as session:
        assert care_relations_of(session, PERSON) == []
    assert [(e.action, e.outcome) for e in entries(db, person=PERSON)] == [("write", "denied")]
    with db.reading() as session:
        assert audit.verify(session).intact
