"""Which patients are in a priority group, for the kasteball alerts: an adapter from a stay to the
priority-groups capability's classifier (`helsefellesskap.priority_groups.model.classify`).

What a stay knows of the person: age and sex from the national id (none for FH- and 2032-rule numbers, which
are then not classified), and the ICD-10 codes of the admission and the discharge. Municipal services and
earlier contacts are not in the messages, so groups that need them are found only by other means.
"""

from __future__ import annotations

from collections.abc import Callable

from helsefellesskap.priority_groups.model import PersonFacts, PriorityGroup, Sex, age_on, classify
from helsefellesskap.transitions.alerts import PriorityPatientTest
from helsefellesskap.transitions.calendar import oslo_date
from helsefellesskap.transitions.pathway import StayProjection
from helsefellesskap.transitions.patient_id import parse_patient

Classifier = Callable[[PersonFacts], frozenset[PriorityGroup]]


def stay_person_facts(stay: StayProjection) -> PersonFacts | None:
    """The person as the stay's messages describe them; None when the age cannot be known."""
    if stay.admission is None or not stay.patient:
        return None
    national_id = parse_patient(stay.patient)
    if national_id.birth_date is None:
        return None
    age = age_on(national_id.birth_date, oslo_date(stay.admission.admitted_at))
    sex = Sex(national_id.sex) if national_id.sex else Sex.unknown
    codes = list(stay.admission.diagnoses) + (list(stay.discharge.diagnoses) if stay.discharge else [])
    return PersonFacts.from_codes(min(max(age, 0), 130), sex, codes)


def priority_patient_test(classifier: Classifier = classify) -> PriorityPatientTest:
    """A test for `replay(..., is_priority_patient=...)` backed by the priority-groups classifier."""

    def is_priority_patient(stay: StayProjection) -> bool:
        facts = stay_person_facts(stay)
        return facts is not None and bool(classifier(facts))

    return is_priority_patient
