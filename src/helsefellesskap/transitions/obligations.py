"""Obligations with deadlines, each with its legal source; each is due, met, late or missing.

An obligation is `met` when fulfilled by its deadline, `late` when fulfilled after it, `missing` when not
fulfilled and its deadline has passed (at `as_of`; with `as_of=None` the pathway is read as final, so
every unfulfilled obligation is missing), and `due` while its deadline lies ahead.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple

from helsefellesskap.transitions.calendar import end_of_oslo_day
from helsefellesskap.transitions.messages import Destination
from helsefellesskap.transitions.pathway import ReadinessEpisode, StayProjection
from helsefellesskap.transitions.rules import TransitionRules


class ObligationKind(StrEnum):
    admission_notice = "admission_notice"
    readiness_notice = "readiness_notice"
    municipal_response = "municipal_response"
    discharge_report = "discharge_report"
    discharge_summary = "discharge_summary"


class ObligationStatus(StrEnum):
    due = "due"
    met = "met"
    late = "late"
    missing = "missing"


class Party(StrEnum):
    hospital = "hospital"
    municipality = "municipality"


SOURCES: dict[ObligationKind, str] = {
    ObligationKind.admission_notice: "forskrift 2011-11-18-1115 § 8: within 24 hours of admission [B]",
    ObligationKind.readiness_notice: "forskrift 2011-11-18-1115 § 10: the same day as readiness [B]",
    ObligationKind.municipal_response: (
        "forskrift 2011-11-18-1115 §§ 11-12 [B]; deadline set locally in the cooperation agreement "
        "(helse- og omsorgstjenesteloven § 6-2 nr. 5)"
    ),
    ObligationKind.discharge_report: "utskrivningsrapport, HIS 1148:2014: on the day of discharge (recommended)",
    ObligationKind.discharge_summary: "epikrise to the GP: within the configured days of discharge [B]",
}

# Destinations where municipal nursing takes over, so the discharge report is owed (HIS 1148:2014).
MUNICIPAL_CARE = frozenset(
    {
        Destination.home_with_services,
        Destination.short_term_stay,
        Destination.nursing_home,
        Destination.municipal_acute_bed,
    }
)


class Obligation(NamedTuple):
    kind: ObligationKind
    party: Party
    organisation: str | None  # the hospital's address, or the municipality's number
    due_at: dt.datetime
    met_at: dt.datetime | None
    status: ObligationStatus

    @property
    def source(self) -> str:
        return SOURCES[self.kind]


def obligation_status(due_at: dt.datetime, met_at: dt.datetime | None, as_of: dt.datetime | None) -> ObligationStatus:
    if met_at is not None and (as_of is None or met_at <= as_of):
        return ObligationStatus.met if met_at <= due_at else ObligationStatus.late
    if as_of is None or as_of >= due_at:
        return ObligationStatus.missing
    return ObligationStatus.due


def _first(times: list[dt.datetime]) -> dt.datetime | None:
    return min(times) if times else None


def obligations(stay: StayProjection, rules: TransitionRules, as_of: dt.datetime | None = None) -> list[Obligation]:
    """Every obligation of the stay, in the order of the pathway."""

    def make(kind: ObligationKind, party: Party, org: str | None, due: dt.datetime, met: dt.datetime | None) -> None:
        found.append(Obligation(kind, party, org, due, met, obligation_status(due, met, as_of)))

    found: list[Obligation] = []
    hospital, municipality = stay.hospital, stay.municipality
    # § 8 applies when municipal services are presumed needed: shown by a notice or a readiness notice.
    if stay.admission is not None and (stay.admission_notices or stay.episodes):
        due = stay.admission.admitted_at + rules.admission_notice_deadline
        make(ObligationKind.admission_notice, Party.hospital, hospital, due, _first(stay.admission_notices))
    for episode in stay.episodes:
        make(ObligationKind.readiness_notice, Party.hospital, hospital, end_of_oslo_day(episode.ready_at),
             episode.notified_at)
        answer = _municipal_answer(episode, rules, municipality)
        if answer is not None:
            make(ObligationKind.municipal_response, Party.municipality, municipality, *answer)
    discharge = stay.discharge
    if discharge is not None:
        if discharge.destination in MUNICIPAL_CARE or (
            stay.episodes and discharge.destination not in (Destination.died, Destination.other_hospital)
        ):
            make(ObligationKind.discharge_report, Party.hospital, hospital,
                 end_of_oslo_day(discharge.discharged_at), _first(stay.discharge_reports))
        if discharge.destination is not Destination.died:
            make(ObligationKind.discharge_summary, Party.hospital, hospital,
                 discharge.discharged_at + rules.discharge_summary_deadline, _first(stay.discharge_summaries))
    return found


def _municipal_answer(
    episode: ReadinessEpisode, rules: TransitionRules, municipality: str | None
) -> tuple[dt.datetime, dt.datetime | None] | None:
    """Due and met time of the municipality's answer; None when the episode ended unanswered before the
    deadline (the question lapsed: the patient left or was no longer ready)."""
    due = episode.notified_at + rules.municipal_answer_deadline_for(municipality)
    met = _first([answer.sent_at for answer in episode.answers])
    if met is None and episode.ended_at is not None and episode.ended_at < due:
        return None
    return due, met
