"""The GP's list through the service: who sees which persons, the columns, a refusal, one audit entry per person."""

from __future__ import annotations

import datetime as dt

import pytest

from gp_list_support import DUE, EXPECTED, IN_HOSPITAL, MISSING, OTHER_GPS, RECEIVED, _discharged, seed_gp_list
from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.users import get_user
from helsefellesskap.errors import Forbidden
from helsefellesskap.transitions import service
from helsefellesskap.transitions.sample import synthetic_national_id
from web_transitions_support import send


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_the_gp_sees_the_persons_on_its_list_with_a_recent_stay(db) -> None:
    seed_gp_list(db)
    with db.unit_of_work() as session:
        rows = service.gp_list(session, get_user(session, "fastlege"), now=_now())
    assert [r.patient for r in rows] == EXPECTED
    by = {r.patient: r for r in rows}
    assert by[IN_HOSPITAL].in_hospital and by[IN_HOSPITAL].ready_for_discharge
    assert by[IN_HOSPITAL].state == "ready_for_discharge" and by[IN_HOSPITAL].discharge_summary == "not_yet"
    assert by[IN_HOSPITAL].hospital.name and "Hamar" in by[IN_HOSPITAL].hospital.name
    assert by[RECEIVED].discharge_summary == "received" and by[RECEIVED].discharge_summary_at is not None
    assert by[RECEIVED].stay_id == "GP-2" and not by[RECEIVED].in_hospital and by[RECEIVED].discharged_at
    assert by[DUE].discharge_summary == "due" and by[DUE].stay_id == "GP-3"  # the recent stay, not the old one
    assert by[MISSING].discharge_summary == "missing" and by[MISSING].discharge_summary_at is None
    assert all(r.age is not None and r.sex for r in rows)


def test_open_alerts_are_the_persons_open_alerts_on_their_timeline(db) -> None:
    seed_gp_list(db)
    with db.unit_of_work() as session:
        gp = get_user(session, "fastlege")
        rows = service.gp_list(session, gp, now=_now())
        for row in rows:
            timeline = service.person_timeline(session, gp, row.patient, now=_now())
            assert row.open_alerts == sum(e.kind == "alert" and e.status == "open" for e in timeline)
    assert any(r.open_alerts for r in rows)  # the missing epikrise and the unanswered notice raise alerts


def test_another_gp_office_sees_only_its_own(db) -> None:
    seed_gp_list(db)
    with db.unit_of_work() as session:
        rows = service.gp_list(session, get_user(session, "annenlege"), now=_now())
    assert [r.patient for r in rows] == [OTHER_GPS]


@pytest.mark.parametrize("username", ["lege", "tildeling", "analytiker", "pasient", "admin"])
def test_roles_without_the_gp_list_are_refused(db, username: str) -> None:
    seed_gp_list(db)
    with db.unit_of_work() as session, pytest.raises(Forbidden):
        service.gp_list(session, get_user(session, username), now=_now())


def test_every_person_shown_is_audited_once(db) -> None:
    seed_gp_list(db)
    with db.unit_of_work() as session:
        service.gp_list(session, get_user(session, "fastlege"), now=_now())
    with db.unit_of_work() as session:
        entries = [e for e in audit_log.query(session, audit_log.AuditFilter(user="fastlege"))
                   if e.resource == "board.gp"]
        assert sorted(e.national_id for e in entries) == sorted(EXPECTED)
        assert {(e.outcome, e.action, e.role) for e in entries} == {("allowed", "read", "gp")}
        assert {e.reason for e in entries} == {"listed on the GP's list of patients"}
        assert audit_log.verify(session).intact


def test_the_office_the_epikrise_is_addressed_to_gets_the_relation_when_it_names_the_gp_by_hpr(db) -> None:
    """The message's `gp` may be the GP's HPR number (a person); the relation goes to the addressed office."""
    seed_gp_list(db)
    patient = synthetic_national_id(516)
    messages = _discharged("GP-7", patient, 5, summary_after=24)
    for message in messages:
        if message["type"] == "discharge_summary":
            message["gp"] = "9144900"  # an HPR number, as the synthetic twin writes
    send(db, messages)
    with db.unit_of_work() as session:
        rows = service.gp_list(session, get_user(session, "fastlege"), now=_now())
    assert patient in [r.patient for r in rows]
