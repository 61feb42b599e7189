"""A hospital stay's pathway as an explicit state machine, folded from the stay's messages.

`fold_stay` sorts the messages by `fold_key` (event time, sent_at, id), so the result does not depend on
arrival order. A message that contradicts the pathway is kept with an `ok_with_errors` receipt and does not
change the state; one that breaks a rule on its own (§ 9 criteria, another patient) is rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from helsefellesskap.transitions import receipts as rc
from helsefellesskap.transitions.messages import (
    Admission,
    Destination,
    Discharge,
    Message,
    MunicipalResponse,
    ReadyForDischarge,
    ReadyForDischargeWithdrawn,
    Service,
    event_time,
    fold_key,
)
from helsefellesskap.transitions.receipts import ErrorCode, Receipt


class StayState(StrEnum):
    not_admitted = "not_admitted"  # messages, but no admission (yet) in the log
    admitted = "admitted"
    ready_for_discharge = "ready_for_discharge"  # readiness notice given, municipality has not answered
    municipality_cannot_receive = "municipality_cannot_receive"
    municipality_can_receive = "municipality_can_receive"
    discharged = "discharged"
    transferred = "transferred"  # discharged to another hospital
    died = "died"


ENDED = frozenset({StayState.discharged, StayState.transferred, StayState.died})
READY = frozenset(
    {StayState.ready_for_discharge, StayState.municipality_cannot_receive, StayState.municipality_can_receive}
)


class MunicipalAnswer(NamedTuple):
    message_id: str
    sent_at: dt.datetime
    can_receive: bool
    receive_from: dt.datetime | None

    @property
    def can_receive_from(self) -> dt.datetime | None:
        """When the municipality can receive: never earlier than it said so (no retroactive answers)."""
        if not self.can_receive:
            return None
        if self.receive_from is None or self.receive_from < self.sent_at:
            return self.sent_at
        return self.receive_from


@dataclass(slots=True)
class ReadinessEpisode:
    """One readiness notice and what followed it, until withdrawal or discharge."""

    message_id: str
    ready_at: dt.datetime
    notified_at: dt.datetime
    planning_meeting_called: bool | None
    own_follow_up_clarified: bool | None
    answers: list[MunicipalAnswer] = field(default_factory=list)
    ended_at: dt.datetime | None = None
    withdrawn: bool = False


@dataclass(slots=True)
class StayProjection:
    stay_id: str
    patient: str
    state: StayState = StayState.not_admitted
    admission: Admission | None = None
    admission_notices: list[dt.datetime] = field(default_factory=list)
    health_information: list[dt.datetime] = field(default_factory=list)
    episodes: list[ReadinessEpisode] = field(default_factory=list)
    discharge: Discharge | None = None
    discharge_reports: list[dt.datetime] = field(default_factory=list)
    discharge_summaries: list[dt.datetime] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def municipality(self) -> str | None:
        return self.admission.municipality if self.admission else None

    @property
    def service(self) -> Service | None:
        return self.admission.service if self.admission else None

    @property
    def hospital(self) -> str | None:
        """The hospital's address: the sender of the admission."""
        return self.admission.sender if self.admission else None

    @property
    def admission_order(self) -> tuple[dt.datetime, str]:
        """Sort key of a patient's admitted stays: admission time, then stay id."""
        if self.admission is None:
            raise ValueError(f"stay {self.stay_id} has no admission")
        return (self.admission.admitted_at, self.stay_id)

    @property
    def current_episode(self) -> ReadinessEpisode | None:
        if self.state in READY and self.episodes:
            return self.episodes[-1]
        return None

    @property
    def readiness_repeats(self) -> int:
        """How often readiness was given again after a withdrawal."""
        return sum(1 for before in self.episodes[:-1] if before.withdrawn)


Outcome = Receipt | None  # None: applied, an `ok` receipt is made by the fold


def _admission(stay: StayProjection, m: Message) -> Outcome:
    assert isinstance(m, Admission)
    if stay.admission is not None:
        return rc.flagged(m, ErrorCode.admission_repeated, f"the stay was already admitted ({stay.admission.id})",
                          earlier=stay.admission.id)
    stay.admission = m
    if stay.state is StayState.not_admitted:
        stay.state = StayState.admitted
    return None


def _admission_notice(stay: StayProjection, m: Message) -> Outcome:
    stay.admission_notices.append(m.sent_at)
    return None


def _health_information(stay: StayProjection, m: Message) -> Outcome:
    stay.health_information.append(m.sent_at)
    return None


