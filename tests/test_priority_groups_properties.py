"""Invariants of the priority-group classifier, checked on generated synthetic persons (Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helsefellesskap.priority_groups.codes import CodeSet, display_icd10, normalise_icd10
from helsefellesskap.priority_groups.model import (
    Diagnosis,
    PersonFacts,
    PriorityGroup,
    Sex,
    classify,
    explain,
    hfrs_of,
)

G = PriorityGroup
# Codes that matter to some rule, with subdivisions, and codes that matter to none.
RELEVANT = ["F20", "F25", "F31", "F32", "F33", "F60", "F69", "F10", "F19", "F00", "W19", "R29", "N39", "I50",
            "J44", "G40", "G405", "G43", "G20", "G35", "L40", "M05", "K50", "N80", "E11", "O80", "O21", "Z34",
            "Z38", "Z320", "R50", "S72"]
NEUTRAL = ["I10", "C50", "J45", "K35", "Z00", "M54", "A00", "T14"]
CODE = st.tuples(st.sampled_from(RELEVANT + NEUTRAL), st.sampled_from(["", "0", "1", "9"])).map("".join)
SERVICES = st.frozensets(st.sampled_from(["15", "18", "21", "29"]), max_size=2)


@st.composite
def persons(draw: st.DrawFn, age: st.SearchStrategy[int] = st.integers(0, 110)) -> PersonFacts:
    return PersonFacts(
        age=draw(age),
        sex=draw(st.sampled_from(list(Sex))),
        diagnoses=tuple(Diagnosis.icd10(c) for c in draw(st.lists(CODE, max_size=8))),
        mental_health_contacts=draw(st.none() | st.integers(0, 5)),
        municipal_services=draw(SERVICES),
    )


@given(persons(), CODE)
def test_adding_a_diagnosis_never_removes_a_group(facts: PersonFacts, code: str) -> None:
    more = PersonFacts(
        age=facts.age, sex=facts.sex, diagnoses=(*facts.diagnoses, Diagnosis.icd10(code)),
        mental_health_contacts=facts.mental_health_contacts, municipal_services=facts.municipal_services,
    )
    assert classify(facts) <= classify(more)
    assert hfrs_of(facts).score <= hfrs_of(more).score


@given(persons(), st.integers(1, 5))
def test_more_mental_health_contacts_never_remove_a_group(facts: PersonFacts, extra: int) -> None:
    more = PersonFacts(
        age=facts.age, sex=facts.sex, diagnoses=facts.diagnoses, municipal_services=facts.municipal_services,
        mental_health_contacts=(facts.mental_health_contacts or 0) + extra,
    )
    assert classify(facts) <= classify(more)


@given(persons())
def test_age_boundaries_of_the_age_based_groups(facts: PersonFacts) -> None:
    groups = classify(facts)
    assert (G.children_and_youth in groups) is (facts.age <= 17)
    if facts.age < 18:
        assert not any(r.group is G.severe_mental_illness_and_substance_use for r in explain(facts))
    if facts.age < 75:
        assert G.frail_elderly not in groups


@given(persons(age=st.integers(75, 110)), st.integers(75, 110))
def test_frail_elderly_does_not_depend_on_age_from_75(facts: PersonFacts, other_age: int) -> None:
    older = PersonFacts(
        age=other_age, sex=facts.sex, diagnoses=facts.diagnoses,
        mental_health_contacts=facts.mental_health_contacts, municipal_services=facts.municipal_services,
    )
    assert (G.frail_elderly in classify(facts)) is (G.frail_elderly in classify(older))


@given(persons())
def test_classify_is_the_groups_of_explain_and_pregnancy_needs_female(facts: PersonFacts) -> None:
    reasons = explain(facts)
    assert classify(facts) == {r.group for r in reasons}
    assert len({r.rule for r in reasons}) == len(reasons)
    if facts.sex is not Sex.female:
        assert G.pregnancy_birth_postnatal not in classify(facts)


@given(CODE)
def test_icd10_normalisation_round_trips_through_the_display_form(code: str) -> None:
    normal = normalise_icd10(code)
    assert normalise_icd10(display_icd10(normal)) == normal == normalise_icd10(normal.lower())



prefixes = st.text(alphabet="ABGJ0145", min_size=1, max_size=4)


@given(st.frozensets(prefixes, max_size=8), st.frozensets(prefixes, max_size=3), st.data())
def test_a_code_set_matches_a_code_that_starts_with_an_included_prefix_and_no_excluded_one(
        include: frozenset[str], exclude: frozenset[str], data: st.DataObject) -> None:
    # codes that start with one of the prefixes (or are one), and others
    start = data.draw(st.sampled_from(sorted(include | exclude)) if include | exclude else st.just(""))
    code = start + data.draw(st.text(alphabet="ABGJ0145", max_size=3))
    expected = any(code.startswith(p) for p in include) and not any(code.startswith(p) for p in exclude)
    assert CodeSet(include, exclude).matches(code) is expected
