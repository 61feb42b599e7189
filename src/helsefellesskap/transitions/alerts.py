"""Kasteball alerts: documented rules that flag a patient being passed back and forth or left waiting.

Each rule has an id, an explanation a nurse understands (English, and Norwegian bokmål for the web UI), and
the party that must act. Thresholds live in `TransitionRules`. Whether a patient belongs to a priority
group is decided by a classifier passed in (the priority-groups capability owns the definitions).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from helsefellesskap.transitions.messages import Destination
from helsefellesskap.transitions.notes import Note
from helsefellesskap.transitions.obligations import Obligation, ObligationStatus, Party
from helsefellesskap.transitions.pathway import StayProjection
from helsefellesskap.transitions.readmissions import ReadmissionLink
from helsefellesskap.transitions.rules import TransitionRules

PriorityPatientTest = Callable[[StayProjection], bool]
# An admission within a day of a transfer out of another hospital continues the transfer.
TRANSFER_GAP = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class AlertRule:
    id: str
    title: str
    explanation: str
    explanation_nb: str
    party: Party


RULES: dict[str, AlertRule] = {
    rule.id: rule
    for rule in (
        AlertRule(
            "KB-REPEATED-TRANSITIONS",
            "Repeated transitions",
            "The patient has moved between hospital and municipality many times within a short period. "
            "The municipality should review the patient's follow-up and coordination with the GP.",
            "Pasienten har flyttet mellom sykehus og kommune mange ganger på kort tid. Kommunen bør gå "
            "gjennom oppfølgingen og samarbeidet med fastlegen.",
            Party.municipality,
        ),
        AlertRule(
            "KB-READMISSION-30D",
            "Readmitted within 30 days",
            "The patient was admitted again within 30 days of the last discharge. The hospital that discharged "
            "the patient should review, with the municipality, whether the discharge was well prepared.",
            "Pasienten ble lagt inn igjen innen 30 dager etter forrige utskrivning. Sykehuset som skrev ut "
            "pasienten bør sammen med kommunen se på om utskrivningen var godt nok forberedt.",
            Party.hospital,
        ),
        AlertRule(
            "KB-PRIORITY-NO-MUNICIPAL-ANSWER",
            "Priority patient discharged without the municipality's answer",
            "A patient in a priority group left hospital before the municipality answered the readiness "
            "notice. The municipality should check that the patient gets the services needed at home.",
            "En pasient i en prioritert gruppe ble skrevet ut før kommunen svarte på meldingen om "
            "utskrivningsklar pasient. Kommunen bør sjekke at pasienten får tjenestene som trengs.",
            Party.municipality,
        ),
        AlertRule(
            "KB-PRIORITY-NO-DISCHARGE-REPORT",
            "Priority patient discharged without a discharge report",
            "A patient in a priority group was discharged, but no discharge report reached municipal nursing "
            "on the day of discharge. The hospital should send it now.",
            "En pasient i en prioritert gruppe ble skrevet ut uten at utskrivningsrapport kom til "
            "hjemmesykepleien samme dag. Sykehuset bør sende den nå.",
            Party.hospital,
        ),
        AlertRule(
            "KB-READINESS-REPEATED",
            "Readiness withdrawn and given again",
            "The patient was declared ready for discharge, withdrawn, and declared ready again. The hospital "
            "should check whether the patient is really ready and talk with the municipality.",
            "Pasienten ble meldt utskrivningsklar, avmeldt og meldt utskrivningsklar på nytt. Sykehuset bør "
            "vurdere om pasienten virkelig er klar, og snakke med kommunen.",
            Party.hospital,
        ),
        AlertRule(
            "KB-OVERDUE-OBLIGATION",
            "Overdue message",
            "A message that the rules require was sent late or not at all. The party that owes it should "
            "send it and check its routines.",
            "En melding som regelverket krever, kom for sent eller ikke i det hele tatt. Den som skulle sendt "
            "den, bør sende den og se på rutinene sine.",
            Party.hospital,  # per alert: the party owing the obligation
        ),
    )
}


class Alert(NamedTuple):
    rule_id: str
    stay_id: str
    party: Party
    organisation: str | None
    at: dt.datetime
    note: Note  # the alert's detail: a code and its parameters

    @property
    def detail(self) -> str:
        """The detail in English (API, CLI)."""
        return self.note.text


def _org(stay: StayProjection, party: Party) -> str | None:
    return stay.hospital if party is Party.hospital else stay.municipality


def _alert(rule_id: str, stay: StayProjection, at: dt.datetime, note: Note) -> Alert:
    party = RULES[rule_id].party
    return Alert(rule_id, stay.stay_id, party, _org(stay, party), at, note)


def stay_alerts(
    stay: StayProjection,
    obligations: list[Obligation],
    readmission: ReadmissionLink | None,
    rules: TransitionRules,
    is_priority_patient: PriorityPatientTest | None = None,
) -> list[Alert]:
    """The alerts of one stay (KB-REPEATED-TRANSITIONS is across stays: see `repeated_transition_alerts`)."""
    found: list[Alert] = []
    if readmission is not None and stay.admission is not None:
        gap = readmission.gap
        found.append(_alert("KB-READMISSION-30D", stay, stay.admission.admitted_at,
                            Note.of("ALERT-READMITTED", days=gap.days, hours=gap.seconds // 3600,
                                    stay=readmission.previous_stay_id)))
    if stay.readiness_repeats >= rules.readiness_repeats_threshold:
        found.append(_alert("KB-READINESS-REPEATED", stay, stay.episodes[-1].ready_at,
                            Note.of("ALERT-READINESS-REPEATED", count=stay.readiness_repeats)))
    if is_priority_patient is not None and stay.discharge is not None:
        found.extend(_priority_alerts(stay, obligations, is_priority_patient))
    for obligation in obligations:
        if obligation.status in (ObligationStatus.late, ObligationStatus.missing):
            found.append(Alert("KB-OVERDUE-OBLIGATION", stay.stay_id, obligation.party, obligation.organisation,
                               obligation.due_at, Note.of("ALERT-OBLIGATION", obligation=obligation.kind,
                                                          status=obligation.status, due=obligation.due_at.isoformat())))
    return found


def _priority_alerts(
    stay: StayProjection, obligations: list[Obligation], is_priority_patient: PriorityPatientTest
) -> list[Alert]:
    discharge = stay.discharge
    assert discharge is not None
    if discharge.destination in (Destination.died, Destination.other_hospital) or not is_priority_patient(stay):
        return []
    found = []
    if stay.episodes and not stay.episodes[-1].answers:
        found.append(_alert("KB-PRIORITY-NO-MUNICIPAL-ANSWER", stay, discharge.discharged_at,
                            Note.of("ALERT-UNANSWERED-AT-DISCHARGE")))
    report = [o for o in obligations if o.kind == "discharge_report"]
    if report and report[0].status in (ObligationStatus.late, ObligationStatus.missing):
        found.append(_alert("KB-PRIORITY-NO-DISCHARGE-REPORT", stay, report[0].due_at,
                            Note.of("ALERT-DISCHARGE-REPORT", status=report[0].status)))
    return found


def repeated_transition_alerts(stays: Iterable[StayProjection], rules: TransitionRules) -> dict[str, Alert]:
    """KB-REPEATED-TRANSITIONS by stay id: the patient's admissions and discharges reach the threshold
    within the window. Transfers between hospitals stay on one level, so they do not count."""
    by_patient: dict[str, list[StayProjection]] = defaultdict(list)
    for stay in stays:
        if stay.admission is not None:
            by_patient[stay.patient].append(stay)
    found: dict[str, Alert] = {}
    for patient_stays in by_patient.values():
        if 2 * len(patient_stays) < rules.repeated_transitions_threshold:
            continue
        own = _transitions(patient_stays)
        moments = sorted(moment for _, moment in own)
        for stay, moment in own:
            count = bisect.bisect_right(moments, moment) - bisect.bisect_right(
                moments, moment - rules.repeated_transitions_window
            )
            if count >= rules.repeated_transitions_threshold and stay.stay_id not in found:
                found[stay.stay_id] = _alert("KB-REPEATED-TRANSITIONS", stay, moment,
                                             Note.of("ALERT-REPEATED-TRANSITIONS", count=count,
                                                     days=rules.repeated_transitions_window.days))
    return found


def _transitions(stays: list[StayProjection]) -> list[tuple[StayProjection, dt.datetime]]:
    """Admissions and discharges of one patient, leaving out both ends of a transfer between hospitals."""
    stays.sort(key=lambda s: s.admission_order)
    moments: list[tuple[StayProjection, dt.datetime]] = []
    transferred_at: dt.datetime | None = None
    for stay in stays:
        assert stay.admission is not None
        admitted_at = stay.admission.admitted_at
        if transferred_at is None or admitted_at - transferred_at > TRANSFER_GAP:
            moments.append((stay, admitted_at))
        transferred_at = None
        discharge = stay.discharge
        if discharge is None or discharge.destination is Destination.died:
            continue
        if discharge.destination is Destination.other_hospital:
            transferred_at = discharge.discharged_at
        else:
            moments.append((stay, discharge.discharged_at))
    return moments