def _ready(stay: StayProjection, m: Message) -> Outcome:
    assert isinstance(m, ReadyForDischarge)
    if stay.state in READY:
        return rc.flagged(m, ErrorCode.already_ready, "a readiness notice is standing; withdraw it first")
    stay.episodes.append(
        ReadinessEpisode(m.id, m.ready_at, m.sent_at, m.planning_meeting_called, m.own_follow_up_clarified)
    )
    stay.state = StayState.ready_for_discharge
    return None


def _withdrawn(stay: StayProjection, m: Message) -> Outcome:
    assert isinstance(m, ReadyForDischargeWithdrawn)
    episode = stay.current_episode
    if episode is None:
        return rc.flagged(m, ErrorCode.not_ready, "no standing readiness notice to withdraw")
    episode.ended_at, episode.withdrawn = m.withdrawn_at, True
    stay.state = StayState.admitted
    return None


def _response(stay: StayProjection, m: Message) -> Outcome:
    assert isinstance(m, MunicipalResponse)
    episode = stay.current_episode
    if episode is None:
        return rc.flagged(m, ErrorCode.no_readiness_notice, "no standing readiness notice to answer")
    episode.answers.append(MunicipalAnswer(m.id, m.sent_at, m.can_receive, m.receive_from))
    stay.state = StayState.municipality_can_receive if m.can_receive else StayState.municipality_cannot_receive
    return None


def _discharge(stay: StayProjection, m: Message) -> Outcome:
    assert isinstance(m, Discharge)
    episode = stay.current_episode
    if episode is not None:
        episode.ended_at = m.discharged_at
    stay.discharge = m
    if m.destination is Destination.died:
        stay.state = StayState.died
    elif m.destination is Destination.other_hospital:
        stay.state = StayState.transferred
    else:
        stay.state = StayState.discharged
    return None


def _discharge_report(stay: StayProjection, m: Message) -> Outcome:
    stay.discharge_reports.append(m.sent_at)
    return None


def _discharge_summary(stay: StayProjection, m: Message) -> Outcome:
    stay.discharge_summaries.append(m.sent_at)
    return None


_HANDLERS: dict[str, Callable[[StayProjection, Message], Outcome]] = {
    "admission": _admission,
    "admission_notice": _admission_notice,
    "health_information": _health_information,
    "ready_for_discharge": _ready,
    "ready_for_discharge_withdrawn": _withdrawn,
    "municipal_response": _response,
    "discharge": _discharge,
    "discharge_report": _discharge_report,
    "discharge_summary": _discharge_summary,
}
# Messages that may follow the end of the stay: the reports about it.
_AFTER_END = frozenset({"discharge_report", "discharge_summary"})


def _before_admission(stay: StayProjection, m: Message, first_admitted_at: dt.datetime | None) -> bool:
    if first_admitted_at is None or stay.admission is not None or m.type == "admission":
        return False
    return event_time(m) < first_admitted_at


def fold_stay(stay_id: str, messages: Iterable[Message]) -> StayProjection:
    """Fold one stay's (deduplicated) messages into its projection, with one receipt per message."""
    ordered = sorted(messages, key=fold_key)
    admissions = [m for m in ordered if isinstance(m, Admission)]
    patient = admissions[0].patient if admissions else (ordered[0].patient if ordered else "")
    first_admitted_at = admissions[0].admitted_at if admissions else None
    stay = StayProjection(stay_id, patient)
    for m in ordered:
        stay.receipts.append(_apply(stay, m, patient, first_admitted_at))
    return stay


def _apply(stay: StayProjection, m: Message, patient: str, first_admitted_at: dt.datetime | None) -> Receipt:
    rule_errors = rc.rule_errors(m)
    if rule_errors:
        return rc.rejected_message(m, *rule_errors)
    if m.patient != patient:
        mismatch = rc.ReceiptError(ErrorCode.patient_mismatch, "the message names another patient than the stay")
        return rc.rejected_message(m, mismatch)
    if stay.state in ENDED and m.type not in _AFTER_END:
        assert stay.discharge is not None
        code = ErrorCode.already_discharged if m.type == "discharge" else ErrorCode.after_discharge
        return rc.flagged(m, code, f"the stay already ended ({stay.discharge.id})", earlier=stay.discharge.id)
    if _before_admission(stay, m, first_admitted_at):
        return rc.flagged(m, ErrorCode.before_admission, "this event lies before the stay's admission")
    outcome = _HANDLERS[m.type](stay, m)
    return outcome if outcome is not None else rc.ok(m)
