"""A NUL character (U+0000) in any input is refused the same way on SQLite and PostgreSQL, and nothing is written.

PostgreSQL cannot store U+0000 in a text column: before the guard, a NUL in a query parameter (the audit search's
user, the ledger's health trust), a message's id or stay, or a daily rate's source was a database error and an
HTTP 500 on PostgreSQL, while SQLite stored it. Run on both databases (HELSEFELLESSKAP_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helsefellesskap.access.model import Role
from helsefellesskap.access.store import AuditEntryRow
from helsefellesskap.db import Database
from helsefellesskap.errors import InvalidInput
from helsefellesskap.nul_guard import json_has_nul
from helsefellesskap.transitions import service
from helsefellesskap.transitions.rates_service import list_rates
from helsefellesskap.transitions.store import MessageRow
from transitions_support import NOW, PERSON, at, auth, builder, setup_parties, user


def _admission(**changes: object) -> dict:
    stay = builder("S1", PERSON)
    stay.admission(at(1))
    return {**stay.messages[0], **changes}


def _count(db: Database, table: type) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


@pytest.mark.parametrize("path", [
    "/api/v1/audit?user=%00",
    "/api/v1/audit?organisation=a%00b",
    "/api/v1/ledger?health_trust=%00",
    "/api/v1/boards/hospital?state=%00",
    "/api/v1/persons/%00/timeline",
])
def test_a_nul_in_the_path_or_query_is_422_problem(client, db: Database, settings, path: str) -> None:
    admin = user(db, "admin", Role.ADMINISTRATOR, None)
    response = client.get(path, headers=auth(settings, admin))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize("changes", [{"id": "A\x00"}, {"stay_id": "S\x00"}, {"sender": "1060200\x00"},
                                     {"diagnoses": ["J44\x00"]}, {"type": "admission\x00"}])
def test_a_message_with_a_nul_is_422_and_not_stored(client, db: Database, settings, changes: dict) -> None:
    parties = setup_parties(db)
    response = client.post("/api/v1/messages", json=_admission(**changes),
                           headers=auth(settings, parties["hospital_system"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert _count(db, MessageRow) == 0


def test_a_daily_rate_source_with_a_nul_is_422_and_not_set(client, db: Database, settings) -> None:
    admin = user(db, "admin", Role.ADMINISTRATOR, None)
    audited = _count(db, AuditEntryRow)
    response = client.put("/api/v1/daily-rates/2025", json={"nok_per_day": 6000, "source": "Prop.\x001 S"},
                          headers=auth(settings, admin))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert _count(db, AuditEntryRow) == audited
    with db.reading() as session:
        assert not any(rate.origin == "operator" for rate in list_rates(session, admin, now=NOW))


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(client, db: Database, settings) -> None:
    parties = setup_parties(db)
    message = _admission()
    body = json.dumps(message)[:-1] + ', "note": "C:\\\\u0000"}'  # the JSON text \\u0000: a backslash, then u0000
    assert json.loads(body)["note"] == "C:\\u0000" and not json_has_nul(body.encode())
    response = client.post("/api/v1/messages", content=body,
                           headers={**auth(settings, parties["hospital_system"]), "content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert json_has_nul(b'{"a": "\\\\\\u0000"}')  # an escaped backslash and then a real \u0000


def test_ingest_refuses_a_log_with_a_nul_naming_the_line_and_stores_nothing(cli, db: Database,
                                                                           tmp_path: Path) -> None:
    setup_parties(db)
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(_admission()) + "\n" + json.dumps(_admission(id="B", stay_id="S\x00")) + "\n",
                   encoding="utf-8")
    result = cli("transitions", "ingest", str(log), "--as", "his")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: line 2:") and "NUL" in result.stderr
    assert result.stderr.count("\n") == 1
    assert _count(db, MessageRow) == 0


def test_a_page_with_a_nul_shows_a_bokmal_error_page(client, db: Database) -> None:
    for path in ("/audit?user=%00", "/ledger?health_trust=%00", "/persons/%00"):
        response = client.get(path)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")
        assert '<html lang="nb">' in response.text and "Ugyldige opplysninger" in response.text
    posted = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert posted.status_code == 422 and "Ugyldige opplysninger" in posted.text


def test_a_message_with_a_lone_surrogate_is_422_and_not_stored_one_by_one_and_in_a_batch(client, db: Database,
                                                                                         settings) -> None:
    """JSON's `\\ud800` escape parses to a lone UTF-16 surrogate, which no UTF-8 text holds: it was a 500."""
    parties = setup_parties(db)
    body = json.dumps(_admission(stay_id="SURROGATE")).replace("SURROGATE", "\\ud800")
    response = client.post("/api/v1/messages", content=body,
                           headers={**auth(settings, parties["hospital_system"]), "content-type": "application/json"})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert "surrogate" in response.json()["detail"]
    with db.unit_of_work() as session:
        outcomes = service.receive_messages(session, [(parties["hospital_system"], json.loads(body)),
                                                      (parties["hospital_system"], _admission())], now=NOW)
    assert isinstance(outcomes[0], InvalidInput) and outcomes[1].status == "ok"
    assert _count(db, MessageRow) == 1
