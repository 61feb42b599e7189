"""The catalogue: every indicator defined once, with its source. Source ids ([S42] …) are those of the domain
fact sheet (`norway-facts.md`); [B] marks a part that is our reading, not verified against the source."""

from __future__ import annotations

from helsefellesskap.errors import NotFound
from helsefellesskap.indicators.model import IndicatorDefinition
from helsefellesskap.text import N_

FORSKRIFT = "Forskrift om kommunal betaling for utskrivningsklare pasienter (FOR-2011-11-18-1115)"

# The 11 diagnosis groups of Helsedirektoratet's national quality indicator (fact sheet § 6.1 [V S42]). The
# indicator's own ICD-10 list was not available [B]: these are the ICD-10 categories of the groups' names.
READMISSION_GROUPS: dict[str, tuple[str, ...]] = {
    "copd_asthma": ("J44", "J45", "J46"),
    "heart_failure": ("I50",),
    "pneumonia": ("J12", "J13", "J14", "J15", "J16", "J17", "J18"),
    "stroke": ("I61", "I63", "I64"),
    "fracture": ("S02", "S12", "S22", "S32", "S42", "S52", "S62", "S72", "S82", "S92", "T08", "T10", "T12"),
    "dehydration": ("E86",),
    "constipation": ("K590",),
    "gastroenteritis": ("A08", "A09"),
    "urinary_tract_infection": ("N390",),
    "deficiency_anaemia": ("D50", "D51", "D52", "D53"),
    "gout": ("M10",),
}
READMISSION_MIN_AGE = 67  # NKI: patients 67 years and older [V S42]
READMISSION_MIN_HOURS = 8  # NKI: readmission 8 hours to 30 days after discharge [V S42, S84]
READMISSION_MAX_DAYS = 30
ADMISSION_NOTICE_HOURS = 24  # § 8: admission notice within 24 hours of admission [B]
CLUSTER_TRANSITIONS = 3  # "three or more transitions within 30 days" (the definition)
CLUSTER_DAYS = 30

READMISSION = IndicatorDefinition(
    id="readmission_elderly_30d",
    name=N_("30-day readmission of the elderly"),
    definition=(
        N_("Share of primary stays of patients aged 67 or over, with a main diagnosis in one of the 11 diagnosis "
        "groups (asthma/COPD, heart failure, pneumonia, stroke, fracture, dehydration, constipation, "
        "gastroenteritis, urinary tract infection, deficiency anaemia, gout), that are followed by an acute "
        "admission, for any cause and at any hospital, between 8 hours and 30 days after discharge. Crude rate "
        "(the national indicator is risk-adjusted).")
    ),
    source=(
        N_("Helsedirektoratet, national quality indicator 'Reinnleggelser av eldre innen 30 dager' (NKI), "
        "calculated by FHI from NPR [V S42, S82]; acute stays only, 8 h lower bound as in SKDE's "
        "reinnleggelser.sas [V S84]; the ICD-10 code list of the groups and the exclusions [B]")
    ),
    numerator=N_("primary stays followed by an acute admission 8 hours to 30 days after discharge"),
    denominator=N_("primary stays: somatic, patient 67+ at admission, main diagnosis in the 11 groups"),
    exclusions=(
        N_("death during the stay (destination died) [B]"),
        N_("transfer to another hospital (destination other_hospital) [B]"),
        N_("discharge less than 30 days before the end of the observed period (no full follow-up) [B]"),
    ),
    unit="percent",
    multiplier=100,
    basis="V",
    notes=(N_("Month: of the primary stay's discharge."), N_("Diagnosis codes of the groups: ICD-10 categories [B].")),
)


def _delayed(min_age: int) -> IndicatorDefinition:
    return IndicatorDefinition(
        id=f"delayed_discharge_days_{min_age}",
        name=f"Delayed-discharge days per 1 000 inhabitants aged {min_age}+",
        definition=(
            f"Overliggerdøgn of patients aged {min_age}+ at admission per 1 000 inhabitants aged {min_age}+ at "
            "the start of the period: calendar days from the day the patient was declared ready for discharge to "
            "the discharge day (or the day readiness was withdrawn), counted for each readiness period in which "
            "the municipality said it could not receive the patient or did not answer."
        ),
        source=(
            N_("Helsedirektoratet, Utskrivningsklare pasienter / SAMDATA overliggerdøgn per 1 000 inhabitants "
               "[V S85, S86]; payable days: Forskrift om kommunal betaling for utskrivningsklare pasienter "
               "(FOR-2011-11-18-1115) § 13 as summarised in the fact sheet § 4.1 [B]")
        ),
        numerator=f"overliggerdøgn of stays of patients aged {min_age}+ (all services)",
        denominator=f"inhabitants aged {min_age}+ on the first day of the period (per month: alive that month)",
        exclusions=(N_("days between a withdrawal (avmelding) and renewed readiness [B]"),),
        unit="days per 1 000 inhabitants",
        multiplier=1000,
        notes=(N_("Month: of the discharge."), N_("Municipality: the stay's municipality of residence (the payer).")),
    )


