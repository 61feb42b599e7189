"""The access policy as a specification: every role against every resource and action (the authorisation
matrix), care relations and their grace period, emergency access, own data, organisation scope, small cells."""

from __future__ import annotations

import datetime as dt
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helsefellesskap.access.model import (
    AccessRequest,
    Action,
    BasisKind,
    CareRelation,
    CareRelationKind,
    EmergencyGrant,
    PartyRelation,
    Principal,
    Resource,
    Role,
    Subject,
    emergency_window,
)
from helsefellesskap.access.policy import decide, is_small_cell
from helsefellesskap.errors import InvalidInput

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
PERSON = "17854101463"
OTHER_PERSON = "01819012345"
ORG = "1060200"
R, W = Action.READ, Action.WRITE

HOSPITAL = {"hospital_physician", "hospital_nurse", "discharge_coordinator"}
MUNICIPAL = {"allocation_officer", "municipal_coordinator", "municipal_nurse"}
CARE = HOSPITAL | MUNICIPAL | {"gp"}

# The matrix, restated independently of the policy's own table: who may do what (given the basis a person
# resource needs: a care relation of their organisation, or — for patients — their own record).
EXPECTED: dict[str, dict[Action, set[str]]] = {
    "person.pathway": {R: CARE | {"patient"}, W: HOSPITAL | {"allocation_officer", "municipal_coordinator"}},
    "person.timeline": {R: CARE | {"patient"}, W: set()},
    "person.alerts": {R: HOSPITAL | MUNICIPAL, W: HOSPITAL | MUNICIPAL},
    "person.care_relations": {R: CARE | {"patient"}, W: {"discharge_coordinator", "municipal_coordinator"}},
    "audit.person": {R: {"patient"}, W: set()},
    "emergency.access": {R: set(), W: {"hospital_physician", "hospital_nurse", "municipal_nurse", "gp"}},
    "messages.submit": {R: set(), W: HOSPITAL | {"allocation_officer", "municipal_coordinator", "gp",
                                                 "messaging_system"}},
    "board.hospital": {R: HOSPITAL, W: set()},
    "board.municipality": {R: MUNICIPAL, W: set()},
    "board.alerts": {R: HOSPITAL | MUNICIPAL, W: set()},
    "board.gp": {R: {"gp"}, W: set()},
    "ledger": {R: {"discharge_coordinator", "allocation_officer", "municipal_coordinator"}, W: set()},
    "daily_rates": {R: {"discharge_coordinator", "allocation_officer", "municipal_coordinator", "administrator"},
                    W: {"administrator"}},
    "indicators": {R: CARE | {"analyst", "administrator"}, W: set()},
    "audit.compliance": {R: {"administrator", "compliance_officer"}, W: set()},
    "users.admin": {R: {"administrator"}, W: {"administrator"}},
    "organisations.write": {R: set(), W: {"administrator"}},
    "emergency.review": {R: {"administrator", "compliance_officer"}, W: {"administrator", "compliance_officer"}},
}


def principal(role: Role, *, organisation: str | None = ORG, national_id: str | None = None,
              user_id: str = "u1") -> Principal:
    return Principal(user_id, role.value, role.value, organisation, frozenset({role}), national_id)


def relation(kind: CareRelationKind = CareRelationKind.HOSPITAL_STAY, *, start: dt.datetime = NOW
             - dt.timedelta(days=2), end: dt.datetime | None = None, org: str = ORG) -> PartyRelation:
    return PartyRelation(CareRelation(PERSON, org, kind, "stay-1", start, end), org)


def ask(who: Principal, resource: Resource, action: Action, *, subject: Subject | None = None,
        now: dt.datetime = NOW, party: str | None = ORG, target: str | None = None) -> bool:
    request = AccessRequest(who, resource, action, now, party if who.organisation_address else None, subject,
                            organisation_party=target)
    return decide(request).allowed


def test_the_expected_matrix_names_every_resource() -> None:
    assert set(EXPECTED) == {resource.value for resource in Resource}


@pytest.mark.parametrize(("role", "resource", "action"), list(product(Role, Resource, Action)),
                         ids=lambda v: str(v.value) if hasattr(v, "value") else str(v))
def test_authorisation_matrix(role: Role, resource: Resource, action: Action) -> None:
    expected = role.value in EXPECTED[resource.value][action]
    who = principal(role, national_id=PERSON if role is Role.PATIENT else None)
    subject = Subject(PERSON, (relation(),)) if resource.is_person_data else None
    assert ask(who, resource, action, subject=subject) is expected


@pytest.mark.parametrize("role", sorted(CARE))
def test_staff_without_a_care_relation_are_refused_person_data(role: str) -> None:
    who = principal(Role(role))
    for resource in (Resource.PERSON_PATHWAY, Resource.PERSON_TIMELINE, Resource.PERSON_CARE_RELATIONS):
        assert not ask(who, resource, R, subject=Subject(PERSON))


