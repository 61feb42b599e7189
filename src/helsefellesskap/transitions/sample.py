"""Synthetic message feeds: a stay builder for worked examples and tests, and a random generator of
realistic stay sequences for the replay benchmark. Synthetic national ids only (Tenor style: month + 80).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from stdnum.no import fodselsnummer

Json = dict[str, Any]
CRITERIA_MET: Json = {
    "admission_problems_clarified": True,
    "other_problems_clarified": True,
    "diagnosis_and_follow_up_plan": True,
    "functional_level_assessed": True,
}


def synthetic_national_id(n: int) -> str:
    """A valid synthetic (Tenor, month + 80) national id, deterministic in n; distinct n give distinct ids
    except for the rare n whose check digits force a neighbouring birth date."""
    birth = dt.date(1930, 1, 1) + dt.timedelta(days=n % 25_000)
    individual = (n // 25_000) % 180
    while True:
        for candidate in range(individual, 500, 180):
            base = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{candidate:03d}"
            k1 = fodselsnummer.calc_check_digit1(base)
            k2 = fodselsnummer.calc_check_digit2(base + k1)
            if len(k1) == 1 and len(k2) == 1:
                return base + k1 + k2
        birth += dt.timedelta(days=1)


class StayBuilder:
    """Messages of one stay, as JSON objects, with consistent ids, parties and times."""

    def __init__(
        self,
        stay_id: str,
        patient: str,
        *,
        hospital: str = "80000001",
        municipality: str = "3403",
        municipality_address: str = "90003403",
        gp: str = "70000001",
    ) -> None:
        self.stay_id, self.patient = stay_id, patient
        self.hospital, self.municipality, self.municipality_address, self.gp = (
            hospital, municipality, municipality_address, gp
        )
        self.messages: list[Json] = []

    def _add(self, kind: str, sent_at: dt.datetime, sender: str, recipient: str, **fields: Any) -> Json:
        message: Json = {
            "id": f"{self.stay_id}-{len(self.messages) + 1}",
            "type": kind,
            "sent_at": sent_at.isoformat(),
            "stay_id": self.stay_id,
            "patient": self.patient,
            "sender": sender,
            "recipient": recipient,
        }
        message.update({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()})
        self.messages.append(message)
        return message

    def _from_hospital(self, kind: str, sent_at: dt.datetime, **fields: Any) -> Json:
        return self._add(kind, sent_at, self.hospital, self.municipality_address, **fields)

    def admission(self, at: dt.datetime, *, service: str = "somatic", acute: bool = True,
                  diagnoses: tuple[str, ...] = ("J44.1",)) -> Json:
        return self._from_hospital("admission", at, admitted_at=at, service=service, acute=acute,
                                   municipality=self.municipality, diagnoses=list(diagnoses))

    def admission_notice(self, at: dt.datetime, expected_discharge: dt.date | None = None) -> Json:
        return self._from_hospital("admission_notice", at, expected_discharge=expected_discharge,
                                   expected_needs="home nursing")

    def health_information(self, at: dt.datetime) -> Json:
        return self._from_hospital("health_information", at, text="status and needs")

    def ready(self, ready_at: dt.datetime, sent_at: dt.datetime | None = None, *,
              criteria: Json | None = None, **extra: Any) -> Json:
        return self._from_hospital("ready_for_discharge", sent_at or ready_at, ready_at=ready_at,
                                   criteria=criteria or dict(CRITERIA_MET), **extra)

    def withdrawn(self, at: dt.datetime, reason: str = "new infection") -> Json:
        return self._from_hospital("ready_for_discharge_withdrawn", at, withdrawn_at=at, reason=reason)

    def response(self, at: dt.datetime, *, can_receive: bool, receive_from: dt.datetime | None = None) -> Json:
        return self._add("municipal_response", at, self.municipality_address, self.hospital,
                         can_receive=can_receive, receive_from=receive_from)

    def discharge(self, at: dt.datetime, destination: str = "home_with_services") -> Json:
        return self._from_hospital("discharge", at, discharged_at=at, destination=destination, diagnoses=["J44.1"])

    def discharge_report(self, at: dt.datetime) -> Json:
        return self._from_hospital("discharge_report", at, text="nursing needs")

    def discharge_summary(self, at: dt.datetime) -> Json:
        return self._add("discharge_summary", at, self.hospital, self.gp, text="epikrise", gp=self.gp)


def random_stays(count: int, *, seed: int = 1, year: int = 2024) -> Iterator[Json]:
    """Messages of `count` stays over one year, each stay's messages together (shuffle for disorder).

    Rough national shape (fact sheet § 6.2): most stays need municipal services and become ready;
    about one in five waits as a delayed discharge, a few are withdrawn and given again."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    for n in range(count):
        builder = StayBuilder(f"S{n:08d}", synthetic_national_id(rng.randrange(count // 2 + 1)),
                              municipality=f"{rng.randrange(300, 5700):04d}")
        admitted = start + dt.timedelta(minutes=rng.randrange(525_000))
        _one_stay(builder, rng, admitted)
        yield from builder.messages


def _one_stay(builder: StayBuilder, rng: random.Random, admitted: dt.datetime) -> None:
    hour = dt.timedelta(hours=1)
    service = rng.choices(("somatic", "mental_health", "substance_abuse"), (90, 7, 3))[0]
    builder.admission(admitted, service=service, acute=rng.random() < 0.8)
    builder.admission_notice(admitted + hour * rng.randrange(1, 30))
    builder.health_information(admitted + hour * rng.randrange(2, 20))
    ready_at = admitted + hour * rng.randrange(30, 120)
    extra: Json = {"planning_meeting_called": True, "own_follow_up_clarified": True} if service != "somatic" else {}
    builder.ready(ready_at, **extra)
    if rng.random() < 0.05:
        ready_at += hour * rng.randrange(2, 48)
        builder.withdrawn(ready_at)
        ready_at += hour * rng.randrange(24, 72)
        builder.ready(ready_at, **extra)
    waits = rng.random() < 0.2
    answered = ready_at + hour * rng.randrange(1, 30)  # sometimes after the local 24-hour deadline
    builder.response(answered, can_receive=not waits)
    discharged = answered + hour * (rng.randrange(48, 240) if waits else rng.randrange(1, 12))
    builder.discharge(discharged, rng.choice(("home_with_services", "short_term_stay", "nursing_home", "home")))
    builder.discharge_report(discharged + hour * rng.randrange(0, 10))
    builder.discharge_summary(discharged + hour * rng.randrange(1, 200))
