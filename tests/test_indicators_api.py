"""The indicator API: the catalogue and indicators on the loaded twin — aggregates only, for principals the
access policy lets see them, small counts suppressed; problems for bad requests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.access.tokens import issue_dev_token
from helsefellesskap.access.users import NewUser, create_user
from helsefellesskap.db import Database
from helsefellesskap.indicators.catalogue import CATALOGUE, definition_of
from helsefellesskap.indicators.engines import duckdb_twin
from helsefellesskap.indicators.model import Dimension, Period
from helsefellesskap.indicators.results_cache import RESULTS
from helsefellesskap.indicators.service import compute, load_twin
from helsefellesskap.registry.service import load_register
from helsefellesskap.settings import Settings
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(TwinSpec(scale=0.01, years=1, seed=5), load_places("ostfold"), out)
    return out


@pytest.fixture(scope="module")
def other_twin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("other-twin")
    generate(TwinSpec(scale=0.01, years=1, seed=6), load_places("ostfold"), out)
    return out


def token_for(db: Database, settings: Settings, role: Role) -> dict[str, str]:
    load_register(db)  # the user's organisation is one of the register's
    with db.unit_of_work() as session:
        principal: Principal = create_user(
            session, NewUser(role.value, role.value.title(), frozenset({role}), None if role is Role.PATIENT
                             else "1060200", "17854101463" if role is Role.PATIENT else None, None, None), now=NOW)
    return {"Authorization": f"Bearer {issue_dev_token(principal, settings, dt.datetime.now(dt.UTC))}"}


def test_the_catalogue_lists_every_definition_with_its_source(client, db: Database, settings: Settings) -> None:
    response = client.get("/api/v1/indicators", headers=token_for(db, settings, Role.ANALYST))
    assert response.status_code == 200
    body = response.json()
    assert [d["id"] for d in body] == [d.id for d in CATALOGUE]
    assert all(d["source"] and d["numerator"] and d["denominator"] for d in body)


def test_an_indicator_by_municipality_on_the_loaded_twin(client, db: Database, settings: Settings,
                                                         twin_dir: Path) -> None:
    load_twin(db, twin_dir)
    response = client.get("/api/v1/indicators/readmission_elderly_30d", params={"by": "municipality"},
                          headers=token_for(db, settings, Role.ANALYST))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["by"] == ["community", "municipality"] and body["period"] == {"start": "2024-01-01",
                                                                               "end": "2025-01-01"}
    rows = body["results"]
    assert rows and all(set(r["dimensions"]) == {"community", "municipality"} for r in rows)
    assert sum(r["denominator"] or 0 for r in rows) > 0
    for row in rows:
        for count in (row["numerator"], row["denominator"]):
            assert count is None or count == 0 or count >= 5  # counts under 5 suppressed
        assert row["suppressed"] == (row["rate"] is None and (row["numerator"] is None or row["denominator"] is None))


def test_a_community_filter_and_the_month_dimension(client, db: Database, settings: Settings,
                                                    twin_dir: Path) -> None:
    load_twin(db, twin_dir)
    headers = token_for(db, settings, Role.ANALYST)
    response = client.get("/api/v1/indicators/transitions_per_person_year",
                          params={"by": "month", "community": "ostfold"}, headers=headers)
    assert response.status_code == 200
    assert [r["dimensions"]["month"] for r in response.json()["results"]][:2] == ["2024-01", "2024-02"]
    # A helsefellesskap the twin does not hold is not shown as one without patients (0 of 0): 404, naming those held.
    elsewhere = client.get("/api/v1/indicators/transitions_per_person_year", params={"community": "oslo"},
                           headers=headers)
    assert elsewhere.status_code == 404 and elsewhere.headers["content-type"] == "application/problem+json"
    assert "'oslo'" in elsewhere.json()["detail"] and "ostfold" in elsewhere.json()["detail"]


def test_without_a_token_401_and_a_patient_403(client, db: Database, settings: Settings) -> None:
    assert client.get("/api/v1/indicators").status_code == 401
    forbidden = client.get("/api/v1/indicators", headers=token_for(db, settings, Role.PATIENT))
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"


def test_problems_for_an_unknown_indicator_a_bad_dimension_and_no_loaded_twin(client, db: Database,
                                                                               settings: Settings) -> None:
    headers = token_for(db, settings, Role.ANALYST)
    assert client.get("/api/v1/indicators/nope", headers=headers).status_code == 404
    bad = client.get("/api/v1/indicators/notices_on_time", params={"by": "county"}, headers=headers)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    empty = client.get("/api/v1/indicators/notices_on_time", headers=headers)
    assert empty.status_code == 404 and "load-twin" in empty.json()["detail"]


def test_a_second_identical_request_is_answered_from_the_cache_and_each_breakdown_is_its_own(
        client, db: Database, settings: Settings, twin_dir: Path) -> None:
    load_twin(db, twin_dir)
    headers = token_for(db, settings, Role.ANALYST)
    url = "/api/v1/indicators/readmission_elderly_30d"
    first = client.get(url, params={"by": "municipality"}, headers=headers)
    hits, misses = RESULTS.hits, RESULTS.misses
    second = client.get(url, params={"by": "municipality"}, headers=headers)
    assert second.status_code == 200 and second.json() == first.json()
    assert (RESULTS.hits, RESULTS.misses) == (hits + 1, misses)  # not computed again
    for params in ({"by": "month"}, {"by": "municipality", "community": "ostfold"}, {}):
        other = client.get(url, params=params, headers=headers)
        assert other.status_code == 200 and other.json() != first.json()  # (the twin is all Østfold: same rows)
    assert (RESULTS.hits, RESULTS.misses) == (hits + 1, misses + 3)  # another breakdown or community: computed


def test_every_request_is_authorised_before_the_cache_is_asked(client, db: Database, settings: Settings,
                                                               twin_dir: Path) -> None:
    load_twin(db, twin_dir)
    url = "/api/v1/indicators/notices_on_time"
    assert client.get(url, headers=token_for(db, settings, Role.ANALYST)).status_code == 200
    hits = RESULTS.hits
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for(db, settings, Role.PATIENT)).status_code == 403
    assert RESULTS.hits == hits


def test_loading_another_twin_retires_the_cached_results(client, db: Database, settings: Settings, twin_dir: Path,
                                                         other_twin_dir: Path) -> None:
    headers = token_for(db, settings, Role.ANALYST)
    url = "/api/v1/indicators/transitions_per_person_year"

    def counts() -> list[tuple[object, ...]]:
        response = client.get(url, params={"by": "municipality"}, headers=headers)
        assert response.status_code == 200, response.text
        return [(r["dimensions"]["municipality"], r["numerator"], r["denominator"]) for r in response.json()["results"]]

    def expected(directory: Path) -> list[tuple[object, ...]]:
        results = compute(duckdb_twin(directory), [definition_of("transitions_per_person_year")],
                          (Dimension.community, Dimension.municipality))
        return [(r.dimensions["municipality"], r.numerator, r.denominator) for r in results]

    load_twin(db, twin_dir)
    assert counts() == expected(twin_dir) == counts()
    load_twin(db, other_twin_dir)
    assert counts() == expected(other_twin_dir) != expected(twin_dir)
    load_twin(db, twin_dir)  # the first twin again, in a new load: computed again, not taken for the other
    misses = RESULTS.misses
    assert counts() == expected(twin_dir) and RESULTS.misses == misses + 1


def test_a_chosen_period_is_computed_reported_and_cached_apart(client, db: Database, settings: Settings,
                                                               twin_dir: Path) -> None:
    load_twin(db, twin_dir)
    headers = token_for(db, settings, Role.ANALYST)
    url = "/api/v1/indicators/transitions_per_person_year"

    def months(**period: str) -> dict[str, Any]:
        response = client.get(url, params={"by": "month", **period}, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    misses = RESULTS.misses
    whole, spring = months(), months(**{"from": "2024-03-01", "to": "2024-07-01"})
    assert whole["period"] == {"start": "2024-01-01", "end": "2025-01-01"}
    assert spring["period"] == {"start": "2024-03-01", "end": "2024-07-01"}
    rows = {r["dimensions"]["month"]: r for r in whole["results"]}
    assert spring["results"] == [rows[m] for m in ("2024-03", "2024-04", "2024-05", "2024-06")]
    expected = compute(duckdb_twin(twin_dir), [definition_of("transitions_per_person_year")], (Dimension.month,),
                       period=Period(dt.date(2024, 3, 1), dt.date(2024, 7, 1)))
    assert [(r["numerator"], r["denominator"]) for r in spring["results"]] == [
        (r.numerator, r.denominator) for r in expected]
    assert months(to="2024-02-01")["period"] == {"start": "2024-01-01", "end": "2024-02-01"}
    assert RESULTS.misses == misses + 3  # each period computed once
    hits = RESULTS.hits
    assert months(**{"from": "2024-03-01", "to": "2024-07-01"}) == spring and months() == whole
    assert (RESULTS.hits, RESULTS.misses) == (hits + 2, misses + 3)  # then answered from the cache


@pytest.mark.parametrize(("period", "message"), [
    ({"from": "2024-13-01"}, "from: not a date YYYY-MM-DD: '2024-13-01'"),
    ({"to": "1 March"}, "to: not a date YYYY-MM-DD"),
    ({"from": "2024-07-01", "to": "2024-03-01"}, "empty period: from 2024-07-01 to 2024-03-01"),
    ({"from": "2023-07-01", "to": "2024-03-01"}, "the period from 2023-07-01 to 2024-03-01 is not inside the twin's "
                                                 "simulated period, from 2024-01-01 to 2025-01-01"),
    ({"to": "2026-01-01"}, "the period to 2026-01-01 is not inside the twin's simulated period"),
])
def test_a_bad_period_is_a_422_problem(client, db: Database, settings: Settings, twin_dir: Path,
                                       period: dict[str, str], message: str) -> None:
    load_twin(db, twin_dir)
    misses, entries = RESULTS.misses, len(RESULTS)
    response = client.get("/api/v1/indicators/notices_on_time", params=period,
                          headers=token_for(db, settings, Role.ANALYST))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert message in response.json()["detail"]
    assert len(RESULTS) == entries  # nothing kept for a refused period
    assert RESULTS.misses - misses <= 1
