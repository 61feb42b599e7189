"""`helsefellesskap registry …`: JSON output shapes, one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def loaded(cli):
    result = cli("registry", "load")
    assert result.exit_code == 0, result.stderr
    assert "19 communities" in result.stdout and "357 municipalities" in result.stdout
    return cli


def test_load_is_idempotent(loaded) -> None:
    assert loaded("registry", "load").exit_code == 0
    assert len(json.loads(loaded("registry", "communities", "--json").stdout)) == 19


def test_communities_json_shape(loaded) -> None:
    result = loaded("registry", "communities", "--json")
    assert result.exit_code == 0
    communities = json.loads(result.stdout)
    ahus = next(c for c in communities if c["id"] == "ahus")
    assert ahus["name"] == "Ahus og kommunene"
    assert [t["id"] for t in ahus["health_trusts"]] == ["ahus"]
    assert {m["number"] for m in ahus["municipalities"]} >= {"3205", "3401"}
    assert all(set(m) >= {"number", "name", "population"} for m in ahus["municipalities"])


def test_communities_table(loaded) -> None:
    result = loaded("registry", "communities")
    assert result.exit_code == 0 and "Troms og Ofoten" in result.stdout


def test_community_shows_trusts_and_forums(loaded) -> None:
    result = loaded("registry", "community", "telemark")
    assert result.exit_code == 0
    assert "Sykehuset Telemark HF" in result.stdout and result.stdout.count("strategic_committee") == 2


def test_municipality_json(loaded) -> None:
    body = json.loads(loaded("registry", "municipality", "0301", "--json").stdout)
    assert body["community"]["id"] == "oslo" and len(body["districts"]) == 18
    assert body["population_source"] == "memory"  # until `registry refresh` (PROVENANCE.md)


def test_unknown_municipality_is_exit_2_one_line(loaded) -> None:
    result = loaded("registry", "municipality", "9998")
    assert result.exit_code == 2
    assert result.stderr == "error: Municipality 9998 is not in the register.\n"
    bad = loaded("registry", "municipality", "abc")
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1 and "4 digits" in bad.stderr


@pytest.mark.parametrize("day", ["20240101", "2024-W01-1", "2024-02-30", "1.1.2024"])
def test_on_takes_a_date_as_yyyy_mm_dd_only(loaded, day: str) -> None:
    # As the API's `on`: Python's fromisoformat alone also reads 20240101 and 2024-W01-1 as dates.
    result = loaded("registry", "municipality", "0301", "--on", day)
    assert result.exit_code == 2 and result.stderr == f"error: {day!r} is not a date (YYYY-MM-DD).\n"
    assert loaded("registry", "municipality", "0301", "--on", "2024-01-01", "--json").exit_code == 0


def test_empty_register_says_how_to_load(cli) -> None:
    result = cli("registry", "communities")
    assert result.exit_code == 2 and "registry load" in result.stderr


def test_organisation_create_and_list(loaded) -> None:
    created = loaded("registry", "organisation", "create", "--kind", "short_term_stay", "--name",
                     "Korttidsavdelingen", "--municipality", "3401", "--json")
    assert created.exit_code == 0, created.stderr
    body = json.loads(created.stdout)
    assert body["party_address"] == "2340100" and body["kind"] == "short_term_stay"
    listed = json.loads(loaded("registry", "organisations", "--parent", "2340100", "--json").stdout)
    assert [o["address"] for o in listed] == [body["address"]]
    shown = loaded("registry", "organisation", "show", body["address"])
    assert "Korttidsavdelingen" in shown.stdout


def test_organisation_with_bad_orgnr_is_exit_2(loaded) -> None:
    result = loaded("registry", "organisation", "create", "--kind", "gp_office", "--name", "Legekontoret",
                    "--municipality", "0301", "--orgnr", "988077918")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: '988077918' is not an organisation number")
    assert json.loads(loaded("registry", "organisations", "--kind", "gp_office", "--json").stdout) == []


def test_unknown_kind_is_exit_2(loaded) -> None:
    result = loaded("registry", "organisations", "--kind", "castle")
    assert result.exit_code == 2 and "Unknown organisation kind" in result.stderr