DELAYED_67 = _delayed(67)
DELAYED_80 = _delayed(80)

NOTICES = IndicatorDefinition(
    id="notices_on_time",
    name=N_("Admission and readiness notices on time"),
    definition=(
        N_("Share of stays declared ready for discharge whose admission notice was sent within 24 hours of "
        "admission and whose (first) readiness notice was sent on the day the patient was declared ready.")
    ),
    source=N_("Forskrift om kommunal betaling for utskrivningsklare pasienter (FOR-2011-11-18-1115) § 8 (admission "
              "notice within 24 hours) and § 10 (readiness notice the same day) [B]"),
    numerator=N_("stays with both notices on time"),
    denominator=N_("stays declared ready for discharge (utskrivningsklar)"),
    exclusions=(N_("stays never declared ready"),),
    unit="percent",
    multiplier=100,
    notes=(N_("Month: of the admission."), N_("Same day: the local calendar day (UTC+1, see docs)."),
           N_("Missing notice = late.")),
)

TRANSITIONS = IndicatorDefinition(
    id="transitions_per_person_year",
    name=N_("Transitions between care levels per person-year"),
    definition=(
        N_("Moves between levels of care per person-year lived in the period: every hospital admission, every "
        "discharge alive, and every start of a municipal institutional service (short-term stay, nursing home, "
        "municipal acute bed) that does not directly follow a hospital stay.")
    ),
    source=N_("The issue's definition (a transition = a move between levels of care) [B]; person-time from deaths"),
    numerator=N_("transitions"),
    denominator=N_("person-days lived in the period (shown as days; the rate is per 365.25 days)"),
    exclusions=(N_("services already running at the start (baseline)"),
                N_("services started by a discharge (counted once)")),
    unit="per person-year",
    multiplier=365.25,
    notes=(N_("Month: of the transition; per month the person-days of that month."),
           N_("Rate = transitions / person-days * 365.25."),
           N_("Person-days are suppressed when fewer than 5 persons could have lived them.")),
    person_time=True,
)

CLUSTERED = IndicatorDefinition(
    id="three_transitions_in_30_days",
    name=N_("Persons with three or more transitions within 30 days"),
    definition=(
        N_("Share of persons with at least one transition who had three or more transitions within some 30-day "
        "window (the third transition at most 30 days after the first).")
    ),
    source=N_("The issue's definition; kasteball pattern (domain primer) [B]"),
    numerator=N_("persons with 3+ transitions within 30 days"),
    denominator=N_("persons with at least one transition"),
    exclusions=(),
    unit="percent",
    multiplier=100,
    notes=(N_("Month: a person counts in each month with a transition; in the numerator where a window starts."),),
)

READY_TO_DISCHARGE = IndicatorDefinition(
    id="days_ready_to_discharge",
    name=N_("Days from ready for discharge to discharge"),
    definition=(
        N_("Mean calendar days from the day the patient was (last) declared ready for discharge to the discharge "
        "day, over stays declared ready.")
    ),
    source=N_("NPR time points 'utskrivningsklar' and discharge [V S47]; Forskrift om kommunal betaling for "
              "utskrivningsklare pasienter (FOR-2011-11-18-1115) §§ 9–10 [B]"),
    numerator=N_("days from the (last) readiness day to the discharge day, summed"),
    denominator=N_("stays declared ready for discharge and discharged alive"),
    exclusions=(N_("deaths in the stay"),),
    unit="days (mean)",
    multiplier=1,
    notes=(N_("Month: of the discharge."),),
)

FIRST_STAY_TO_NURSING_HOME = IndicatorDefinition(
    id="days_first_stay_to_nursing_home",
    name=N_("Days from first stay to nursing-home admission"),
    definition=(
        N_("Mean days from the admission of a person's first hospital stay in the period to the start of their "
        "first nursing-home stay after it, over persons admitted to a nursing home after a first stay.")
    ),
    source=N_("The issue's definition; nursing home = long-term stay, Volven 9151 code 21 (KPR/IPLOS) [V S41] [B]"),
    numerator=N_("days from first-stay admission to nursing-home start, summed"),
    denominator=N_("persons with a nursing-home admission after their first stay in the period"),
    exclusions=(N_("persons already in a nursing home before their first stay"),),
    unit="days (mean)",
    multiplier=1,
    notes=(N_("Month: of the first stay's admission."),),
)

CATALOGUE: tuple[IndicatorDefinition, ...] = (
    READMISSION, DELAYED_67, DELAYED_80, NOTICES, TRANSITIONS, CLUSTERED, READY_TO_DISCHARGE,
    FIRST_STAY_TO_NURSING_HOME,
)
BY_ID = {d.id: d for d in CATALOGUE}


def definition_of(indicator_id: str) -> IndicatorDefinition:
    try:
        return BY_ID[indicator_id]
    except KeyError:
        raise NotFound(f"unknown indicator {indicator_id!r} (known: {', '.join(BY_ID)})") from None
