"""No English on the bokmål pages: the service's notes (payment notes, alert details, receipt errors, message
summaries) and the indicator catalogue's texts reach the boards, the timeline, the alerts inbox and the dashboard
in bokmål — nothing marked `lang="en"`, none of the English texts. Data put in through the real service: stays
whose payment notes, alerts (overdue answer, readmission, readiness repeated) and receipt errors (a withdrawal
without a readiness notice, a § 9 rejection, an admission repeated) the pages must show."""

from __future__ import annotations

import html
import re

import pytest

from helsefellesskap.access.users import get_user
from helsefellesskap.indicators.catalogue import CATALOGUE
from helsefellesskap.transitions import service
from helsefellesskap.transitions.notes import TEMPLATES
from helsefellesskap.transitions.sample import synthetic_national_id
from web_transitions_support import DAY, HOUR, NOW, WAITING, builder, seed, send, sign_in

READMITTED = synthetic_national_id(505)  # readmitted within 30 days, readiness repeated, notice late


def _english_fragments() -> set[str]:
    """The English of every note template (the parts between its placeholders) and of the catalogue's texts."""
    fragments = {part.strip() for text in TEMPLATES.values() for part in re.split(r"%\(\w+\)s", text)}
    for definition in CATALOGUE:
        fragments |= {definition.definition, definition.numerator, definition.denominator, definition.source,
                      *definition.exclusions}
    # Short parts ("Discharged", "(due") are words the bokmål pages may share (ids, "[B]"): only sentences count.
    return {f for f in fragments if len(f) >= 20}


ENGLISH = _english_fragments()


def _english_in(page: str) -> list[str]:
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return sorted(fragment for fragment in ENGLISH if " ".join(fragment.split()) in text)


def _assert_bokmal(page: str, where: str) -> None:
    assert '<html lang="nb">' in page, where
    assert page.count('lang="en"') == 0, f"{where}: a fragment marked lang=en"
    assert _english_in(page) == [], f"{where}: English on a bokmål page"


@pytest.fixture
def seeded(db):
    seed(db)
    # A readmission within 30 days whose readiness was withdrawn and given again, the admission notice late
    # (§ 8: no payment), and messages the pathway flags or rejects.
    first = builder("SIH-10", READMITTED)
    first.admission(NOW - 20 * DAY)
    first.admission_notice(NOW - 20 * DAY + HOUR)
    first.ready(NOW - 17 * DAY)
    first.discharge(NOW - 15 * DAY)
    first.discharge_report(NOW - 15 * DAY + HOUR)
    again = builder("SIH-11", READMITTED)
    again.admission(NOW - 6 * DAY)
    again.admission_notice(NOW - 4 * DAY)  # later than 24 hours: § 8
    again.ready(NOW - 3 * DAY)
    again.withdrawn(NOW - 2 * DAY - 12 * HOUR)
    again.ready(NOW - DAY)
    send(db, first.messages + again.messages)
    flagged = again  # the same builder numbers the ids on
    with db.unit_of_work() as session:
        integration = get_user(session, "integrasjon")
        statuses = [service.receive_message(session, integration, message, now=NOW, source="test").status
                    for message in (flagged.admission(NOW - 6 * DAY + 2 * HOUR),  # admission-repeated
                                    flagged.ready(NOW - 20 * HOUR, criteria={  # § 9: rejected
                                        "admission_problems_clarified": True, "other_problems_clarified": False,
                                        "diagnosis_and_follow_up_plan": True, "functional_level_assessed": True}))]
    assert statuses == ["ok_with_errors", "rejected"]
    with db.unit_of_work() as session:  # the seeded waiting stay: a withdrawal with no readiness standing after it
        integration = get_user(session, "integrasjon")
        waiting = builder("SIH-1", WAITING)
        waiting.messages.extend({} for _ in range(10))  # ids after the seeded ones
        extra = [waiting.withdrawn(NOW - DAY), waiting.withdrawn(NOW - DAY + HOUR)]  # the second: not-ready
        for message in extra:
            service.receive_message(session, integration, message, now=NOW, source="test")
    return db


def test_the_timeline_says_payment_notes_alerts_and_receipt_errors_in_bokmal(client, seeded) -> None:
    sign_in(client, "utskrivning")
    page = client.get(f"/persons/{READMITTED}").text
    assert "Innleggelsesmeldingen kom senere enn 24 timer etter innleggelsen" in page  # PAY-LATE-ADMISSION-NOTICE
    assert "Lagt inn igjen 9 døgn og 0 timer etter utskrivningen fra opphold SIH-10" in page  # ALERT-READMITTED
    assert "Meldt utskrivningsklar på nytt 1 gang(er) etter avmelding" in page
    assert "Oppholdet var allerede registrert som innlagt" in page  # admission-repeated
    assert "Vurderingen «andre vesentlige problemstillinger er avklart» er ikke dokumentert" in page  # § 9
    _assert_bokmal(page, "timeline (readmitted)")
    page = client.get(f"/persons/{WAITING}").text
    assert "Det er ingen melding om utskrivningsklar pasient å avmelde" in page  # not-ready
    assert "Kommunens svar: Mangler (frist" in page  # the overdue answer's alert detail, Oslo time
    _assert_bokmal(page, "timeline (waiting)")


def test_an_unpriced_year_is_said_in_bokmal(client, seeded) -> None:
    sign_in(client, "utskrivning")
    page = client.get(f"/persons/{WAITING}").text
    year = (NOW - 2 * DAY).year
    if year >= 2025:  # no shipped rate: the days are counted, not priced
        assert f"Døgnprisen for {year} er ikke kjent" in page
    _assert_bokmal(page, "timeline")


@pytest.mark.parametrize(("username", "path"), [
    ("utskrivning", "/alerts?status=all"), ("tildeling", "/alerts?status=all"),
    ("utskrivning", "/boards/hospital?state=all"), ("tildeling", "/boards/municipality?state=all"),
])
def test_boards_and_alerts_have_no_english(client, seeded, username: str, path: str) -> None:
    sign_in(client, username)
    page = client.get(path)
    assert page.status_code == 200
    if path.startswith("/alerts"):
        assert "Detaljer" in page.text
    _assert_bokmal(page.text, f"{path} as {username}")


@pytest.mark.parametrize("indicator", [definition.id for definition in CATALOGUE])
def test_the_dashboard_defines_every_indicator_in_bokmal(client, seeded, indicator: str) -> None:
    sign_in(client, "admin")
    page = client.get(f"/dashboard?indicator={indicator}")
    assert page.status_code == 200
    assert "Teller" in page.text and "Nevner" in page.text
    _assert_bokmal(page.text, f"dashboard {indicator}")


def test_the_check_itself_sees_english(client, seeded) -> None:
    """The check is not vacuous: the same timeline in English shows the English texts it looks for."""
    sign_in(client, "utskrivning")
    client.cookies.set("lang", "en")
    page = client.get(f"/persons/{READMITTED}").text
    found = _english_in(page)
    assert TEMPLATES["PAY-LATE-ADMISSION-NOTICE"] in found and "hour(s) after the discharge of stay" in found
    assert any(f.startswith("forskrift § 9: the assessment") for f in found)
