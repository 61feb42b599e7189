"""A person's timeline page: stays, obligations, alerts and messages in Oslo time for those with a care relation;
403 (no hint whether the person exists) without one, audited; emergency access for the roles that may use it."""

from __future__ import annotations

import re

from helsefellesskap.access import audit as audit_log
from helsefellesskap.web.templating import OSLO
from web_transitions_support import DAY, NEIGHBOUR, NOW, STRANGER, WAITING, seed, sign_in


def _audit(db, username: str, person: str) -> list[tuple[str, str, str | None]]:
    with db.unit_of_work() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(person=person, user=username))
        return [(e.resource, e.outcome, e.basis_kind) for e in entries]


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_timeline_shows_stays_obligations_alerts_and_messages(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    page = client.get(f"/persons/{WAITING}")
    assert page.status_code == 200
    text = page.text
    assert f"Tidslinje for {WAITING}" in text
    assert "SIH-1" in text and "Sykehuset Innlandet Hamar" in text
    assert "Innleggelsesmelding" in text and "Oppfylt" in text  # the admission notice, met
    assert "Kommunens svar" in text and "Mangler" in text  # the municipality's answer is overdue
    assert "Melding over fristen" in text and "Må handle" in text  # its alert, in bokmål
    assert "Betalingsdøgn" in text
    expected = (NOW - DAY).date()  # the seeded expected discharge (a date)
    assert f"<dt>Forventet utskrivning</dt><dd>{expected:%d.%m.%Y}</dd>" in text  # as short as the other dates
    admitted_local = (NOW - 5 * DAY).astimezone(OSLO)
    assert admitted_local.strftime("%d.%m.%Y, %H:%M") in text  # times in Oslo time
    messages = re.findall(r'<time datetime="([^"]+)"', text)
    assert len(messages) >= 3 and messages == sorted(messages, reverse=True)  # newest first
    assert ("person.timeline", "allowed", "care_relation") in _audit(db, "tildeling", WAITING)


def test_the_hospital_sees_its_patients_timeline(client, db) -> None:
    seed(db)
    sign_in(client, "utskrivning")
    page = client.get(f"/persons/{NEIGHBOUR}")
    assert page.status_code == 200
    assert "Nødtilgang" not in page.text  # a care relation, no emergency banner


def test_no_care_relation_gives_403_without_saying_whether_the_person_exists(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    known = client.get(f"/persons/{NEIGHBOUR}")  # in hospital, but a resident of another municipality
    unknown = client.get(f"/persons/{STRANGER}")  # no stay anywhere
    assert known.status_code == unknown.status_code == 403
    assert "Ingen tilgang" in known.text
    assert _main(known.text).replace(NEIGHBOUR, "X") == _main(unknown.text).replace(STRANGER, "X")
    assert "SIH-3" not in known.text
    assert ("person.pathway", "denied", None) in _audit(db, "tildeling", NEIGHBOUR)
    assert "Nødtilgang" not in known.text  # an allocation officer may not break the glass


def test_an_invalid_national_id_is_a_page_not_a_500(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    for bad in ("12345678901", "abc", "0" * 30):
        page = client.get(f"/persons/{bad}")
        assert page.status_code == 422, bad
        assert "Ikke et fødselsnummer" in page.text


def test_emergency_access_is_warned_about_logged_and_then_opens_the_timeline(client, db) -> None:
    seed(db)
    sign_in(client, "hjemmesykepleier")  # municipal nurse in Hamar; the patient lives in Ringsaker
    page = client.get(f"/persons/{NEIGHBOUR}")
    assert page.status_code == 403
    assert "Nødtilgang" in page.text and "personvernombudet" in page.text
    assert "Akuttilgang" not in page.text  # one term for breaking the glass: heading, warning and button
    assert f'action="/persons/{NEIGHBOUR}/emergency-access"' in page.text
    short = client.post(f"/persons/{NEIGHBOUR}/emergency-access", data={"reason": "akutt", "minutes": "60"})
    assert short.status_code == 422
    assert 'aria-invalid="true"' in short.text and "minst 10 tegn" in short.text
    reason = "Pasienten er akutt dårlig hjemme"
    for junk in ({"reason": reason, "minutes": "abc"}, {"reason": reason, "minutes": "0"},
                 {"reason": reason, "minutes": "99999999999"}, {"reason": "x" * 1001, "minutes": "30"}):
        refused = client.post(f"/persons/{NEIGHBOUR}/emergency-access", data=junk)
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("text/html"), junk
        assert 'role="alert"' in refused.text and "minst 10 tegn" in refused.text, junk
    assert client.get(f"/persons/{NEIGHBOUR}").status_code == 403
    opened = client.post(f"/persons/{NEIGHBOUR}/emergency-access", follow_redirects=False,
                         data={"reason": "Pasienten er akutt dårlig hjemme, trenger medisinliste", "minutes": "30"})
    assert opened.status_code == 303 and opened.headers["location"] == f"/persons/{NEIGHBOUR}"
    timeline = client.get(f"/persons/{NEIGHBOUR}")
    assert timeline.status_code == 200 and "SIH-3" in timeline.text
    assert "Nødtilgang til " in timeline.text  # a banner while the emergency access lasts
    entries = _audit(db, "hjemmesykepleier", NEIGHBOUR)
    assert ("emergency.access", "allowed", "emergency") in entries
    assert ("person.timeline", "allowed", "emergency") in entries


def test_roles_without_emergency_access_cannot_break_the_glass(client, db) -> None:
    seed(db)
    sign_in(client, "tildeling")
    response = client.post(f"/persons/{NEIGHBOUR}/emergency-access",
                           data={"reason": "Jeg vil bare se på opplysningene", "minutes": "30"})
    assert response.status_code == 403
    assert client.get(f"/persons/{NEIGHBOUR}").status_code == 403
