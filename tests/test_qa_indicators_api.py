"""The indicator API as a hostile client uses it: every role (allowed, or refused with a problem), and query
parameters that are wrong in every way a URL can be — each a 4xx problem+json, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from helsefellesskap.access.model import CARE_ROLES, Role
from helsefellesskap.db import Database
from helsefellesskap.indicators.service import load_twin
from helsefellesskap.settings import Settings
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate
from test_indicators_api import token_for

URL = "/api/v1/indicators/readmission_elderly_30d"
ALLOWED = CARE_ROLES | {Role.ANALYST, Role.ADMINISTRATOR}  # access policy: Resource.INDICATORS


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qa-api-twin")
    generate(TwinSpec(scale=0.002, years=1, seed=3), load_places("ostfold"), out)
    return out


def _is_problem(response, status: int) -> bool:  # type: ignore[no-untyped-def]
    body = response.json()
    return (response.status_code == status and response.headers["content-type"].startswith("application/problem+json")
            and body["status"] == status and body["title"] and body["detail"])  # fmt: skip


def test_every_role_the_policy_allows_gets_the_indicator_and_every_other_a_403_problem(
    client, db: Database, settings: Settings, twin_dir: Path
) -> None:
    load_twin(db, twin_dir)
    assert _is_problem(client.get(URL), 401)
    for role in Role:
        response = client.get(URL, headers=token_for(db, settings, role))
        if role in ALLOWED:
            assert response.status_code == 200 and response.json()["results"], role
        else:
            assert _is_problem(response, 403), role
            assert "numerator" not in response.text  # no figure leaks into the refusal


BAD_PARAMETERS = [
    ({"by": ""}, 422, "unknown dimension ''"),
    ({"by": "Month"}, 422, "unknown dimension 'Month'"),
    ({"by": ["month", "county"]}, 422, "unknown dimension 'county'"),
    ({"community": ""}, 404, "no helsefellesskap ''"),
    ({"community": "OSTFOLD"}, 404, "no helsefellesskap 'OSTFOLD'"),
    ({"community": "x" * 51}, 422, "does not validate"),
    ({"community": "ostfold\x00"}, 422, "NUL"),
    ({"from": ""}, 422, "from: not a date YYYY-MM-DD: ''"),
    ({"from": "2024-02-30"}, 422, "from: not a date"),
    ({"from": "20240301"}, 422, "from: not a date"),
    ({"from": "\uff12\uff10\uff12\uff14-03-01"}, 422, "from: not a date"),  # full-width digits
    ({"from": " 2024-03-01"}, 422, "does not validate"),  # 11 characters
    ({"to": "2024-3-1"}, 422, "to: not a date"),
    ({"from": "2024-06-01", "to": "2024-03-01"}, 422, "empty period"),
    ({"from": "2024-03-01", "to": "2024-03-01"}, 422, "empty period"),
    ({"from": "2023-12-31"}, 422, "not inside the twin's simulated period"),
    ({"to": "2025-01-02"}, 422, "not inside the twin's simulated period"),
    ({"from": "9999-12-31"}, 422, "not inside the twin's simulated period"),
]


@pytest.mark.parametrize(("params", "status", "detail"), BAD_PARAMETERS, ids=[str(p) for p, _, _ in BAD_PARAMETERS])
def test_a_bad_query_parameter_is_a_4xx_problem(
    client, db: Database, settings: Settings, twin_dir: Path, params: dict[str, object], status: int, detail: str
) -> None:
    load_twin(db, twin_dir)
    response = client.get(URL, params=params, headers=token_for(db, settings, Role.ANALYST))
    assert _is_problem(response, status), response.text
    assert detail in response.text


def test_an_unknown_indicator_and_another_method_are_problems(
    client, db: Database, settings: Settings, twin_dir: Path
) -> None:
    load_twin(db, twin_dir)
    headers = token_for(db, settings, Role.ANALYST)
    assert _is_problem(client.get("/api/v1/indicators/" + "x" * 2000, headers=headers), 404)
    assert _is_problem(client.get("/api/v1/indicators/%00", headers=headers), 422)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert _is_problem(client.request(method, URL, headers=headers), 405), method


def test_a_dimension_asked_twice_counts_once(client, db: Database, settings: Settings, twin_dir: Path) -> None:
    load_twin(db, twin_dir)
    headers = token_for(db, settings, Role.ANALYST)
    once = client.get(URL, params={"by": "month"}, headers=headers).json()
    twice = client.get(URL, params={"by": ["month", "month"]}, headers=headers).json()
    assert twice["by"] == ["month"] and twice["results"] == once["results"] and once["results"]


def test_a_sum_of_days_over_a_suppressed_count_of_stays_is_suppressed_with_it(
    client, db: Database, settings: Settings, twin_dir: Path
) -> None:
    load_twin(db, twin_dir)
    headers = token_for(db, settings, Role.ANALYST)
    rows = [row for indicator in ("days_ready_to_discharge", "days_first_stay_to_nursing_home")
            for row in client.get(f"/api/v1/indicators/{indicator}", params={"by": ["municipality", "month"]},
                                  headers=headers).json()["results"]]  # fmt: skip
    assert any(row["denominator"] is None for row in rows)  # the small twin has suppressed counts of stays
    # With one stay in the cell, the sum of its days is that patient's wait.
    assert [row for row in rows if row["denominator"] is None and row["numerator"]] == []


@pytest.mark.parametrize("indicator", ["delayed_discharge_days_67", "delayed_discharge_days_80",
                                       "transitions_per_person_year", "three_transitions_in_30_days"])
def test_an_indicator_by_priority_group_and_month_is_computed_on_the_platform_database(
    client, db: Database, settings: Settings, twin_dir: Path, indicator: str
) -> None:
    load_twin(db, twin_dir)
    response = client.get(f"/api/v1/indicators/{indicator}", params={"by": ["priority_group", "month"]},
                          headers=token_for(db, settings, Role.ANALYST))
    assert response.status_code == 200, response.text
    assert {row["dimensions"]["priority_group"] for row in response.json()["results"]} >= {"none"}
