"""The access commands: demo users and development tokens, user administration, care relations, audit queries."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from helsefellesskap.access.model import Role
from helsefellesskap.access.tokens import validate_bearer
from helsefellesskap.access.users import demo_patient_national_id
from helsefellesskap.db import Database
from helsefellesskap.settings import get_settings
from register_support import load_register_with_gp_offices

PERSON = "17854101463"


@pytest.fixture
def dev_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELSEFELLESSKAP_DEV_SIGNING_KEY_FILE", str(tmp_path / "dev-key.pem"))
    get_settings.cache_clear()


@pytest.fixture
def registered(db: Database) -> None:
    """The register loaded: users and care relations belong to its organisations."""
    load_register_with_gp_offices(db)


def test_dev_seed_creates_one_user_per_role_and_is_idempotent(cli, registered: None) -> None:
    first = cli("dev", "seed")
    assert first.exit_code == 0, first.stderr
    assert "password of every demo user: helsefellesskap-demo" in first.stdout
    assert cli("dev", "seed").exit_code == 0
    listed = [json.loads(line) for line in cli("users", "list", "--json").stdout.splitlines()]
    assert {role for user in listed for role in user["roles"]} == {role.value for role in Role}
    patient = next(u for u in listed if u["roles"] == ["patient"])
    assert patient["national_id"] == demo_patient_national_id()


def test_dev_token_prints_a_valid_bearer_token(cli, dev_key: None, registered: None) -> None:
    cli("dev", "seed")
    result = cli("dev", "token", "--user", "fastlege")
    assert result.exit_code == 0, result.stderr
    principal = validate_bearer(result.stdout.strip(), get_settings())
    assert principal.username == "fastlege" and principal.roles == frozenset({Role.GP})


def test_dev_token_refuses_when_the_dev_provider_is_disabled(cli, monkeypatch: pytest.MonkeyPatch,
                                                             registered: None) -> None:
    cli("dev", "seed")
    monkeypatch.setenv("HELSEFELLESSKAP_DEV_IDENTITY_PROVIDER", "false")
    get_settings.cache_clear()
    result = cli("dev", "token", "--user", "fastlege")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "development identity provider is disabled" in result.stderr


@pytest.mark.parametrize(("variable", "value"), [("HELSEFELLESSKAP_DEV_SIGNING_KEY_FILE", "{directory}"),
                                                 ("HELSEFELLESSKAP_DEV_SIGNING_KEY", "garbage")])
def test_an_unusable_dev_signing_key_is_one_line_naming_its_setting(cli, monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path, registered: None,
                                                                    variable: str, value: str) -> None:
    cli("dev", "seed")
    monkeypatch.setenv(variable, value.format(directory=tmp_path))  # a directory, not a key file; not PEM
    get_settings.cache_clear()
    result = cli("dev", "token", "--user", "fastlege")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"{variable}: no usable RSA private key" in result.stderr


def test_dev_token_for_an_unknown_user_exits_2(cli, dev_key: None) -> None:
    result = cli("dev", "token", "--user", "nobody")
    assert result.exit_code == 2 and "nobody" in result.stderr


def test_users_create_with_a_password_from_stdin(cli, monkeypatch: pytest.MonkeyPatch, registered: None) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    result = cli("users", "create", "kari", "--name", "Kari Koordinator", "--role", "municipal_coordinator",
                 "--role", "municipal_nurse", "--organisation", "2340300", "--password-stdin")
    assert result.exit_code == 0, result.stderr
    [kari] = [json.loads(line) for line in cli("users", "list", "--json").stdout.splitlines()]
    assert kari["roles"] == ["municipal_coordinator", "municipal_nurse"]


def test_users_create_rejects_bad_input_with_one_line(cli, registered: None) -> None:
    bad_id = cli("users", "create", "pia", "--name", "Pia", "--role", "patient", "--national-id", "12345678901")
    assert bad_id.exit_code == 2 and bad_id.stderr.startswith("error: ") and bad_id.stderr.count("\n") == 1
    no_org = cli("users", "create", "lege", "--name", "Lege", "--role", "hospital_physician")
    assert no_org.exit_code == 2 and "organisation" in no_org.stderr
    cli("users", "create", "admin", "--name", "Admin", "--role", "administrator")
    duplicate = cli("users", "create", "admin", "--name", "Admin", "--role", "administrator")
    assert duplicate.exit_code == 2 and "already exists" in duplicate.stderr


def test_users_create_refuses_an_organisation_the_register_does_not_hold(cli, registered: None) -> None:
    result = cli("users", "create", "lege", "--name", "Lege", "--role", "hospital_physician",
                 "--organisation", "1069999")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "1069999" in result.stderr and "register" in result.stderr
    assert cli("users", "list", "--json").stdout == ""
    registered_one = cli("users", "create", "lege", "--name", "Lege", "--role", "hospital_physician",
                         "--organisation", "1060200")
    assert registered_one.exit_code == 0, registered_one.stderr


def test_care_relations_grant_refuses_an_organisation_the_register_does_not_hold(cli, registered: None) -> None:
    result = cli("care-relations", "grant", PERSON, "--organisation", "1060299", "--kind", "hospital_stay",
                 "--reference", "stay-9")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and "1060299" in result.stderr
    assert cli("care-relations", "list", PERSON).stdout == ""
    log = [json.loads(line) for line in cli("audit", "query", "--person", PERSON, "--json").stdout.splitlines()]
    assert [(e["action"], e["reason"]) for e in log] == [("read", "listed care relations from the command line")]


def test_dev_seed_without_the_register_exits_2_and_creates_nobody(cli) -> None:
    result = cli("dev", "seed")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "registry load" in result.stderr
    assert cli("users", "list").stdout == ""


def test_care_relations_grant_list_end_are_audited(cli, registered: None) -> None:
    granted = cli("care-relations", "grant", PERSON, "--organisation", "1060200", "--kind", "hospital_stay",
                  "--reference", "stay-9", "--start", "2026-03-01T08:00:00+01:00")
    assert granted.exit_code == 0, granted.stderr
    listed = cli("care-relations", "list", PERSON)
    assert "1060200" in listed.stdout and "hospital_stay" in listed.stdout and "open" in listed.stdout
    ended = cli("care-relations", "end", PERSON, "--organisation", "1060200", "--kind", "hospital_stay",
                "--reference", "stay-9", "--end", "2026-03-05T12:00:00+01:00")
    assert ended.exit_code == 0, ended.stderr
    missing = cli("care-relations", "end", PERSON, "--organisation", "1060200", "--kind", "gp", "--reference", "x")
    assert missing.exit_code == 2
    log = [json.loads(line) for line in cli("audit", "query", "--person", PERSON, "--json").stdout.splitlines()]
    assert [(e["action"], e["resource"]) for e in log] == [
        ("write", "person.care_relations"), ("read", "person.care_relations"), ("write", "person.care_relations")]
    assert all(e["user_id"].startswith("cli:") and e["source"].startswith("cli ") for e in log)


def test_audit_query_is_itself_audited_and_verify_stays_intact(cli, registered: None) -> None:
    cli("care-relations", "grant", PERSON, "--organisation", "1060200", "--kind", "gp", "--reference", "list-1")
    table = cli("audit", "query", "--user", "nobody-in-particular")
    assert table.exit_code == 0 and table.stdout == ""
    queries = cli("audit", "query", "--json").stdout.splitlines()
    assert json.loads(queries[0])["resource"] == "audit.compliance"
    emergency_only = cli("audit", "query", "--emergency", "--json")
    assert emergency_only.exit_code == 0 and emergency_only.stdout == ""
    verified = cli("audit", "verify")
    assert verified.exit_code == 0 and "intact: 4 entries" in verified.stdout


def test_audit_query_rejects_an_invalid_person(cli) -> None:
    result = cli("audit", "query", "--person", "123")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")


def test_dev_seed_registers_the_demo_gp_office_and_the_patients_gp_relation(cli) -> None:
    assert cli("registry", "load").exit_code == 0
    assert cli("dev", "seed").exit_code == 0
    shown = cli("registry", "organisation", "show", "3990001")
    assert shown.exit_code == 0, shown.stderr
    relations = cli("care-relations", "list", demo_patient_national_id())
    assert "3990001" in relations.stdout and "gp" in relations.stdout


def test_audit_emergencies_lists_the_accesses_to_review(cli, db) -> None:
    import datetime as dt

    from helsefellesskap.access.emergency import open_emergency_access
    from helsefellesskap.access.model import Principal

    nurse = Principal("u-9", "hjemmesykepleier", "Hanne", "2340300", frozenset({Role.MUNICIPAL_NURSE}))
    now = dt.datetime.now(dt.UTC)
    with db.unit_of_work() as session:
        open_emergency_access(session, nurse, PERSON, "fall at home, unconscious", dt.timedelta(minutes=30),
                              now=now, maximum=dt.timedelta(hours=4))
    [row] = [json.loads(line) for line in cli("audit", "emergencies", "--json").stdout.splitlines()]
    assert (row["username"], row["national_id"], row["review_outcome"]) == ("hjemmesykepleier", PERSON, None)
    assert "to review" in cli("audit", "emergencies").stdout
