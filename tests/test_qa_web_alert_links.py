"""The alert inbox links a patient to the timeline only when the user may open it. An alert addressed to the user's
organisation is listed, and may be handled, without a care relation (docs/access.md); its link led to the "no
access" page, and following the page's own link put a refusal in the audit log."""

from __future__ import annotations

import re

from helsefellesskap.access import audit as audit_log
from helsefellesskap.transitions.sample import synthetic_national_id
from web_transitions_support import DAY, NOW, WAITING, builder, seed, send, sign_in

BOUNCED = synthetic_national_id(505)  # a Hamar resident with two short stays and no notice to Hamar


def _seed_bounced(db) -> None:
    seed(db)
    messages = []
    for n, admitted in enumerate((NOW - 12 * DAY, NOW - 5 * DAY)):
        stay = builder(f"SIH-R{n}", BOUNCED)
        stay.admission(admitted)
        stay.discharge(admitted + 2 * DAY, destination="home")
        messages += stay.messages
    send(db, messages)


def test_a_patient_the_user_may_not_open_is_not_linked_and_one_it_may_is(client, db) -> None:
    _seed_bounced(db)
    sign_in(client, "tildeling")
    page = client.get("/alerts?rule=KB-REPEATED-TRANSITIONS").text
    assert BOUNCED in page and f'href="/persons/{BOUNCED}"' not in page
    assert "tidslinjen er ikke åpen for deg" in page
    assert client.get(f"/persons/{BOUNCED}").status_code == 403  # where the link led
    waiting = client.get("/alerts?rule=KB-OVERDUE-OBLIGATION").text
    assert f'href="/persons/{WAITING}"' in waiting and "tidslinjen er ikke åpen for deg" not in waiting


def test_the_card_after_handling_the_alert_keeps_the_same_link_rule(client, db) -> None:
    _seed_bounced(db)
    sign_in(client, "tildeling")
    inbox = client.get("/alerts?rule=KB-REPEATED-TRANSITIONS").text
    alert = re.findall(r'action="/alerts/([^/"]+)/acknowledge"', inbox)
    assert len(alert) == 1
    card = client.post(f"/alerts/{alert[0]}/acknowledge", headers={"HX-Request": "true"})
    assert card.status_code == 200 and "Tatt tak i" in card.text
    assert BOUNCED in card.text and f'href="/persons/{BOUNCED}"' not in card.text


def test_deciding_the_links_writes_no_audit_entry_of_its_own(client, db) -> None:
    _seed_bounced(db)
    sign_in(client, "tildeling")
    client.get("/alerts?status=all")
    with db.unit_of_work() as session:
        entries = [(e.resource, e.reason, e.outcome) for e in
                   audit_log.query(session, audit_log.AuditFilter(user="tildeling")) if e.national_id]
    assert set(entries) == {("board.alerts", "listed in the alert inbox", "allowed")}
