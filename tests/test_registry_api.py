"""The register over HTTP: communities, municipalities, organisations (problem+json on every error)."""

from __future__ import annotations

import datetime as dt

import pytest

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.db import Database
from helsefellesskap.registry.service import load_register


@pytest.fixture
def client(client, settings):
    """The app's client signed in as an administrator: creating organisations is theirs (docs/access.md)."""
    admin = Principal("admin-1", "admin", "Administrator", "1060000", frozenset({Role.ADMINISTRATOR}))
    client.headers["Authorization"] = f"Bearer {issue_dev_token(admin, settings, dt.datetime.now(dt.UTC))}"
    return client


@pytest.fixture
def register(db: Database) -> Database:
    load_register(db)
    return db


def test_communities_list_all_19_with_trusts_and_municipalities(register, client) -> None:
    response = client.get("/api/v1/communities")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 19
    first = body[0]
    assert {"id", "name", "health_trusts", "municipalities"} <= set(first)
    assert set(first["municipalities"][0]) >= {"number", "name", "population"}
    assert sum(len(c["municipalities"]) for c in body) == 357


def test_community_json_shape_for_oslo(register, client) -> None:
    body = client.get("/api/v1/communities/oslo").json()
    assert body["id"] == "oslo" and body["name"] == "Oslo"
    assert [t["id"] for t in body["health_trusts"]] == ["ous", "lovisenberg", "diakonhjemmet", "ahus"]
    assert body["municipalities"] == [
        {"number": "0301", "name": "Oslo", "population": 717710, "health_trust_id": None}]
    levels = {f["level"] for f in body["forums"]}
    assert levels == {"partnership_meeting", "strategic_committee"}
    ssu = next(f for f in body["forums"] if f["level"] == "strategic_committee")
    assert "gp_representative" in ssu["member_kinds"] and ssu["parent_id"] == "oslo-partnership-meeting"


