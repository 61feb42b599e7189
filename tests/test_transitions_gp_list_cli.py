"""`helsefellesskap transitions gp-list` on the real database: the GP's list as the acting user sees it (table and
JSON), only the GP's own patients, one audit entry per person shown, refusals and bad input exit 2 with one line."""

from __future__ import annotations

import json

import pytest

from gp_list_support import EXPECTED, IN_HOSPITAL, LONG_AGO, MISSING, OTHER_GPS, RECEIVED, seed_gp_list
from helsefellesskap.access import audit as audit_log
from helsefellesskap.db import Database


def _board_gp_entries(db: Database, username: str) -> list[tuple[str | None, str]]:
    with db.reading() as session:
        return sorted((e.national_id, e.outcome) for e in audit_log.query(session, audit_log.AuditFilter(user=username))
                      if e.resource == "board.gp")


def test_the_table_lists_the_gps_patients_with_a_recent_stay(cli, db: Database) -> None:
    seed_gp_list(db)
    result = cli("transitions", "gp-list", "--as", "fastlege")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    shown = [p for line in lines for p in EXPECTED if p in line]
    assert shown == EXPECTED  # in hospital first, then the latest discharge first
    assert OTHER_GPS not in result.stdout and LONG_AGO not in result.stdout
    assert "discharge_summary" in result.stdout and "Patients of fastlege" in result.stdout
    assert any(MISSING in line and "missing" in line for line in lines)
    assert any(RECEIVED in line and "received" in line for line in lines)
    assert any(IN_HOSPITAL in line and "ready_for_discharge" in line and "not_yet" in line for line in lines)


def test_json_is_the_apis_rows_and_each_person_is_audited_once(cli, db: Database) -> None:
    seed_gp_list(db)
    result = cli("transitions", "gp-list", "--as", "fastlege", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["patient"] for r in rows] == EXPECTED
    by = {r["patient"]: r for r in rows}
    assert by[IN_HOSPITAL]["in_hospital"] and by[IN_HOSPITAL]["discharge_summary"] == "not_yet"
    assert by[MISSING]["discharge_summary"] == "missing" and by[RECEIVED]["discharge_summary_at"]
    assert set(rows[0]) >= {"patient", "age", "sex", "stay_id", "hospital", "state", "open_alerts",
                            "discharge_summary"}
    assert _board_gp_entries(db, "fastlege") == sorted((p, "allowed") for p in EXPECTED)
    with db.reading() as session:
        assert audit_log.verify(session).intact


def test_another_gp_office_sees_only_its_own(cli, db: Database) -> None:
    seed_gp_list(db)
    result = cli("transitions", "gp-list", "--as", "annenlege", "--json")
    assert result.exit_code == 0 and [r["patient"] for r in json.loads(result.stdout)] == [OTHER_GPS]


@pytest.mark.parametrize("username", ["tildeling", "utskrivning", "pasient", "admin"])
def test_a_user_without_the_gp_list_is_refused_with_exit_2(cli, db: Database, username: str) -> None:
    seed_gp_list(db)
    result = cli("transitions", "gp-list", "--as", username)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "No active user" not in result.stderr  # refused, not unknown
    assert _board_gp_entries(db, username) == []  # nobody's data was read


@pytest.mark.parametrize("args", [("--as", "nobody"), (), ("--as", "fastlege", "--format", "csv"),
                                  ("--as", "fastlege", "extra")])
def test_bad_input_exits_2_with_one_line(cli, db: Database, args: tuple[str, ...]) -> None:
    seed_gp_list(db)
    result = cli("transitions", "gp-list", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert _board_gp_entries(db, "fastlege") == []
