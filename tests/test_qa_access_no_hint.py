"""A municipality's answer to a stay it has no care relation for, and to a stay id that does not exist, get the same
403: stay ids are guessable (a hospital numbers them), and a 404 for the unknown ones told which exist."""

from __future__ import annotations

from sqlalchemy import func, select

from helsefellesskap.db import Database
from helsefellesskap.transitions import service
from helsefellesskap.transitions.store import MessageRow
from transitions_support import NOW, auth, setup_parties, waiting_stay


def test_an_unknown_stay_and_a_stay_without_a_relation_are_the_same_403(client, db: Database, settings) -> None:
    parties = setup_parties(db)
    with db.unit_of_work() as session:
        for message in waiting_stay("S1", discharged=False):
            system = parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]
            service.receive_message(session, system, message, now=NOW)
    with db.reading() as session:
        stored = session.scalar(select(func.count()).select_from(MessageRow))
    other_municipality = auth(settings, parties["other_allocation"])
    answers = [client.post(f"/api/v1/stays/{stay}/municipal-response", json={"can_receive": True},
                           headers=other_municipality) for stay in ("S1", "S-NO-SUCH-STAY")]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(MessageRow)) == stored


def test_an_unknown_alert_and_an_alert_without_a_relation_are_the_same_403(client, db: Database, settings) -> None:
    """An alert id is a hash of the stay id and the rule, which anyone can compute for a guessed stay id: a 404 for
    the ids that do not exist against a 403 for those that do told whether a stay had, say, a readmission or a
    priority-group alert."""
    from helsefellesskap.transitions.projection import alert_id
    from transitions_support import at, builder

    parties = setup_parties(db)
    with db.unit_of_work() as session:
        stay = builder("S1")
        stay.admission(at(1))
        stay.ready(at(4))  # no admission notice though one was owed: an overdue alert, addressed to the hospital
        for message in stay.messages:
            service.receive_message(session, parties["hospital_system"], message, now=NOW)
        existing = [a.id for a in service.list_alerts(session, parties["coordinator"], now=NOW, status="all")]
    assert existing
    unknown = alert_id("S2", "KB-READMISSION-30D", "")  # what a prober computes for a stay id it guesses
    other_municipality = auth(settings, parties["other_allocation"])
    for action, body in (("acknowledge", None), ("assign", {"assignee": "alloc2"}), ("comments", {"text": "hei"})):
        answers = [client.post(f"/api/v1/alerts/{alert}/{action}", json=body, headers=other_municipality)
                   for alert in (existing[0], unknown)]
        assert [a.status_code for a in answers] == [403, 403], action
        assert answers[0].json()["detail"] == answers[1].json()["detail"]
