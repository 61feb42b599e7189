"""The priority groups of the helsefellesskap and the cited rules that put a person in them.

The four groups of the government–KS agreement (Meld. St. 7 (2019–2020)) and the fifth added by
Meld. St. 9 (2023–2024) Nasjonal helse- og samhandlingsplan 2024–2027 (fact sheet § 3). Only severe mental
illness has an official ICD-10 definition; the other rules are published scores, published condition lists or
product choices, and say so ([V]/[B]). A person may be in several groups. Pure: no I/O except reading the
shipped reference tables once (see `hfrs.py`, `chronic_conditions.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from helsefellesskap.errors import InvalidInput
from helsefellesskap.priority_groups.chronic_conditions import ChronicCondition, load_chronic_conditions
from helsefellesskap.priority_groups.codes import (
    CodeSet,
    CodeSystem,
    display_icd10,
    normalise_icd10,
    normalise_icpc2,
)
from helsefellesskap.priority_groups.evidence import Basis
from helsefellesskap.priority_groups.hfrs import HFRS_SOURCE, HfrsResult, HfrsTable, load_hfrs_table

SKDE_KRONIKERE = "SKDE, Helseatlas for kroniske sykdommer (2022)"
HDIR_SMI = (
    "Helsedirektoratet, Styringsinformasjon til helsefellesskapene, Del III (2021), as cited in Hdir, Forløp etter "
    "døgnbehandling i psykisk helsevern for pasienter med alvorlige psykiske lidelser, ch. 4.1 'Utvalgskriterier'"
)
HDIR_RUS = (
    "Hdir, Forløp etter døgnbehandling i psykisk helsevern (follow-up report), discharge diagnosis group 'ruslidelse'"
)
MELD_ST_9 = "Meld. St. 9 (2023–2024) Nasjonal helse- og samhandlingsplan 2024–2027, ch. 4"
ICD10_PREGNANCY = (
    "WHO ICD-10 chapter XV 'Pregnancy, childbirth and the puerperium' (O00–O99) and block Z30–Z39 "
    "'Persons encountering health services in circumstances related to reproduction' (Z32–Z39)"
)
VOLVEN_9151 = "Volven 9151 Tjenestetype i helse- og omsorgstjenesten (KPR/IPLOS service types)"

# Volven 9151 service types a rule may name (code list as in the KPR/IPLOS FHIR code systems, fact sheet S41).
SERVICE_TYPES = {
    "15": "helsetjenester i hjemmet (home health care)",
    "18": "tidsbegrenset opphold – utredning/behandling (short-term stay, assessment/treatment)",
    "19": "tidsbegrenset opphold – habilitering/rehabilitering (short-term stay, rehabilitation)",
    "20": "tidsbegrenset opphold – annet (short-term stay, other)",
    "21": "langtidsopphold i institusjon (long-term stay in a nursing home)",
}

# Hdir 2021 severe mental illness diagnoses [V S40].
SMI_CODES = CodeSet.parse("F20 F25 F30 F31 F32 F33 F60-F69")
# 'Ruslidelse' of the Hdir follow-up report [V S40b].
SUBSTANCE_USE_CODES = CodeSet.parse("F10-F19")
# ICD-10 chapter XV and Z32–Z39, without Z32.0 (pregnancy not confirmed) and Z38 (the newborn's own code) [B].
PREGNANCY_CODES = CodeSet.parse("O00-O99 Z32-Z39 -Z32.0 -Z38")


class PriorityGroup(StrEnum):
    children_and_youth = "children_and_youth"
    severe_mental_illness_and_substance_use = "severe_mental_illness_and_substance_use"
    frail_elderly = "frail_elderly"
    multiple_chronic_conditions = "multiple_chronic_conditions"
    # Added by Meld. St. 9 (2023–2024), the national plan 2024–2027; not one of the original four.
    pregnancy_birth_postnatal = "pregnancy_birth_postnatal"


class Sex(StrEnum):
    female = "female"
    male = "male"
    unknown = "unknown"


@dataclass(frozen=True)
class Diagnosis:
    """A diagnosis code set at one contact (`on`), or known without a date (then it counts in every window)."""

    code: str  # normalised: upper case, no dot
    on: date | None = None
    system: CodeSystem = CodeSystem.icd10

    @classmethod
    def icd10(cls, text: str, on: date | None = None) -> Diagnosis:
        return cls(normalise_icd10(text), on)

    @classmethod
    def icpc2(cls, text: str, on: date | None = None) -> Diagnosis:
        return cls(normalise_icpc2(text), on, CodeSystem.icpc2)


@dataclass(frozen=True)
class PersonFacts:
    """What the classifier knows of a person on the reference date."""

    age: int  # whole years on the reference date
    sex: Sex = Sex.unknown
    diagnoses: tuple[Diagnosis, ...] = ()
    reference_date: date | None = None  # needed when any diagnosis is dated
    mental_health_contacts: int | None = None  # contacts in psykisk helsevern in the last year; None = unknown
    municipal_services: frozenset[str] = frozenset()  # current Volven 9151 service types, e.g. {"15", "21"}

    def __post_init__(self) -> None:
        if not 0 <= self.age <= 130:
            raise InvalidInput(f"age must be between 0 and 130, not {self.age}")
        if self.mental_health_contacts is not None and self.mental_health_contacts < 0:
            raise InvalidInput("the number of mental health care contacts cannot be negative")
        if self.reference_date is None and any(d.on is not None for d in self.diagnoses):
            raise InvalidInput("dated diagnoses need a reference date for the look-back windows")
        # Volven 9151 service types are numbers (e.g. 15, 21); anything else is a typing error, not a service.
        malformed = sorted(code for code in self.municipal_services if not (code.isascii() and code.isdigit()
                                                                            and len(code) <= 3))
        if malformed:
            raise InvalidInput(f"not a Volven 9151 service type (a number, e.g. 15 or 21): {', '.join(malformed)}")

    @classmethod
    def from_codes(
        cls,
        age: int,
        sex: Sex,
        codes: Iterable[str],
        *,
        mental_health_contacts: int | None = None,
        municipal_services: Iterable[str] = (),
    ) -> PersonFacts:
        """Undated ICD-10 codes, e.g. from a look-back window the caller has already applied."""
        return cls(
            age=age,
            sex=sex,
            diagnoses=tuple(Diagnosis.icd10(c) for c in codes),
            mental_health_contacts=mental_health_contacts,
            municipal_services=frozenset(s.strip() for s in municipal_services),
        )


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a date (a person born 29 February has the birthday on 1 March in other years)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


@dataclass(frozen=True)
class ClassificationRules:
    """Every threshold of the rules, with its default and source; a community may configure them."""

    # SKDE uses 0–17 years for children [V S39]; Hdir reports the same [B].
    child_max_age: int = 17
    # Hdir 2021: severe mental illness from 18 years, >= 1 contact in psykisk helsevern in the year [V S40].
    adult_min_age: int = 18
    smi_min_mental_health_contacts: int = 1
    smi_codes: CodeSet = SMI_CODES
    smi_lookback_days: int = 365
    # The follow-up report's 'ruslidelse' group F10–F19 [V S40b]; no contact requirement [B, product choice].
    substance_use_codes: CodeSet = SUBSTANCE_USE_CODES
    substance_use_lookback_days: int = 365
    # Frail elderly has no official definition (fact sheet § 3) [B]: 75+ because the HFRS was developed and
    # validated in people aged 75 and over (Gilbert 2018); intermediate-or-high risk (>= 5); 2-year look-back.
    frail_min_age: int = 75
    frail_min_hfrs: Decimal = Decimal(5)
    hfrs_lookback_days: int = 730
    # ... or a long-term municipal service: home health care (15) or a long-term nursing-home stay (21) [B].
    frail_service_types: frozenset[str] = frozenset({"15", "21"})
    # SKDE's ten conditions (+ diabetes [B]); >= 2 is the usual multimorbidity convention [B]. SKDE's window
    # was 4 years (2018–2021) and it required 3 contact days; we count 1 by default [B, product choice].
    chronic_conditions: tuple[ChronicCondition, ...] = field(default_factory=load_chronic_conditions)
    chronic_min_conditions: int = 2
    chronic_min_contact_days: int = 1
    chronic_lookback_days: int = 1461
    pregnancy_codes: CodeSet = PREGNANCY_CODES
    # [D] 42 weeks of pregnancy + the 42-day puerperium of ICD-10 = 336 days from the earliest possible code.
    pregnancy_lookback_days: int = 336
    pregnancy_requires_female: bool = True
    hfrs_table: HfrsTable = field(default_factory=load_hfrs_table)

    def __post_init__(self) -> None:
        numbers = {name: value for name, value in vars(self).items() if isinstance(value, int | Decimal)}
        negative = [name for name, value in numbers.items() if not isinstance(value, bool) and value < 0]
        if negative:
            raise InvalidInput(f"classification rules cannot be negative: {', '.join(sorted(negative))}")


@dataclass(frozen=True)
class Reason:
    """Why a person is in a group: the rule, a sentence a nurse can read, the source and how sure it is."""

    group: PriorityGroup
    rule: str
    text: str
    source: str
    basis: Basis
    evidence: tuple[str, ...] = ()


def _window(facts: PersonFacts, days: int, system: CodeSystem = CodeSystem.icd10) -> list[Diagnosis]:
    """The diagnoses of the `days` days up to and including the reference date (undated ones always count)."""
    ref = facts.reference_date
    return [
        d for d in facts.diagnoses
        if d.system is system and (d.on is None or (ref is not None and ref - timedelta(days=days) < d.on <= ref))
    ]


def _codes(diagnoses: Iterable[Diagnosis]) -> set[str]:
    return {d.code for d in diagnoses}


def _shown(codes: Iterable[str]) -> str:
    return ", ".join(display_icd10(c) for c in sorted(codes))


def children_and_youth(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # SKDE: children are 0–17 years [V S39]; Hdir uses the same [B].
    if facts.age > rules.child_max_age:
        return None
    return Reason(
        PriorityGroup.children_and_youth, "children_and_youth.age_0_17",
        f"Age {facts.age} is within 0–{rules.child_max_age} years.",
        "SKDE Helseatlas (children 0–17 years); Hdir reports use the same ages [B]", Basis.verified,
    )


def severe_mental_illness(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # Hdir Styringsinformasjon Del III (2021): >= 18 years, >= 1 contact in PHV in the year, main or secondary
    # diagnosis F20, F25, F30, F31, F32, F33 or F60–F69 [V S40].
    contacts = facts.mental_health_contacts or 0
    found = rules.smi_codes.matching(_codes(_window(facts, rules.smi_lookback_days)))
    if facts.age < rules.adult_min_age or contacts < rules.smi_min_mental_health_contacts or not found:
        return None
    return Reason(
        PriorityGroup.severe_mental_illness_and_substance_use, "severe_mental_illness.hdir_2021",
        f"Age {facts.age}, {contacts} contact(s) in mental health care (psykisk helsevern) and a severe mental "
        f"illness diagnosis: {_shown(found)} (schizophrenia, bipolar disorder, depression or personality disorder).",
        HDIR_SMI, Basis.verified, found,
    )


def substance_use(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # Code group F10–F19 'ruslidelse' of the Hdir follow-up report [V S40b]; used as an inclusion rule for adults
    # without a contact requirement [B, product choice]. Includes acute intoxication (F1x.0): narrow
    # `substance_use_codes` to dependence (e.g. "F10.2 F11.2 ...") if a community wants rusavhengighet only.
    found = rules.substance_use_codes.matching(_codes(_window(facts, rules.substance_use_lookback_days)))
    if facts.age < rules.adult_min_age or not found:
        return None
    return Reason(
        PriorityGroup.severe_mental_illness_and_substance_use, "substance_use.f10_f19",
        f"Age {facts.age} and a substance use disorder diagnosis: {_shown(found)}.",
        HDIR_RUS + " [B: applied without a contact requirement]", Basis.unverified, found,
    )


def hfrs_of(facts: PersonFacts, rules: ClassificationRules | None = None) -> HfrsResult:
    """The person's Hospital Frailty Risk Score over the HFRS look-back window."""
    rules = rules or DEFAULT_RULES
    return rules.hfrs_table.score(_codes(_window(facts, rules.hfrs_lookback_days)))


