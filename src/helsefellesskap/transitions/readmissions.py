"""Readmissions: a new admission of the same person within 30 days of a discharge is linked to it.

The link is broader than the national quality indicator (NKI, fact sheet § 6.1: acute admissions 8 hours
to 30 days after discharge, patients 67+ in 11 diagnosis groups); `counts_for_indicator` marks the links
that meet its timing and acuity (age and diagnosis groups are the indicators' business). A discharge to
another hospital is a transfer, and a death ends the chain: neither links.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from helsefellesskap.transitions.messages import Destination
from helsefellesskap.transitions.pathway import StayProjection
from helsefellesskap.transitions.rules import TransitionRules


@dataclass(frozen=True, slots=True)
class ReadmissionLink:
    stay_id: str  # the new stay
    previous_stay_id: str
    gap: dt.timedelta  # from the previous discharge to this admission
    acute: bool
    counts_for_indicator: bool


def link_readmissions(stays: Iterable[StayProjection], rules: TransitionRules) -> dict[str, ReadmissionLink]:
    """Links by the new stay's id."""
    by_patient: dict[str, list[StayProjection]] = defaultdict(list)
    for stay in stays:
        if stay.admission is not None:
            by_patient[stay.patient].append(stay)
    links: dict[str, ReadmissionLink] = {}
    for patient_stays in by_patient.values():
        if len(patient_stays) < 2:
            continue
        patient_stays.sort(key=lambda s: s.admission_order)
        for previous, stay in itertools.pairwise(patient_stays):
            link = _link(previous, stay, rules)
            if link is not None:
                links[stay.stay_id] = link
    return links


def _link(previous: StayProjection, stay: StayProjection, rules: TransitionRules) -> ReadmissionLink | None:
    discharge, admission = previous.discharge, stay.admission
    if discharge is None or admission is None:
        return None
    if discharge.destination in (Destination.other_hospital, Destination.died):
        return None
    gap = admission.admitted_at - discharge.discharged_at
    if gap < dt.timedelta(0) or gap > rules.readmission_window:
        return None
    indicator = admission.acute and gap >= rules.readmission_indicator_min_gap
    return ReadmissionLink(stay.stay_id, previous.stay_id, gap, admission.acute, indicator)