def test_a_relation_of_another_party_gives_no_access() -> None:
    other = PartyRelation(CareRelation(PERSON, "2340300", CareRelationKind.MUNICIPAL_SERVICE, "vedtak-1",
                                       NOW - dt.timedelta(days=1)), "2340300")
    assert not ask(principal(Role.HOSPITAL_PHYSICIAN), Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (other,)))


def test_a_unit_of_the_same_party_shares_the_relation() -> None:
    # The relation is held by the hospital 1060200 of trust 1060000; a user at the trust's department 3000001
    # (party 1060000) may read: the policy compares parties, not addresses.
    held = PartyRelation(CareRelation(PERSON, "1060200", CareRelationKind.HOSPITAL_STAY, "s", NOW
                                      - dt.timedelta(days=1)), "1060000")
    who = principal(Role.HOSPITAL_NURSE, organisation="3000001")
    assert ask(who, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (held,)), party="1060000")


def test_a_hospital_stay_stays_active_for_the_grace_period_after_discharge() -> None:
    # "recent hospital stay" (issue): settings.care_relation_grace_days, 30 by default.
    ended = relation(end=NOW - dt.timedelta(days=29))
    too_old = relation(end=NOW - dt.timedelta(days=31))
    who = principal(Role.HOSPITAL_PHYSICIAN)
    assert ask(who, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (ended,)))
    assert not ask(who, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (too_old,)))


def test_other_relations_end_when_they_end() -> None:
    ended = relation(CareRelationKind.MUNICIPAL_SERVICE, end=NOW - dt.timedelta(minutes=1))
    assert not ask(principal(Role.MUNICIPAL_NURSE), Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (ended,)))


def test_a_relation_that_has_not_started_gives_no_access() -> None:
    future = relation(start=NOW + dt.timedelta(hours=1))
    assert not ask(principal(Role.GP), Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (future,)))


def test_patients_see_their_own_data_and_nothing_else() -> None:
    patient = principal(Role.PATIENT, organisation=None, national_id=PERSON)
    assert ask(patient, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON))
    assert not ask(patient, Resource.PERSON_PATHWAY, R, subject=Subject(OTHER_PERSON))
    assert not ask(patient, Resource.PERSON_PATHWAY, W, subject=Subject(PERSON))
    assert not ask(patient, Resource.INDICATORS, R)


def grant(*, user_id: str = "u1", starts: dt.datetime = NOW - dt.timedelta(minutes=5),
          minutes: int = 60) -> EmergencyGrant:
    return EmergencyGrant("g1", user_id, PERSON, "acute, unconscious", starts, starts + dt.timedelta(minutes=minutes))


def test_an_active_emergency_grant_allows_reading_with_the_emergency_basis() -> None:
    request = AccessRequest(principal(Role.HOSPITAL_PHYSICIAN), Resource.PERSON_PATHWAY, R, NOW, ORG,
                            Subject(PERSON, (), (grant(),)))
    decision = decide(request)
    assert decision.allowed and decision.basis is not None
    assert decision.basis.kind is BasisKind.EMERGENCY and decision.basis.reference == "g1"


def test_emergency_access_expires_belongs_to_its_user_and_allows_no_writes() -> None:
    who = principal(Role.HOSPITAL_PHYSICIAN)
    assert not ask(who, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (), (grant(minutes=4),)))
    assert not ask(who, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (), (grant(user_id="u2"),)))
    assert not ask(who, Resource.PERSON_PATHWAY, W, subject=Subject(PERSON, (), (grant(),)))


def test_only_direct_care_roles_can_use_an_emergency_grant() -> None:
    allocation = principal(Role.ALLOCATION_OFFICER)
    assert not ask(allocation, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (), (grant(),)))


def test_a_care_relation_is_preferred_over_an_emergency_grant() -> None:
    request = AccessRequest(principal(Role.GP), Resource.PERSON_TIMELINE, R, NOW, ORG,
                            Subject(PERSON, (relation(CareRelationKind.GP),), (grant(),)))
    basis = decide(request).basis
    assert basis is not None and basis.kind is BasisKind.CARE_RELATION


def test_organisation_work_lists_only_of_ones_own_party() -> None:
    coordinator = principal(Role.DISCHARGE_COORDINATOR)
    assert ask(coordinator, Resource.BOARD_HOSPITAL, R, target=ORG)
    assert not ask(coordinator, Resource.BOARD_HOSPITAL, R, target="1070000")
    assert not ask(principal(Role.DISCHARGE_COORDINATOR, organisation=None), Resource.BOARD_HOSPITAL, R)


