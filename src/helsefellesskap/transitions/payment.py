"""The municipal payment (betalingsplikt) for delayed-discharge days, forskrift 2011-11-18-1115 § 13.

Counting (NPR's overliggerdøgn convention [B]): calendar days in Europe/Oslo from and including the day the
patient is declared ready, up to but not including the day the patient leaves (discharge date minus
readiness date). A day is payable when, on that day:
- the §§ 8-10 conditions hold for the readiness (admission notice given in time, § 9 criteria documented,
  readiness notice the same day);
- for mental health care and TSB: the day is in 2019 or later, and the 2019 extra conditions hold (planning
  meeting called, the hospital's own follow-up clarified) [B];
- the municipality's standing answer is "cannot receive", or it has not answered; a "can receive from T"
  answer stops payment from T's date on, even if the hospital keeps the patient.
A withdrawal (new illness) stops payment from its day; the days before stay payable (§ 13). Each day is
priced at the rate of its own year; a year without a known rate leaves the day unpriced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from helsefellesskap.transitions.calendar import dates_between, oslo_date
from helsefellesskap.transitions.messages import Service
from helsefellesskap.transitions.notes import Note
from helsefellesskap.transitions.pathway import MunicipalAnswer, ReadinessEpisode, StayProjection
from helsefellesskap.transitions.rates import DailyRates
from helsefellesskap.transitions.rules import TransitionRules

SCHEME_START = dt.date(2012, 1, 1)  # forskrift in force 1 Jan 2012 (fact sheet § 4.1)
MENTAL_HEALTH_AND_TSB_START = dt.date(2019, 1, 1)  # 2019 change: PHV and TSB included [V S8]


class PayableDay(NamedTuple):
    date: dt.date
    ore: int | None  # None: the year has no known rate


@dataclass(frozen=True, slots=True)
class StayPayment:
    municipality: str | None
    days: tuple[PayableDay, ...]
    notes: tuple[Note, ...]  # why days are not payable or not priced (codes; `.text` in English)

    @property
    def payable_days(self) -> int:
        return len(self.days)

    @property
    def amount_ore(self) -> int:
        return sum(day.ore for day in self.days if day.ore is not None)

    @property
    def amount_nok(self) -> Decimal:
        return Decimal(self.amount_ore) / 100

    @property
    def unpriced_days(self) -> tuple[dt.date, ...]:
        return tuple(day.date for day in self.days if day.ore is None)


def stay_payment(
    stay: StayProjection, rules: TransitionRules, rates: DailyRates, as_of: dt.datetime | None = None
) -> StayPayment:
    """The payable days of a stay; an episode still open counts up to `as_of` (none without it)."""
    if stay.admission is None:
        if not stay.episodes:
            return StayPayment(None, (), ())
        return StayPayment(None, (), (Note.of("PAY-NO-ADMISSION"),))
    notes: list[Note] = []
    payable: set[dt.date] = set()
    admission_notice_ok = _admission_notice_condition(stay, rules, notes)
    for episode in stay.episodes:
        if admission_notice_ok and _episode_conditions(stay, episode, notes):
            payable.update(_episode_days(stay, episode, as_of, notes))
    days: list[PayableDay] = []
    for date in sorted(payable):
        ore = rates.ore_per_day(date.year)
        if ore is None and (note := Note.of("PAY-UNPRICED-YEAR", year=date.year)) not in notes:
            notes.append(note)
        days.append(PayableDay(date, ore))
    return StayPayment(stay.municipality, tuple(days), tuple(notes))


def _admission_notice_condition(stay: StayProjection, rules: TransitionRules, notes: list[Note]) -> bool:
    if not stay.episodes:
        return False
    assert stay.admission is not None
    if not stay.admission_notices:
        notes.append(Note.of("PAY-NO-ADMISSION-NOTICE"))
        return False
    first = min(stay.admission_notices)
    deadline = stay.admission.admitted_at + rules.admission_notice_deadline
    if rules.late_admission_notice_blocks_payment and first > deadline:
        notes.append(Note.of("PAY-LATE-ADMISSION-NOTICE"))  # § 8 [B]
        return False
    return True


def _episode_conditions(stay: StayProjection, episode: ReadinessEpisode, notes: list[Note]) -> bool:
    ready_day = oslo_date(episode.ready_at)
    if oslo_date(episode.notified_at) != ready_day:
        notes.append(Note.of("PAY-READINESS-NOT-NOTIFIED-SAME-DAY", date=ready_day.isoformat()))  # § 10
        return False
    if stay.service in (Service.mental_health, Service.substance_abuse) and not (
        episode.planning_meeting_called and episode.own_follow_up_clarified
    ):
        notes.append(Note.of("PAY-2019-CONDITIONS", service=stay.service, date=ready_day.isoformat()))  # [B]
        return False
    return True


def _episode_days(
    stay: StayProjection, episode: ReadinessEpisode, as_of: dt.datetime | None, notes: list[Note]
) -> list[dt.date]:
    end = episode.ended_at or as_of
    if end is None:
        notes.append(Note.of("PAY-STILL-WAITING"))
        return []
    first, last = oslo_date(episode.ready_at), oslo_date(end)
    days = [day for day in dates_between(first, last) if _municipality_owes(day, episode.answers)]
    scheme_start = SCHEME_START
    if stay.service in (Service.mental_health, Service.substance_abuse):
        scheme_start = MENTAL_HEALTH_AND_TSB_START
    if days and days[0] < scheme_start:
        notes.append(Note.of("PAY-BEFORE-SCHEME", date=scheme_start.isoformat(), service=stay.service))
        days = [day for day in days if day >= scheme_start]
    return days


def _municipality_owes(day: dt.date, answers: list[MunicipalAnswer]) -> bool:
    """§ 13: payable unless the municipality's standing answer on `day` is that it can receive by then."""
    standing: MunicipalAnswer | None = None
    for answer in answers:  # in fold order, i.e. by sent_at
        if oslo_date(answer.sent_at) <= day:
            standing = answer
    if standing is None:
        return True  # not answered
    can_from = standing.can_receive_from
    return can_from is None or day < oslo_date(can_from)