def frail_by_hfrs(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # No official definition [B]: 75+ and HFRS intermediate or high (>= 5), Gilbert et al. 2018 [V for the score].
    if facts.age < rules.frail_min_age:
        return None
    result = hfrs_of(facts, rules)
    if result.score < rules.frail_min_hfrs:
        return None
    return Reason(
        PriorityGroup.frail_elderly, "frail_elderly.hfrs",
        f"Age {facts.age} and Hospital Frailty Risk Score {result.score} ({result.band} risk; "
        f"{rules.frail_min_hfrs} or more counts) from {_shown(w.code for w in result.contributions)}.",
        f"{HFRS_SOURCE}; age and cut-off are a product choice [B]", Basis.unverified,
        tuple(w.code for w in result.contributions),
    )


def frail_by_municipal_service(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # Practice [B] (fact sheet § 3): old age combined with home health care or a nursing home (Volven 9151).
    services = sorted(facts.municipal_services & rules.frail_service_types)
    if facts.age < rules.frail_min_age or not services:
        return None
    names = "; ".join(f"{s} {SERVICE_TYPES.get(s, '')}".strip() for s in services)
    return Reason(
        PriorityGroup.frail_elderly, "frail_elderly.municipal_service",
        f"Age {facts.age} and receives the municipal service {names}.",
        f"{VOLVEN_9151}; combining age and service is common practice, not an official definition [B]",
        Basis.unverified, tuple(services),
    )


def _chronic_present(facts: PersonFacts, rules: ClassificationRules) -> list[tuple[ChronicCondition, tuple[str, ...]]]:
    icd10 = _window(facts, rules.chronic_lookback_days)
    icpc2 = _window(facts, rules.chronic_lookback_days, CodeSystem.icpc2)
    present = []
    for condition in rules.chronic_conditions:
        hits = [d for d in icd10 if condition.icd10.matches(d.code)]
        hits += [d for d in icpc2 if condition.icpc2.matches(d.code)]
        # Contact days: distinct dates; an undated diagnosis is one established fact and counts as enough.
        days = len({d.on for d in hits})
        enough = any(d.on is None for d in hits) or days >= rules.chronic_min_contact_days
        if hits and enough:
            present.append((condition, tuple(sorted({d.code for d in hits}))))
    return present


def multiple_chronic_conditions(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # Conditions: SKDE Helseatlas for kroniske sykdommer 2022 [V S39]; >= 2 conditions: usual convention [B].
    present = _chronic_present(facts, rules)
    if len(present) < rules.chronic_min_conditions:
        return None
    names = "; ".join(f"{c.name.lower()} ({_shown(codes)})" for c, codes in present)
    unverified = any(c.codes_basis is Basis.unverified for c, _ in present)
    return Reason(
        PriorityGroup.multiple_chronic_conditions, "multiple_chronic_conditions.skde_2022",
        f"{len(present)} chronic conditions ({rules.chronic_min_conditions} or more counts): {names}.",
        f"{SKDE_KRONIKERE}; 'two or more' is the usual multimorbidity convention [B]"
        + ("; some condition codes are not published by SKDE [B]" if unverified else ""),
        Basis.unverified, tuple(code for _, codes in present for code in codes),
    )


def pregnancy_birth_postnatal(facts: PersonFacts, rules: ClassificationRules) -> Reason | None:
    # The fifth group, added by Meld. St. 9 (2023–2024) [V S6]. No operational definition exists: the codes are
    # ICD-10 chapter XV and Z32–Z39 [B, product choice].
    if rules.pregnancy_requires_female and facts.sex is not Sex.female:
        return None
    found = rules.pregnancy_codes.matching(_codes(_window(facts, rules.pregnancy_lookback_days)))
    if not found:
        return None
    return Reason(
        PriorityGroup.pregnancy_birth_postnatal, "pregnancy_birth_postnatal.icd10_chapter_xv",
        f"Pregnancy, birth or postnatal care diagnosis {_shown(found)} in the last "
        f"{rules.pregnancy_lookback_days} days (group added by the national plan 2024–2027).",
        f"{MELD_ST_9} (the group); codes from {ICD10_PREGNANCY}: a product choice, Z32.0 and Z38 left out [B]; "
        "window [D]",
        Basis.unverified, found,
    )


RULES: tuple[Callable[[PersonFacts, ClassificationRules], Reason | None], ...] = (
    children_and_youth,
    severe_mental_illness,
    substance_use,
    frail_by_hfrs,
    frail_by_municipal_service,
    multiple_chronic_conditions,
    pregnancy_birth_postnatal,
)

DEFAULT_RULES = ClassificationRules()


def explain(facts: PersonFacts, *, rules: ClassificationRules = DEFAULT_RULES) -> list[Reason]:
    """Every rule that puts the person in a group, in the order of RULES (a group may have several reasons)."""
    return [reason for rule in RULES if (reason := rule(facts, rules)) is not None]


def classify(facts: PersonFacts, *, rules: ClassificationRules = DEFAULT_RULES) -> frozenset[PriorityGroup]:
    """The priority groups the person is in (possibly none, possibly several)."""
    return frozenset(reason.group for reason in explain(facts, rules=rules))
