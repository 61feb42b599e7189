"""The priority-group rules, one test per rule, named after the rule and its source (docs/priority-groups.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from helsefellesskap.errors import InvalidInput
from helsefellesskap.priority_groups.codes import InvalidDiagnosisCode, normalise_icd10
from helsefellesskap.priority_groups.evidence import Basis
from helsefellesskap.priority_groups.model import (
    DEFAULT_RULES,
    ClassificationRules,
    Diagnosis,
    PersonFacts,
    PriorityGroup,
    Sex,
    age_on,
    classify,
    explain,
    hfrs_of,
)

G = PriorityGroup
TODAY = date(2026, 11, 25)


def person(age: int, *codes: str, sex: Sex = Sex.unknown, contacts: int | None = None,
           services: tuple[str, ...] = ()) -> PersonFacts:
    return PersonFacts.from_codes(age, sex, codes, mental_health_contacts=contacts, municipal_services=services)


def dated(age: int, *diagnoses: tuple[str, int], sex: Sex = Sex.unknown, contacts: int | None = None) -> PersonFacts:
    """Diagnoses given as (code, days before TODAY)."""
    return PersonFacts(
        age=age, sex=sex, reference_date=TODAY, mental_health_contacts=contacts,
        diagnoses=tuple(Diagnosis.icd10(code, TODAY - timedelta(days=ago)) for code, ago in diagnoses),
    )


# --- children and youth --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("age", "expected"), [(0, True), (9, True), (17, True), (18, False), (67, False)])
def test_children_and_youth_skde_age_0_17(age: int, expected: bool) -> None:
    assert (G.children_and_youth in classify(person(age))) is expected


# --- severe mental illness and substance use -----------------------------------------------------------------

def test_severe_mental_illness_hdir_2021_requires_age_18_and_phv_contact() -> None:
    assert G.severe_mental_illness_and_substance_use in classify(person(18, "F20.0", contacts=1))
    assert G.severe_mental_illness_and_substance_use not in classify(person(17, "F20.0", contacts=1))
    assert G.severe_mental_illness_and_substance_use not in classify(person(40, "F20.0", contacts=0))
    # An unknown number of contacts does not satisfy the Hdir rule.
    assert G.severe_mental_illness_and_substance_use not in classify(person(40, "F20.0"))


@pytest.mark.parametrize("code", ["F20", "F25.1", "F30.9", "F31", "F32.2", "F33.3", "F60.3", "F65", "F69"])
def test_severe_mental_illness_hdir_2021_diagnoses_f20_f25_f30_f33_f60_f69(code: str) -> None:
    reasons = explain(person(35, code, contacts=1))
    assert [r.rule for r in reasons] == ["severe_mental_illness.hdir_2021"]
    assert reasons[0].basis is Basis.verified
    assert "Styringsinformasjon til helsefellesskapene, Del III (2021)" in reasons[0].source


@pytest.mark.parametrize("code", ["F21", "F29", "F34", "F41.1", "F70", "F90", "Z63"])
def test_severe_mental_illness_hdir_2021_other_diagnoses_do_not_count(code: str) -> None:
    assert G.severe_mental_illness_and_substance_use not in classify(person(35, code, contacts=3))


@pytest.mark.parametrize("code", ["F10.2", "F11", "F15.1", "F19.9"])
def test_substance_use_hdir_followup_ruslidelse_f10_f19_from_age_18(code: str) -> None:
    reasons = explain(person(18, code))
    assert [(r.group, r.rule, r.basis) for r in reasons] == [
        (G.severe_mental_illness_and_substance_use, "substance_use.f10_f19", Basis.unverified)
    ]
    assert G.severe_mental_illness_and_substance_use not in classify(person(17, code))
    assert G.severe_mental_illness_and_substance_use not in classify(person(40, "F09", "F20"))


# --- frail elderly -------------------------------------------------------------------------------------------

def test_frail_elderly_hfrs_gilbert_2018_needs_age_75_and_score_5() -> None:
    # F01 (2.0) + R31 (3.0) = 5.0, the lower bound of intermediate risk; R31 + H54 (1.9) = 4.9 is low risk.
    assert hfrs_of(person(80, "F01", "R31")).score == Decimal("5.0")
    assert G.frail_elderly in classify(person(75, "F01", "R31"))
    assert G.frail_elderly not in classify(person(74, "F01", "R31"))
    assert G.frail_elderly not in classify(person(90, "R31", "H54"))
    reason = explain(person(80, "F00.1", "W19"))[0]
    assert (reason.rule, reason.evidence) == ("frail_elderly.hfrs", ("F00", "W19"))
    assert "10.3" in reason.text and "Lancet 2018" in reason.source


def test_frail_elderly_municipal_service_volven_9151_home_care_or_nursing_home() -> None:
    assert G.frail_elderly in classify(person(75, services=("21",)))
    assert G.frail_elderly in classify(person(88, services=("15",)))
    assert G.frail_elderly not in classify(person(88, services=("18",)))  # short-term stay only
    assert G.frail_elderly not in classify(person(74, services=("21",)))
    reason = explain(person(80, services=("21",)))[0]
    assert reason.rule == "frail_elderly.municipal_service" and "langtidsopphold" in reason.text


def test_frail_elderly_hfrs_look_back_is_two_years_gilbert_2018() -> None:
    assert G.frail_elderly in classify(dated(80, ("F00", 729)))
    assert G.frail_elderly not in classify(dated(80, ("F00", 730)))


# --- several chronic conditions ------------------------------------------------------------------------------

def test_multiple_chronic_conditions_skde_2022_needs_two_conditions() -> None:
    assert G.multiple_chronic_conditions in classify(person(60, "I50", "J44.1"))
    assert G.multiple_chronic_conditions not in classify(person(60, "I50"))
    assert G.multiple_chronic_conditions not in classify(person(60, "I50.0", "I50.9"))  # one condition twice
    reason = explain(person(60, "I50", "J44.1"))[0]
    assert "heart failure" in reason.text and "SKDE" in reason.source and reason.basis is Basis.unverified


def test_chronic_conditions_skde_2022_published_icd10_codes() -> None:
    # Epilepsy G40 except G40.5, migraine G43, Parkinson G20, MS G35 (atlas table); endometriosis N80.
    assert G.multiple_chronic_conditions in classify(person(40, "G40.1", "G43"))
    assert G.multiple_chronic_conditions in classify(person(40, "G20", "G35"))
    assert G.multiple_chronic_conditions in classify(person(40, "N80.1", "K50"))
    assert G.multiple_chronic_conditions not in classify(person(40, "G40.5", "G43"))


def test_chronic_conditions_skde_2022_icpc2_codes_from_gp_data() -> None:
    facts = PersonFacts(age=50, diagnoses=(Diagnosis.icpc2("N88"), Diagnosis.icpc2("n89")))
    assert G.multiple_chronic_conditions in classify(facts)


def test_chronic_conditions_skde_2022_three_contact_days_when_configured() -> None:
    skde = replace(DEFAULT_RULES, chronic_min_contact_days=3)
    three_days = dated(60, ("I50", 10), ("I50", 20), ("I50", 30), ("J44", 1), ("J44", 2), ("J44", 3))
    assert G.multiple_chronic_conditions in classify(three_days, rules=skde)
    same_day = dated(60, ("I50", 10), ("I50", 20), ("I50", 30), ("J44", 1), ("J44.1", 1), ("J44", 2))
    assert G.multiple_chronic_conditions not in classify(same_day, rules=skde)
    assert G.multiple_chronic_conditions in classify(same_day)  # default: one contact day


# --- pregnancy, birth and postnatal care (fifth group, Meld. St. 9 (2023–2024)) ------------------------------

@pytest.mark.parametrize("code", ["O00", "O80", "O99.8", "Z32.1", "Z34", "Z35.9", "Z37.0", "Z39.2"])
def test_pregnancy_meld_st_9_icd10_chapter_xv_and_z32_z39(code: str) -> None:
    reasons = explain(person(29, code, sex=Sex.female))
    assert [r.rule for r in reasons] == ["pregnancy_birth_postnatal.icd10_chapter_xv"]
    assert "Meld. St. 9 (2023–2024)" in reasons[0].source and "2024–2027" in reasons[0].text


@pytest.mark.parametrize("code", ["Z38.0", "Z32.0", "Z30", "P07", "N80"])
def test_pregnancy_icd10_leaves_out_newborn_and_unconfirmed_codes(code: str) -> None:
    assert G.pregnancy_birth_postnatal not in classify(person(29, code, sex=Sex.female))


def test_pregnancy_meld_st_9_requires_female_unless_configured() -> None:
    assert G.pregnancy_birth_postnatal not in classify(person(29, "O80", sex=Sex.male))
    assert G.pregnancy_birth_postnatal not in classify(person(29, "O80"))
    any_sex = replace(DEFAULT_RULES, pregnancy_requires_female=False)
    assert G.pregnancy_birth_postnatal in classify(person(29, "O80", sex=Sex.male), rules=any_sex)


def test_pregnancy_look_back_is_42_weeks_plus_puerperium() -> None:
    assert G.pregnancy_birth_postnatal in classify(dated(30, ("O21.0", 335), sex=Sex.female))
    assert G.pregnancy_birth_postnatal not in classify(dated(30, ("O21.0", 336), sex=Sex.female))


# --- shared behaviour ----------------------------------------------------------------------------------------

def test_a_person_may_be_in_several_groups() -> None:
    assert classify(person(17, "O80", sex=Sex.female)) == {G.children_and_youth, G.pregnancy_birth_postnatal}
    assert classify(person(81, "F00", "I50", "J44", "F32", contacts=1)) == {
        G.frail_elderly, G.multiple_chronic_conditions, G.severe_mental_illness_and_substance_use,
    }
    assert classify(person(45)) == frozenset()


def test_look_back_windows_count_the_days_up_to_the_reference_date() -> None:
    assert G.severe_mental_illness_and_substance_use in classify(dated(40, ("F31", 364), contacts=1))
    assert G.severe_mental_illness_and_substance_use not in classify(dated(40, ("F31", 365), contacts=1))
    assert G.severe_mental_illness_and_substance_use not in classify(dated(40, ("F31", -1), contacts=1))  # future


def test_dated_diagnoses_need_a_reference_date() -> None:
    with pytest.raises(InvalidInput, match="reference date"):
        PersonFacts(age=50, diagnoses=(Diagnosis.icd10("I50", TODAY),))


@pytest.mark.parametrize("text", ["", "F2", "20F", "F20.", "FF20", "F20.12345", "F-20", "Ø20"])
def test_invalid_icd10_code_is_rejected(text: str) -> None:
    with pytest.raises(InvalidDiagnosisCode, match="not an ICD-10 code"):
        normalise_icd10(text)


def test_icd10_codes_are_normalised_without_the_dot() -> None:
    assert [normalise_icd10(c) for c in ("f32.2", " F322 ", "M79.6A", "U07")] == ["F322", "F322", "M796A", "U07"]


@pytest.mark.parametrize("age", [-1, 131])
def test_age_must_be_plausible(age: int) -> None:
    with pytest.raises(InvalidInput, match="age"):
        person(age)


def test_classification_rules_reject_negative_thresholds() -> None:
    with pytest.raises(InvalidInput, match="frail_min_age"):
        ClassificationRules(frail_min_age=-1)


def test_thresholds_are_configurable() -> None:
    eighty = replace(DEFAULT_RULES, frail_min_age=80)
    assert G.frail_elderly not in classify(person(79, "F00"), rules=eighty)
    assert G.frail_elderly in classify(person(80, "F00"), rules=eighty)
    three = replace(DEFAULT_RULES, chronic_min_conditions=3)
    assert G.multiple_chronic_conditions not in classify(person(60, "I50", "J44"), rules=three)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [(date(1950, 6, 15), date(2025, 6, 14), 74), (date(1950, 6, 15), date(2025, 6, 15), 75),
     (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18)],
)
def test_age_on_a_date_counts_whole_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_every_reason_names_its_source_and_basis() -> None:
    everyone = [
        person(10), person(30, "F20", contacts=1), person(30, "F10.2"), person(80, "F00"),
        person(80, services=("15",)), person(50, "I50", "E11"), person(30, "O80", sex=Sex.female),
    ]
    reasons = [reason for facts in everyone for reason in explain(facts)]
    assert {r.group for r in reasons} == set(PriorityGroup)
    assert all(r.source and r.text.endswith(".") and r.basis in Basis for r in reasons)
