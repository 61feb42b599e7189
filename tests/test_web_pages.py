"""Sign-in, the start page of each role, and the patient's page "who has looked at my data" — through the real
app, session cookie and audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from helsefellesskap.access.model import Action, CareRelationKind, Resource
from helsefellesskap.access.seeding import default_demo_organisations
from helsefellesskap.access.service import authorize_person, grant_care_relation
from helsefellesskap.access.users import DEMO_PASSWORD, demo_patient_national_id, get_user, seed_demo_users
from helsefellesskap.db import Database
from register_support import load_register_with_gp_offices


def _seed(db: Database) -> None:
    load_register_with_gp_offices(db)
    with db.unit_of_work() as session:
        seed_demo_users(session, default_demo_organisations(session), now=datetime.now(UTC))


def _sign_in(client, username: str):
    return client.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)


def test_pages_need_sign_in(client) -> None:
    for path in ("/", "/my/access-log"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"


def test_sign_in_page_is_in_bokmal_and_lists_demo_users(client, db) -> None:
    _seed(db)
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="nb">' in page.text
    assert "Logg inn" in page.text and "Brukernavn" in page.text
    assert "<code>pasient</code>" in page.text
    assert "content-security-policy" in page.headers


def test_wrong_password_is_refused_without_a_session(client, db) -> None:
    _seed(db)
    response = client.post("/login", data={"username": "pasient", "password": "wrong"}, follow_redirects=False)
    assert response.status_code == 401
    assert "Feil brukernavn eller passord." in response.text
    assert "helsefellesskap_session" not in response.headers.get("set-cookie", "")


def test_a_junk_sign_in_is_a_message_on_the_sign_in_page(client, db) -> None:
    _seed(db)
    for data in ({}, {"username": "", "password": ""}, {"username": "  ", "password": "x"}, {"username": "pasient"}):
        empty = client.post("/login", data=data, follow_redirects=False)
        assert empty.status_code == 422 and empty.headers["content-type"].startswith("text/html"), data
        assert "Skriv brukernavn og passord." in empty.text, data
    for data in ({"username": "a" * 300, "password": "x"}, {"username": "pasient", "password": "x" * 5000}):
        long = client.post("/login", data=data, follow_redirects=False)
        assert long.status_code == 401 and "Feil brukernavn eller passord." in long.text
        assert "a" * 101 not in long.text  # the field is given back at most as long as it may be


def test_each_role_lands_on_its_start_page(client, db) -> None:
    _seed(db)
    expected = {"pasient": "/my/access-log", "utskrivning": "/boards/hospital", "tildeling": "/boards/municipality",
                "fastlege": "/patients", "analytiker": "/dashboard", "personvern": "/audit"}
    for username, home in expected.items():
        response = _sign_in(client, username)
        assert response.status_code == 303, username
        assert response.headers["location"] == home, username
        client.cookies.clear()


def test_patient_sees_who_has_looked_at_their_data(client, db) -> None:
    _seed(db)
    patient = demo_patient_national_id()
    now = datetime.now(UTC)
    with db.unit_of_work() as session:
        nurse = get_user(session, "sykepleier")
        assert nurse.organisation_address is not None
        grant_care_relation(session, patient, nurse.organisation_address, CareRelationKind.HOSPITAL_STAY,
                            "stay-1", now)
        authorize_person(session, nurse, patient, Action.READ, Resource.PERSON_PATHWAY, now=now, source="test")
    assert _sign_in(client, "pasient").status_code == 303
    page = client.get("/my/access-log")
    assert page.status_code == 200
    assert "Hvem har sett mine opplysninger" in page.text
    assert "Sykepleier Siri Sykehus" in page.text
    # what and why in bokmål, not the access layer's codes and English reasons
    assert "Lest · forløpet" in page.text
    assert "Behandlingsforhold: sykehusopphold (stay-1)" in page.text
    assert "person.pathway" not in page.text and "care relation" not in page.text and 'lang="en"' not in page.text


def test_an_audit_reason_of_an_unknown_form_is_shown_as_stored_and_marked_english() -> None:
    from helsefellesskap.web.audit_words import reason_words
    from helsefellesskap.web.i18n import translations

    _ = translations("nb").gettext
    assert reason_words("listed on the municipality board", _).text == "Vist på kommunens tavle"
    assert reason_words("message submitted as 1060200", _, {"1060200": "Sykehuset"}.get).text == \
        "Melding sendt av Sykehuset"
    assert reason_words("break the glass: bevisstløs pasient", _).text == "Nødtilgang: bevisstløs pasient"
    assert reason_words("compliance query (all)", _).text == "Søk i tilgangsloggen: alt"
    unknown = reason_words("created user x with access to this person's own record", _)
    assert unknown.english and unknown.text.startswith("created user x")
    assert not reason_words(None, _).english


def test_staff_cannot_open_the_patient_page(client, db) -> None:
    _seed(db)
    _sign_in(client, "sykepleier")
    page = client.get("/my/access-log")
    assert page.status_code == 403
    assert "Ingen tilgang" in page.text


def test_sign_out_ends_the_session(client, db) -> None:
    _seed(db)
    _sign_in(client, "pasient")
    assert client.get("/my/access-log").status_code == 200
    client.post("/logout", follow_redirects=False)
    client.cookies.clear()
    assert client.get("/my/access-log", follow_redirects=False).status_code == 303


def test_the_same_access_repeated_on_a_day_is_one_line_that_says_how_often(client, db) -> None:
    _seed(db)
    patient = demo_patient_national_id()
    now = (datetime.now(UTC) - timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)  # Oslo 11/12
    with db.unit_of_work() as session:
        nurse = get_user(session, "sykepleier")
        assert nurse.organisation_address is not None
        grant_care_relation(session, patient, nurse.organisation_address, CareRelationKind.HOSPITAL_STAY,
                            "stay-1", now - timedelta(days=3))
        authorize_person(session, nurse, patient, Action.READ, Resource.PERSON_PATHWAY, now=now - timedelta(days=1),
                         source="test")
        for minutes in (0, 1, 2):  # one read the day before, then three a minute apart
            authorize_person(session, nurse, patient, Action.READ, Resource.PERSON_PATHWAY,
                             now=now + timedelta(minutes=minutes), source="test")
    assert _sign_in(client, "pasient").status_code == 303
    page = client.get("/my/access-log").text
    rows = [row for row in page.split("<tr>")[2:] if "Sykepleier Siri Sykehus" in row]
    assert len(rows) == 2, rows
    assert re.search(r"\d\d\.\d\d\.\d{4}, \d\d:00 til \d\d:02, 3 ganger", rows[0])
    assert "ganger" not in rows[1]


def test_repeated_accesses_within_one_minute_name_the_minute_once(client, db) -> None:
    _seed(db)
    patient = demo_patient_national_id()
    at = (datetime.now(UTC) - timedelta(days=2)).replace(hour=10, minute=0, second=5, microsecond=0)
    with db.unit_of_work() as session:
        nurse = get_user(session, "sykepleier")
        assert nurse.organisation_address is not None
        grant_care_relation(session, patient, nurse.organisation_address, CareRelationKind.HOSPITAL_STAY,
                            "stay-1", at - timedelta(days=1))
        for seconds in (0, 20, 40):
            authorize_person(session, nurse, patient, Action.READ, Resource.PERSON_PATHWAY,
                             now=at + timedelta(seconds=seconds), source="test")
    assert _sign_in(client, "pasient").status_code == 303
    page = client.get("/my/access-log").text
    assert re.search(r"<td>\d\d\.\d\d\.\d{4}, \d\d:00, 3 ganger</td>", page)
    assert " til " not in page.split("<tbody>", 1)[1]