def test_a_messaging_system_submits_only_for_its_own_organisation() -> None:
    system = principal(Role.MESSAGING_SYSTEM)
    assert ask(system, Resource.MESSAGES_SUBMIT, W, target=ORG)
    assert not ask(system, Resource.MESSAGES_SUBMIT, W, target="2340300")
    assert not ask(system, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (relation(),)))


def test_analysts_see_aggregates_and_never_person_data() -> None:
    analyst = principal(Role.ANALYST)
    basis = decide(AccessRequest(analyst, Resource.INDICATORS, R, NOW, ORG)).basis
    assert basis is not None and basis.kind is BasisKind.AGGREGATE
    for resource in Resource:
        if resource.is_person_data:
            assert not ask(analyst, resource, R, subject=Subject(PERSON, (relation(),)))


def test_several_roles_combine() -> None:
    both = Principal("u1", "x", "x", ORG, frozenset({Role.ANALYST, Role.GP}))
    assert ask(both, Resource.PERSON_PATHWAY, R, subject=Subject(PERSON, (relation(CareRelationKind.GP),)))
    assert ask(both, Resource.INDICATORS, R)


def test_small_cells_are_suppressed_and_zero_and_large_counts_shown() -> None:
    assert [count for count in (0, 1, 3, 4, 5, 12) if is_small_cell(count, threshold=5)] == [1, 3, 4]
    assert not is_small_cell(1, threshold=1)  # threshold 1: nothing hidden


@given(st.integers(min_value=0, max_value=50), st.integers(1, 20))
def test_no_shown_count_is_below_the_threshold_except_zero(count: int, threshold: int) -> None:
    if not is_small_cell(count, threshold):
        assert count == 0 or count >= threshold
    else:
        assert 1 <= count < threshold


def test_emergency_access_needs_a_reason_and_is_time_limited() -> None:
    maximum = dt.timedelta(hours=4)
    assert emergency_window("unconscious patient, acute", NOW, dt.timedelta(hours=1), maximum) == \
        NOW + dt.timedelta(hours=1)
    with pytest.raises(InvalidInput):
        emergency_window("   short  ", NOW, dt.timedelta(hours=1), maximum)
    with pytest.raises(InvalidInput):
        emergency_window("unconscious patient, acute", NOW, dt.timedelta(hours=5), maximum)
    with pytest.raises(InvalidInput):
        emergency_window("unconscious patient, acute", NOW, dt.timedelta(0), maximum)


PARTIES = ("1060000", "2340300", "3990001")
GRACE = dt.timedelta(days=30)
moments = st.integers(min_value=-60 * 24 * 60, max_value=60 * 24 * 60).map(lambda m: NOW + dt.timedelta(minutes=m))


@st.composite
def party_relations(draw: st.DrawFn) -> PartyRelation:
    start = draw(moments)
    end = draw(st.none() | moments.filter(lambda m: m >= start))
    kind = draw(st.sampled_from(CareRelationKind))
    party = draw(st.sampled_from(PARTIES))
    return PartyRelation(CareRelation(PERSON, party, kind, "ref", start, end), party)


@st.composite
def emergency_grants(draw: st.DrawFn) -> EmergencyGrant:
    start = draw(moments)
    return EmergencyGrant("g", draw(st.sampled_from(("u1", "u2"))), PERSON, "reason given",
                          start, start + dt.timedelta(minutes=draw(st.integers(1, 240))))


def _active(fact: PartyRelation, party: str) -> bool:
    relation = fact.relation
    grace = GRACE if relation.kind is CareRelationKind.HOSPITAL_STAY else dt.timedelta(0)
    ends = None if relation.valid_to is None else relation.valid_to + grace
    return fact.party == party and relation.valid_from <= NOW and (ends is None or ends >= NOW)


@given(st.sampled_from(sorted(CARE)), st.sampled_from(PARTIES), st.lists(party_relations(), max_size=4),
       st.lists(emergency_grants(), max_size=2), st.sampled_from([Resource.PERSON_PATHWAY, Resource.PERSON_TIMELINE]))
def test_staff_read_person_data_only_on_an_active_relation_of_their_party_or_their_own_grant(
    role: str, party: str, relations: list[PartyRelation], grants: list[EmergencyGrant], resource: Resource
) -> None:
    who = principal(Role(role), organisation=party)
    decision = decide(AccessRequest(who, resource, R, NOW, party, Subject(PERSON, tuple(relations), tuple(grants))))
    by_relation = any(_active(fact, party) for fact in relations)
    by_grant = Role(role) in {Role.HOSPITAL_PHYSICIAN, Role.HOSPITAL_NURSE, Role.MUNICIPAL_NURSE, Role.GP} and any(
        g.user_id == "u1" and g.starts_at <= NOW < g.expires_at for g in grants)
    assert decision.allowed is (by_relation or by_grant)
    if decision.basis is not None:
        expected = BasisKind.CARE_RELATION if by_relation else BasisKind.EMERGENCY
        assert decision.basis.kind is expected