def test_unknown_community_is_404_problem_json(register, client) -> None:
    response = client.get("/api/v1/communities/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "atlantis" in response.json()["detail"]


def test_municipality_with_districts_and_trusts(register, client) -> None:
    body = client.get("/api/v1/municipalities/0301").json()
    assert body["community"] == {"id": "oslo", "name": "Oslo"} and body["health_trust_id"] is None
    alna = next(d for d in body["districts"] if d["number"] == "030112")
    assert alna["health_trust_id"] == "ahus"
    kongsvinger = client.get("/api/v1/municipalities/3401").json()
    assert kongsvinger["community"]["id"] == "ahus" and kongsvinger["health_trust_id"] == "ahus"
    assert kongsvinger["address"] == "2340100"


def test_unknown_municipality_is_404_and_malformed_number_422(register, client) -> None:
    assert client.get("/api/v1/municipalities/9998").status_code == 404
    response = client.get("/api/v1/municipalities/03x1")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_membership_before_the_2024_numbering_is_not_found(register, client) -> None:
    assert client.get("/api/v1/municipalities/0301", params={"on": "2023-06-01"}).status_code == 404
    assert client.get("/api/v1/municipalities/0301", params={"on": "2024-06-01"}).status_code == 200


def test_create_hospital_department_and_municipal_units(register, client) -> None:
    haukeland = client.get("/api/v1/organisations", params={"kind": "hospital"}).json()
    hospital = next(o for o in haukeland if o["hospital_id"] == "haukeland")
    response = client.post("/api/v1/organisations", json={
        "kind": "hospital_department", "name": "Medisinsk avdeling", "parent_address": hospital["address"]})
    assert response.status_code == 201, response.text
    department = response.json()
    assert department["address"] == "3000001"
    assert department["health_trust_id"] == "helse-bergen" and department["hospital_id"] == "haukeland"
    assert department["party_address"] == client.get("/api/v1/communities/bergen").json()["health_trusts"][0][
        "address"]
    office = client.post("/api/v1/organisations", json={
        "kind": "allocation_office", "name": "Tildelingskontoret", "municipality_number": "4601"}).json()
    assert office["parent_address"] == "2460100" and office["party_address"] == "2460100"
    home_care = client.post("/api/v1/organisations", json={
        "kind": "home_care", "name": "Hjemmesykepleien Årstad", "parent_address": office["address"],
        "orgnr": "988 077 917"}).json()
    assert home_care["municipality_number"] == "4601" and home_care["orgnr"] == "988077917"
    assert client.get(f"/api/v1/organisations/{home_care['address']}").json()["party_address"] == "2460100"
    listed = client.get("/api/v1/organisations", params={"municipality": "4601", "kind": "home_care"}).json()
    assert [o["address"] for o in listed] == [home_care["address"]]


def test_gp_office_is_its_own_party(register, client) -> None:
    response = client.post("/api/v1/organisations", json={
        "kind": "gp_office", "name": "Sentrum legekontor", "municipality_number": "0301", "address": "8123456"})
    assert response.status_code == 201
    assert response.json()["party_address"] == "8123456"
    again = client.post("/api/v1/organisations", json={
        "kind": "gp_office", "name": "Other", "municipality_number": "0301", "address": "8123456"})
    assert again.status_code == 409


@pytest.mark.parametrize(("body", "fragment"), [
    ({"kind": "gp_office", "name": "X", "municipality_number": "0301", "orgnr": "988077918"}, "/orgnr"),
    ({"kind": "gp_office", "name": "X", "municipality_number": "03011"}, "/municipality_number"),
    ({"kind": "spaceship", "name": "X"}, "/kind"),
    ({"kind": "gp_office", "name": ""}, "/name"),
])
def test_invalid_organisation_is_422_with_pointer(register, client, body, fragment) -> None:
    response = client.post("/api/v1/organisations", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert fragment in [e["pointer"] for e in response.json()["errors"]]


@pytest.mark.parametrize("body", [
    {"kind": "municipality", "name": "Ny kommune", "municipality_number": "0301"},
    {"kind": "hospital_department", "name": "Avdeling uten sykehus"},
    {"kind": "home_care", "name": "Hjemmetjeneste", "parent_address": "1010000"},
    {"kind": "gp_office", "name": "Legekontor uten kommune"},
    {"kind": "nursing_home", "name": "Sykehjem", "municipality_number": "9998"},
])
def test_organisation_rules_are_422_and_write_nothing(register, client, body) -> None:
    before = len(client.get("/api/v1/organisations").json())
    response = client.post("/api/v1/organisations", json=body)
    assert response.status_code == 422, response.text
    assert len(client.get("/api/v1/organisations").json()) == before


def test_unknown_organisation_is_404(register, client) -> None:
    assert client.get("/api/v1/organisations/999").status_code == 404


def test_openapi_describes_the_register(client) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/communities/{community_id}" in schema["paths"]
    assert "CommunityView" in schema["components"]["schemas"]


@pytest.mark.parametrize("path", [
    "/api/v1/organisations/12%0034", "/api/v1/communities/os%00lo", "/api/v1/organisations?parent=1%002",
    "/api/v1/municipalities/03%0001",
])
def test_nul_and_odd_characters_are_422_never_500(register, client, path) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text


def test_control_characters_in_a_name_are_refused(register, client) -> None:
    response = client.post("/api/v1/organisations", json={
        "kind": "gp_office", "name": "Lege\x00kontor", "municipality_number": "0301"})
    assert response.status_code == 422


@pytest.mark.parametrize("on", ["2024-01-01T00:00", "2024-01-01T00:00:00Z", "2024-01-01 00:00", "1704067200", "0",
                                "20240101", "2024-1-1"])
def test_a_day_parameter_takes_a_calendar_date_only(register, client, on: str) -> None:
    response = client.get("/api/v1/municipalities/0301", params={"on": on})
    assert response.status_code == 422, on
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == "/query/on"
