"""Times at the edge of the calendar — a typing error like year 0001 or 9999 — are invalid input, taken only from
1900 to before 3000 (UTC, `helsefellesskap.moments`). They were a 500 or a traceback: 0001-01-01 00:30 +01:00 lies
before year 1 in UTC, and 9999-12-31 23:00 -05:00 after year 9999."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helsefellesskap.access.model import Role
from helsefellesskap.db import Database
from helsefellesskap.transitions import service
from transitions_support import NOW, PERSON, at, auth, builder, setup_parties, user, waiting_stay
from web_transitions_support import seed, sign_in

EDGES = ["0001-01-01T00:30:00+01:00", "9999-12-31T23:00:00-05:00", "2999-12-31T23:59:59-01:00"]


def _admission(moment: str) -> dict:
    stay = builder("S1", PERSON)
    stay.admission(at(1))
    return {**stay.messages[0], "sent_at": moment, "admitted_at": moment}


@pytest.mark.parametrize("moment", EDGES)
def test_a_message_at_the_edge_of_the_calendar_is_rejected_not_a_500(client, db: Database, settings,
                                                                      moment: str) -> None:
    parties = setup_parties(db)
    response = client.post("/api/v1/messages", json=_admission(moment),
                           headers=auth(settings, parties["hospital_system"]))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["receipt"]["status"] == "rejected"
    assert {e["code"] for e in response.json()["errors"]} == {"invalid-message"}


def test_the_bounds_let_1900_to_2999_through(client, db: Database, settings) -> None:
    parties = setup_parties(db)
    for n, moment in enumerate(("1900-01-01T00:00:00+00:00", "2999-12-31T22:59:59-01:00")):
        message = {**_admission(moment), "id": f"edge-{n}", "stay_id": f"S-{n}"}
        response = client.post("/api/v1/messages", json=message, headers=auth(settings, parties["hospital_system"]))
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("moment", EDGES)
def test_api_times_at_the_edge_are_422_problem(client, db: Database, settings, moment: str) -> None:
    parties = setup_parties(db)
    admin = user(db, "admin", Role.ADMINISTRATOR, None)
    with db.unit_of_work() as session:
        for message in waiting_stay("A", discharged=False)[:3]:
            service.receive_message(session, parties["hospital_system"], message, now=NOW)
    responses = [
        client.get("/api/v1/audit", params={"since": moment}, headers=auth(settings, admin)),
        client.get("/api/v1/audit", params={"until": moment}, headers=auth(settings, admin)),
        client.post(f"/api/v1/persons/{PERSON}/care-relations", headers=auth(settings, parties["coordinator"]),
                    json={"organisation_address": "1060200", "reference": "plan-1", "valid_to": moment}),
        client.post("/api/v1/stays/A/municipal-response", json={"can_receive": True, "receive_from": moment},
                    headers=auth(settings, parties["allocation"])),
    ]
    assert [r.status_code for r in responses] == [422] * 4
    assert all(r.headers["content-type"] == "application/problem+json" for r in responses)


def test_web_dates_at_the_edge_are_a_bokmal_message(client, db: Database) -> None:
    seed(db)
    sign_in(client, "personvern")
    page = client.get("/audit?since=0001-01-01")
    assert page.status_code == 422 and "Skriv datoene som år-måned-dag" in page.text
    client.cookies.clear()
    sign_in(client, "tildeling")
    for moment in ("0001-01-01T00:30", "9999-12-31T23:59"):
        answer = client.post("/boards/municipality/stays/SIH-1/answer", data={"answer": "can", "receive_from": moment},
                             headers={"HX-Request": "true"})
        assert answer.status_code == 200 and 'aria-invalid="true"' in answer.text and "Traceback" not in answer.text


@pytest.mark.parametrize("moment", EDGES[:2])
def test_cli_times_at_the_edge_exit_2(cli, db: Database, tmp_path: Path, moment: str) -> None:
    setup_parties(db)
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(m) for m in waiting_stay()) + "\n", encoding="utf-8")
    for args in (("transitions", "replay", str(log), "--as-of", moment),
                 ("transitions", "ingest", str(log), "--as", "his", "--now", moment),
                 ("care-relations", "grant", PERSON, "--organisation", "1060200", "--kind", "gp", "--reference", "r",
                  "--start", moment)):
        result = cli(*args)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, (args, result.stderr)
        assert "1900" in result.stderr and "3000" in result.stderr


def test_replay_reports_a_message_at_the_edge_as_rejected(cli, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(_admission(EDGES[0])) + "\n" + json.dumps(waiting_stay("S2")[0]) + "\n",
                   encoding="utf-8")
    result = cli("transitions", "replay", str(log), "--json")
    assert result.exit_code == 0, result.stderr
    receipts = [r for stay in json.loads(result.stdout)["stays"] for r in stay["receipts"]]
    assert any(r["status"] == "rejected" and r["errors"][0]["code"] == "invalid-message" for r in receipts)
