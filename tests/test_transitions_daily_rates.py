"""The daily rate (døgnpris) as an operator-maintained parameter: an administrator sets a year's rate (CLI, API),
with its source, audited; it overrides or extends the shipped table, prices every later refold, reprices the
stored projection of that year at once, and the ledger names each line's rate and whether it is official. The
demo's estimates for 2025 and 2026 are labelled as such. Real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from helsefellesskap.access import audit
from helsefellesskap.access.model import Principal, Role
from helsefellesskap.db import Database
from helsefellesskap.demo_rates import demo_estimates, register_demo_rates
from helsefellesskap.errors import Forbidden, InvalidInput
from helsefellesskap.settings import Settings
from helsefellesskap.transitions import batch, rates_service, service
from helsefellesskap.transitions.calendar import OSLO
from helsefellesskap.transitions.store import DailyRateRow
from transitions_support import PERSON, auth, builder, user

NOW = dt.datetime(2025, 3, 20, 12, tzinfo=dt.UTC)
ADMIN_ORG = "1060000"


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=OSLO)


def stay_2025(stay_id: str = "S25", patient: str = PERSON) -> list[dict]:
    """Ready 4 March 2025, the municipality cannot receive, discharged 7 March: 3 payable days in 2025."""
    stay = builder(stay_id, patient)
    stay.admission(at(1))
    stay.admission_notice(at(1, 12))
    stay.ready(at(4))
    stay.response(at(4, 13), can_receive=False)
    stay.discharge(at(7), destination="nursing_home")
    return stay.messages


@pytest.fixture
def parties(parties: dict[str, Principal], db: Database) -> dict[str, Principal]:
    """The shared parties (conftest) and an administrator."""
    parties["admin"] = user(db, "admin", Role.ADMINISTRATOR, ADMIN_ORG)
    return parties


def feed(db: Database, parties: dict[str, Principal], messages: list[dict]) -> None:
    with db.unit_of_work() as session:
        for message in messages:
            sender = parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]
            assert service.receive_message(session, sender, message, now=NOW).status == "ok"


def ledger(db: Database, parties: dict[str, Principal]) -> list[dict]:
    with db.unit_of_work() as session:
        rows = service.payment_ledger(session, parties["allocation"], now=NOW)
    return [row.model_dump(include={"month", "payable_days", "unpriced_days", "amount_ore", "daily_rate_nok",
                                    "daily_rate_origin"}) for row in rows]


def stay(db: Database, parties: dict[str, Principal], stay_id: str = "S25") -> dict:
    with db.unit_of_work() as session:
        views = service.person_pathway(session, parties["coordinator"], PERSON, now=NOW)
    view = next(v for v in views if v.stay_id == stay_id)
    return {"amount_ore": view.amount_ore, "unpriced_days": view.unpriced_days,
            "notes": [n.code for n in view.payment_note_details]}


def set_rate(db: Database, who: Principal, year: int, nok: int, source: str) -> rates_service.DailyRateView:
    with db.unit_of_work() as session:
        return rates_service.set_rate(session, who, year, nok, source, now=NOW)


def test_setting_a_rate_prices_the_stored_ledger_and_the_stays_at_once_and_is_audited(db, parties) -> None:
    feed(db, parties, stay_2025())
    assert ledger(db, parties) == [{"month": "2025-03", "payable_days": 3, "unpriced_days": 3, "amount_ore": 0,
                                    "daily_rate_nok": None, "daily_rate_origin": None}]
    assert stay(db, parties) == {"amount_ore": 0, "unpriced_days": 3, "notes": ["PAY-UNPRICED-YEAR"]}
    view = set_rate(db, parties["admin"], 2025, 5975, "Prop. 1 S (2024–2025) (test figure)")
    assert (view.nok_per_day, view.origin, view.official, view.set_by) == (5975, "operator", False, "admin")
    assert ledger(db, parties) == [{"month": "2025-03", "payable_days": 3, "unpriced_days": 0,
                                    "amount_ore": 3 * 597500, "daily_rate_nok": 5975, "daily_rate_origin": "operator"}]
    assert stay(db, parties) == {"amount_ore": 3 * 597500, "unpriced_days": 0, "notes": []}
    with db.reading() as session:
        entries = [(e.resource, e.action, e.outcome, e.reason or "")
                   for e in audit.query(session, audit.AuditFilter(user="admin"))]
    assert [entry[:3] for entry in entries] == [("daily_rates", "write", "allowed")]
    assert "daily rate 2025 set to 5975 NOK (was no rate)" in entries[0][3] and "Prop. 1 S (2024–2025)" in entries[0][3]


def test_a_later_refold_prices_with_the_operators_rate_and_a_new_rate_reprices_again(db, parties) -> None:
    set_rate(db, parties["admin"], 2025, 5975, "first figure")
    feed(db, parties, stay_2025())  # folded after the rate was set: priced at ingest
    assert stay(db, parties)["amount_ore"] == 3 * 597500
    set_rate(db, parties["admin"], 2025, 6000, "corrected figure")
    assert stay(db, parties)["amount_ore"] == 3 * 600000
    assert ledger(db, parties)[0]["amount_ore"] == 3 * 600000
    with db.reading() as session:
        assert session.get(DailyRateRow, 2025).source == "corrected figure"  # type: ignore[union-attr]
    with db.unit_of_work() as session:  # the repricing left what a refold writes: nothing for it to change
        assert batch.refold_stays(session, ["S25"], now=NOW) == 0


def test_an_override_of_a_shipped_year_is_flagged_as_not_official(db, parties) -> None:
    with db.unit_of_work() as session:
        before = {r.year: r for r in rates_service.list_rates(session, parties["allocation"], now=NOW)}
    assert before[2024].nok_per_day == 5745 and before[2024].official and before[2024].origin == "shipped"
    assert before[2025].nok_per_day is None and before[2025].official
    set_rate(db, parties["admin"], 2024, 5800, "local correction")
    with db.unit_of_work() as session:
        after = {r.year: r for r in rates_service.list_rates(session, parties["coordinator"], now=NOW)}
    assert (after[2024].nok_per_day, after[2024].official, after[2024].source) == (5800, False, "local correction")
    assert after[2023] == before[2023]


@pytest.mark.parametrize("role", ["allocation", "coordinator", "nurse"])
def test_only_an_administrator_sets_a_rate_and_a_refusal_changes_nothing(db, parties, role: str) -> None:
    with pytest.raises(Forbidden):
        set_rate(db, parties[role], 2025, 5975, "x")
    with db.reading() as session:
        assert session.scalars(select(DailyRateRow)).all() == []
    with pytest.raises(Forbidden), db.unit_of_work() as session:  # a nurse does not read the ledger's rates either
        rates_service.list_rates(session, parties["nurse"], now=NOW)


def test_bad_input_is_refused_with_a_reason(db, parties) -> None:
    for year, nok, source, reason in [(2011, 5975, "x", "year"), (2025, 0, "x", "whole number"),
                                      (2025, 5975, " ", "source")]:
        with pytest.raises(InvalidInput, match=reason):
            set_rate(db, parties["admin"], year, nok, source)


@pytest.fixture
def api_settings(make_settings, database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def api(db: Database, api_settings: Settings):
    from fastapi.testclient import TestClient

    from helsefellesskap.api import create_app

    with TestClient(create_app(api_settings, database=db), raise_server_exceptions=False) as test_client:
        test_client.app.state.clock = lambda: NOW
        yield test_client


def test_the_api_lists_and_sets_rates_with_problem_json_on_bad_input(api, api_settings, db, parties) -> None:
    admin, reader = auth(api_settings, parties["admin"]), auth(api_settings, parties["allocation"])
    rates = {r["year"]: r for r in api.get("/api/v1/daily-rates", headers=reader).json()}
    assert rates[2024]["nok_per_day"] == 5745 and rates[2024]["origin"] == "shipped"
    assert rates[2026]["nok_per_day"] is None
    body = {"nok_per_day": 6214, "source": "Prop. 1 S (2025–2026) (test figure)"}
    refused = api.put("/api/v1/daily-rates/2026", json=body, headers=reader)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    for path, bad in [("/api/v1/daily-rates/2026", {"nok_per_day": 0, "source": "x"}),
                      ("/api/v1/daily-rates/2026", {"nok_per_day": 6214}),
                      ("/api/v1/daily-rates/2026", {"nok_per_day": "many", "source": "x"}),
                      ("/api/v1/daily-rates/2026", {**body, "extra": 1}),
                      ("/api/v1/daily-rates/2026", {"nok_per_day": 6214, "source": "   "}),
                      ("/api/v1/daily-rates/1999", body), ("/api/v1/daily-rates/next", body)]:
        response = api.put(path, json=bad, headers=admin)
        assert response.status_code == 422, (path, bad, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    set_ok = api.put("/api/v1/daily-rates/2026", json=body, headers=admin)
    assert set_ok.status_code == 200, set_ok.text
    assert set_ok.json()["origin"] == "operator" and set_ok.json()["official"] is False
    rates = {r["year"]: r for r in api.get("/api/v1/daily-rates", headers=reader).json()}
    assert rates[2026]["nok_per_day"] == 6214 and rates[2026]["set_by"] == "admin"
    assert api.get("/api/v1/daily-rates").status_code == 401


def test_the_cli_lists_and_sets_rates_and_refuses_bad_input_in_one_line(cli, db) -> None:
    result = cli("transitions", "rates", "set", "2025", "5975", "--source", "Prop. 1 S (2024–2025) (test figure)")
    assert result.exit_code == 0, result.stderr
    assert "daily rate 2025: 5975 NOK per day" in result.stdout
    listed = {r["year"]: r for r in json.loads(cli("transitions", "rates", "list", "--json").stdout)}
    assert listed[2025]["nok_per_day"] == 5975 and listed[2025]["origin"] == "operator"
    assert listed[2025]["set_by"].startswith("cli:")
    assert listed[2024]["origin"] == "shipped"
    table = cli("transitions", "rates", "list").stdout
    assert "2025" in table and "operator" in table
    for args in (["2025", "many"], ["20x5", "5975"], ["2011", "5975"], ["2025", "0"], ["2025", "5975", "--source", " "],
                 ["2025", "5975"]):
        source = [] if "--source" in args or args == ["2025", "5975"] else ["--source", "x"]
        bad = cli("transitions", "rates", "set", *args, *source)
        assert bad.exit_code == 2, args
        assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1, bad.stderr
    with db.reading() as session:
        assert session.get(DailyRateRow, 2025).nok_per_day == 5975  # type: ignore[union-attr]


def test_the_demo_registers_labelled_estimates_for_2025_and_2026_only_where_no_rate_is_set(db, parties) -> None:
    assert demo_estimates() == {2025: 5975, 2026: 6214}  # 5 745 kr indexed by 4 % a year, whole kroner
    feed(db, parties, stay_2025())
    set_rate(db, parties["admin"], 2026, 6100, "an administrator's figure")
    assert register_demo_rates(db, now=NOW) == {2025: 5975}
    with db.unit_of_work() as session:
        rates = {r.year: r for r in rates_service.list_rates(session, parties["allocation"], now=NOW)}
    assert rates[2025].nok_per_day == 5975 and not rates[2025].official
    assert rates[2025].source.startswith("DEMOANSLAG, IKKE DEN OFFISIELLE SATSEN")
    assert rates[2026].source == "an administrator's figure"  # left alone
    assert ledger(db, parties)[0]["amount_ore"] == 3 * 597500  # the demo ledger shows amounts
    assert register_demo_rates(db, now=NOW) == {2025: 5975}  # a second run: the same


def test_the_ledger_page_shows_each_years_rate_its_source_and_flags_the_demo_estimate(client, db) -> None:
    from web_seed import feed_waiting_stay, seed_users, sign_in_client

    seed_users(db)
    now = dt.datetime.now(dt.UTC)
    feed_waiting_stay(db, now=now)  # payable days in the current year (no shipped rate from 2025 on)
    register_demo_rates(db, now=now)
    sign_in_client(client, "tildeling")
    page = client.get("/ledger").text
    year = (now - dt.timedelta(days=12)).year
    caption = "Døgnpris for årene i betalingsoversikten"
    assert caption in page
    rates = page.split(caption, 1)[1].split("</table>", 1)[0]
    assert f'<th scope="row">{year}</th>' in rates
    if year in (2025, 2026):
        assert "Ikke fra den offisielle tabellen" in rates and "DEMOANSLAG, IKKE DEN OFFISIELLE SATSEN" in rates
        assert f"{demo_estimates()[year]:,}".replace(",", "\xa0") in rates
        lines = page.split("Betalingsdøgn og beløp per kommune, helseforetak og måned", 1)[1].split("</table>")[0]
        assert "Døgn uten døgnpris" in lines and ">0<" in lines.split("<tfoot>")[1]  # no unpriced days in the total
