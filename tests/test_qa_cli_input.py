"""Bad input to the transitions and care-relations commands exits 2 with one line on stderr and writes nothing (it
was a traceback with exit 1, a silently dropped option, or a relation stored with an empty or over-long reference —
a database error on PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helsefellesskap.access.store import CareRelationRow
from helsefellesskap.db import Database
from register_support import load_register_with_gp_offices
from transitions_support import PERSON, waiting_stay


def _one_error_line(result) -> bool:
    return (result.exit_code == 2 and result.stdout == "" and result.stderr.startswith("error: ")
            and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(json.dumps(m) for m in waiting_stay()) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("hours", ["inf", "1e12", "-inf"])
def test_an_answer_deadline_beyond_any_time_exits_2(cli, log: Path, hours: str) -> None:
    result = cli("transitions", "replay", str(log), "--answer-deadline", f"3403={hours}")
    assert _one_error_line(result), result.stderr
    assert "--answer-deadline" in result.stderr


@pytest.mark.parametrize("command", ["replay", "ledger"])
def test_final_and_as_of_together_exit_2_instead_of_dropping_as_of(cli, log: Path, command: str) -> None:
    result = cli("transitions", command, str(log), "--final", "--as-of", "2024-03-05T12:00:00+01:00")
    assert _one_error_line(result) and "--final" in result.stderr and "--as-of" in result.stderr
    assert cli("transitions", command, str(log), "--final").exit_code == 0


def _relations(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(CareRelationRow)) or 0


@pytest.mark.parametrize("reference", ["", "   ", "x" * 201])
def test_a_care_relation_needs_a_reference_of_1_to_200_characters(cli, db: Database, reference: str) -> None:
    load_register_with_gp_offices(db)
    result = cli("care-relations", "grant", PERSON, "--organisation", "1060200", "--kind", "gp",
                 "--reference", reference)
    assert _one_error_line(result) and "reference" in result.stderr
    assert _relations(db) == 0
    longest = cli("care-relations", "grant", PERSON, "--organisation", "1060200", "--kind", "gp",
                  "--reference", "x" * 200)
    assert longest.exit_code == 0, longest.stderr


def test_a_care_relation_time_without_a_utc_offset_exits_2(cli, db: Database) -> None:
    load_register_with_gp_offices(db)
    result = cli("care-relations", "grant", PERSON, "--organisation", "1060200", "--kind", "gp", "--reference",
                 "list-1", "--start", "2026-03-01T08:00")
    assert _one_error_line(result) and "UTC offset" in result.stderr
    assert _relations(db) == 0


def _deep_line(tmp_path: Path) -> Path:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"id": "x", "a": ' + "[" * 5000 + "]" * 5000 + "}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["replay", "ledger"])
def test_a_line_nested_too_deeply_exits_2_naming_it(cli, tmp_path: Path, command: str) -> None:
    result = cli("transitions", command, str(_deep_line(tmp_path)))
    assert _one_error_line(result) and result.stderr.startswith("error: line 1:") and "nested" in result.stderr


def test_ingest_refuses_a_line_nested_too_deeply_and_stores_nothing(cli, db: Database, tmp_path: Path) -> None:
    from helsefellesskap.transitions.store import MessageRow
    from transitions_support import setup_parties

    setup_parties(db)
    result = cli("transitions", "ingest", str(_deep_line(tmp_path)), "--as", "his")
    assert _one_error_line(result) and result.stderr.startswith("error: line 1:") and "nested" in result.stderr
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(MessageRow)) == 0


def test_a_password_no_sign_in_takes_is_refused_and_the_user_not_created(cli, db: Database, monkeypatch) -> None:
    """Sign-in (the web form and the token grant) takes at most 200 characters, so a longer password made a user
    who could never sign in."""
    import io
    import sys

    load_register_with_gp_offices(db)
    monkeypatch.setattr(sys, "stdin", io.StringIO("x" * 201 + "\n"))
    result = cli("users", "create", "sykepleier", "--name", "Sykepleier", "--role", "hospital_nurse",
                 "--organisation", "1060200", "--password-stdin")
    assert _one_error_line(result) and "200" in result.stderr
    assert cli("users", "list", "--json").stdout == ""


def test_a_display_name_longer_than_its_column_is_refused(cli, db: Database) -> None:
    load_register_with_gp_offices(db)
    result = cli("users", "create", "sykepleier", "--name", "N" * 201, "--role", "hospital_nurse",
                 "--organisation", "1060200")
    assert _one_error_line(result) and "200" in result.stderr
    assert cli("users", "list", "--json").stdout == ""
    fits = cli("users", "create", "sykepleier", "--name", "N" * 200, "--role", "hospital_nurse",
               "--organisation", "1060200")
    assert fits.exit_code == 0, fits.stderr


@pytest.mark.parametrize("command", [("demo", "--no-browser"), ("serve",)])
@pytest.mark.parametrize("port", ["0", "70000", "-1"])
def test_a_port_outside_1_to_65535_exits_2(cli, command: tuple[str, ...], port: str) -> None:
    result = cli(*command, "--port", port)
    assert _one_error_line(result) and "--port" in result.stderr  # it was a traceback after preparing the demo


def test_the_demo_refuses_a_busy_port_before_preparing_anything(cli, db: Database) -> None:
    import socket

    from helsefellesskap.registry.store import CommunityRow

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = cli("demo", "--port", str(port), "--no-browser")
    assert _one_error_line(result) and f"127.0.0.1:{port}" in result.stderr
    with db.reading() as session:  # the first run's preparation (register, users, twin, a year of messages) not begun
        assert session.scalar(select(func.count()).select_from(CommunityRow)) == 0


def test_serve_refuses_a_busy_port_in_one_line(cli) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = cli("serve", "--host", "127.0.0.1", "--port", str(port))
    assert _one_error_line(result) and f"127.0.0.1:{port}" in result.stderr  # it was uvicorn's log and exit 3
