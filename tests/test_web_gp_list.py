"""The GP's list page ("Mine pasienter") through the real app: the GP's patients with a recent stay, in bokmål,
linked to their timelines; in the GP's menu and its start page; refused to other roles; audited per person."""

from __future__ import annotations

import re

from gp_list_support import DUE, EXPECTED, IN_HOSPITAL, MISSING, OTHER_GPS, RECEIVED, seed_gp_list
from helsefellesskap.access import audit as audit_log
from web_transitions_support import ADMITTED, sign_in


def _rows(html: str) -> dict[str, str]:
    """Each row's HTML by the patient it links to, in the order shown."""
    row = re.compile(r'<tr>\s*<th scope="row">\s*<a href="/persons/(\d{11})".*?</tr>', re.S)
    return {m.group(1): m.group(0) for m in row.finditer(html)}


def test_the_gp_sees_its_patients_with_a_recent_stay(client, db) -> None:
    seed_gp_list(db)
    sign_in(client, "fastlege")
    page = client.get("/patients")
    assert page.status_code == 200
    assert "<h1>Mine pasienter</h1>" in page.text
    rows = _rows(page.text)
    assert list(rows) == EXPECTED
    assert OTHER_GPS not in page.text and ADMITTED not in page.text
    assert "Utskrivningsklar" in rows[IN_HOSPITAL] and "Sykehuset Innlandet" in rows[IN_HOSPITAL]
    assert "Mottatt" in rows[RECEIVED] and "Utskrevet" in rows[RECEIVED]
    assert "Ventes" in rows[DUE]
    assert "Over fristen" in rows[MISSING]
    assert f'aria-label="Tidslinje for {IN_HOSPITAL}"' in rows[IN_HOSPITAL]
    assert '<a href="/patients" aria-current="page">Mine pasienter</a>' in page.text  # in the GP's menu


def test_each_row_opens_the_persons_timeline(client, db) -> None:
    seed_gp_list(db)
    sign_in(client, "fastlege")
    for patient in _rows(client.get("/patients").text):
        assert client.get(f"/persons/{patient}").status_code == 200, patient


def test_the_gps_start_page_is_the_list(client, db) -> None:
    seed_gp_list(db)
    response = client.post("/login", data={"username": "fastlege", "password": "helsefellesskap-demo"},
                           follow_redirects=False)
    assert response.headers["location"] == "/patients"


def test_other_roles_are_refused_and_have_no_menu_entry(client, db) -> None:
    seed_gp_list(db)
    for username in ("lege", "tildeling", "pasient"):
        sign_in(client, username)
        assert client.get("/patients").status_code == 403, username
        assert 'href="/patients"' not in client.get("/alerts" if username != "pasient" else "/my/access-log").text
        client.cookies.clear()


def test_the_page_read_is_audited_per_person(client, db) -> None:
    seed_gp_list(db)
    sign_in(client, "fastlege")
    client.get("/patients")
    with db.unit_of_work() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(user="fastlege"))
        assert sorted(e.national_id for e in entries if e.resource == "board.gp") == sorted(EXPECTED)
