"""From treatment to discharge: does the patient need municipal services, when are they ready, does the
municipality receive them, how long do they wait, where do they go, and the death of those who die in a stay.

Targets (fact sheet § 6.2 [V S85, S86, S48]): ≈ 154 000 utskrivningsklare stays of ≈ 94 000 patients (2022),
80 % of those patients without overliggerdøgn, ≈ 3.4–3.5 days per stay with overliggerdøgn, 13.1
overliggerdøgn per 1 000 inhabitants, Helse Nord ≈ 3× Sør-Øst/Vest. The wait depends on the municipality's
`capacity` (1.0 = average; drawn per municipality with a regional level, see `capacity.py`).
Overliggerdøgn are counted as the days from the readiness day up to the discharge day while the
municipality could not receive (forskrift 2011-11-18-1115 § 13 as summarised in the fact sheet § 4.1 [B on
the exact wording]); the days of a withdrawn readiness (new illness) are not counted.
"""

from __future__ import annotations

import numpy as np

from helsefellesskap.synth import diagnoses as dx
from helsefellesskap.synth.chunk import (
    DIED,
    HOME,
    HOME_WITH_SERVICES,
    MUNICIPAL_ACUTE_BED,
    NURSING_HOME,
    OTHER,
    OTHER_HOSPITAL,
    SHORT_TERM_STAY,
    SOMATIC,
    Chunk,
    Stays,
)  # fmt: skip

# Municipal needs after the stay: log-odds [B, tuned to § 6.2].
NEEDS_BASE = -3.1
NEEDS_AGE = 0.075  # per year over 60
NEEDS_HFRS = 0.12
NEEDS_HOME_CARE = 0.9
NEEDS_NURSING_HOME = 3.0
NEEDS_PSYCHIATRY = -0.6
# Destinations of patients with municipal needs: home, home with services, short-term stay, nursing home, KAD.
NEEDS_DESTINATIONS = (HOME, HOME_WITH_SERVICES, SHORT_TERM_STAY, NURSING_HOME, MUNICIPAL_ACUTE_BED)
NEEDS_SHARES = (0.12, 0.46, 0.31, 0.08, 0.03)
# Waiting: probability (log-odds) and mean length by destination; capacity enters as -log(capacity).
WAIT_BASE = -2.2  # 13.1 overliggerdøgn per 1 000 inhabitants, 80 % of utskrivningsklare without, 2022 [V S85]
WAIT_CAPACITY = 1.5
WAIT_SHIFT = {HOME: -0.5, HOME_WITH_SERVICES: 0.0, SHORT_TERM_STAY: 0.3, NURSING_HOME: 0.9, MUNICIPAL_ACUTE_BED: -1}
WAIT_MEAN = 2.4  # days, for capacity 1 (geometric, at least 1)
WAIT_LENGTH = {NURSING_HOME: 1.6, SHORT_TERM_STAY: 1.1}
WITHDRAWAL = 0.06  # share of waiting patients whose readiness is withdrawn (new illness) [B]
# Admission notice (§ 8, "within 24 hours" [B]): on time, late, or missing [B: the twin's shares].
NOTICE_SHARES = (0.86, 0.08, 0.06)
ANSWERED = 0.95  # share of readiness notices the municipality answers [B]
UTC_OFFSET_DAYS = 1 / 24  # local time taken as UTC+1 for the time of day (a simplification)


def local_day(t: np.ndarray) -> np.ndarray:
    return np.floor(t + UTC_OFFSET_DAYS)


def at_local_hour(day: np.ndarray, hour: np.ndarray) -> np.ndarray:
    return day + hour / 24 - UTC_OFFSET_DAYS


def _daytime(rng: np.random.Generator, t: np.ndarray, first: float, last: float) -> np.ndarray:
    """Move a time into the working day (local `first`–`last` o'clock): too early → later that day, too late → the
    next morning."""
    hour = (t + UTC_OFFSET_DAYS - local_day(t)) * 24
    day = local_day(t) + (hour > last)
    new_hour = np.where((hour < first) | (hour > last), rng.uniform(first, first + 3, t.size), hour)
    return at_local_hour(day, new_hour)


def _needs(chunk: Chunk, stays: Stays) -> np.ndarray:
    age = chunk.persons.age[stays.person]
    shift = np.array([g.needs for g in dx.SOMATIC_GROUPS])[np.maximum(stays.group, 0)]
    logit = (NEEDS_BASE + NEEDS_AGE * np.maximum(age - 60, 0) + NEEDS_HFRS * chunk.conditions.hfrs[stays.person]
             + np.where(stays.service == SOMATIC, shift, NEEDS_PSYCHIATRY)
             + NEEDS_HOME_CARE * chunk.baseline_home_care[stays.person]
             + NEEDS_NURSING_HOME * chunk.baseline_nursing_home[stays.person] - 4.0 * (age < 18))  # fmt: skip
    return chunk.rng.random(len(stays)) < 1 / (1 + np.exp(-logit))


def _destinations(chunk: Chunk, stays: Stays, needs: np.ndarray) -> np.ndarray:
    rng, person = chunk.rng, stays.person
    frail = (chunk.persons.age[person] >= 85) | chunk.conditions.has("F00", "F01", "F03")[person]
    shares = np.tile(np.array(NEEDS_SHARES), (len(stays), 1))
    shares[:, 3] *= np.where(frail, 2.5, 1.0)
    shares[:, 2] *= np.where(frail, 1.2, 1.0)
    shares /= shares.sum(axis=1, keepdims=True)
    pick = (shares.cumsum(axis=1) < rng.random(len(stays))[:, None]).sum(axis=1)
    needs_destination = np.array(NEEDS_DESTINATIONS)[np.minimum(pick, 4)]
    needs_destination = np.where(chunk.baseline_nursing_home[person], NURSING_HOME, needs_destination)
    u = rng.random(len(stays))
    plain = np.select([u < 0.03, u < 0.04], [OTHER_HOSPITAL, OTHER], HOME)
    return np.where(needs, needs_destination, plain).astype(np.int8)


def _wait_days(chunk: Chunk, destination: np.ndarray) -> np.ndarray:
    """Days the patient waits after the readiness day (0 = received the same or the next day)."""
    rng, pressure = chunk.rng, -np.log(chunk.capacity)
    shift = np.array([WAIT_SHIFT.get(int(d), 0.0) for d in range(8)])[destination]
    waits = rng.random(destination.size) < 1 / (1 + np.exp(-(WAIT_BASE + WAIT_CAPACITY * pressure + shift)))
    mean = WAIT_MEAN * np.exp(0.5 * pressure) * np.array([WAIT_LENGTH.get(int(d), 1.0) for d in range(8)])[destination]
    return np.where(waits, rng.geometric(1 / np.maximum(mean, 1.0)), 0)


def settle(chunk: Chunk, stays: Stays) -> Stays:
    """Fill readiness, waits, withdrawal, discharge, destination and overliggerdøgn of new stays."""
    rng, n = chunk.rng, len(stays)
    if n == 0:
        return stays
    needs = _needs(chunk, stays)
    destination = _destinations(chunk, stays, needs)
    end_of_treatment = stays.admitted + stays.treatment
    ready = _daytime(rng, end_of_treatment, 8.0, 15.0)
    wait = np.where(needs, _wait_days(chunk, destination), 0)
    withdraws = needs & (wait >= 2) & (rng.random(n) < WITHDRAWAL)
    withdrawn = np.where(withdraws, ready + rng.uniform(0.8, np.maximum(wait, 1.0)), np.nan)
    ready_again = np.where(withdraws, _daytime(rng, withdrawn + rng.gamma(2.0, 1.5, n), 8.0, 15.0), np.nan)
    wait_again = np.where(withdraws & (rng.random(n) < 0.5), rng.geometric(0.5, n), 0)
    last_ready = np.where(withdraws, ready_again, ready)
    last_wait = np.where(withdraws, wait_again, wait)
    same_day = local_day(last_ready) + (last_ready + UTC_OFFSET_DAYS - local_day(last_ready) > 13 / 24)
    discharge_day = np.where(last_wait > 0, local_day(last_ready) + last_wait, same_day)
    discharge_day = np.maximum(discharge_day, local_day(stays.admitted) + 1)  # a døgnopphold spans a night
    discharged = np.maximum(at_local_hour(discharge_day, rng.uniform(10, 15, n)), last_ready + 1 / 24)
    stays.needs, stays.destination = needs, destination
    stays.ready = np.where(needs, ready, np.nan)
    stays.withdrawn, stays.ready_again, stays.discharged = withdrawn, ready_again, discharged
    stays.refused, stays.refused_again = wait > 0, withdraws & (wait_again > 0)
    stays.answered = needs & (rng.random(n) < ANSWERED)
    notice = rng.choice(3, size=n, p=NOTICE_SHARES)
    stays.notice_delay = np.where(needs, np.choose(notice, [rng.uniform(0.3, 20, n), rng.uniform(25, 72, n),
                                                            np.full(n, np.nan)]), np.nan)  # fmt: skip
    _end_at_death(chunk, stays)
    stays.delayed_days = delayed_days(stays)
    return stays


def _end_at_death(chunk: Chunk, stays: Stays) -> None:
    death = chunk.death[stays.person]
    dies = (stays.admitted < death) & (death <= stays.discharged)
    stays.discharged = np.where(dies, death, stays.discharged)
    stays.destination = np.where(dies, DIED, stays.destination).astype(np.int8)
    for name in ("ready", "withdrawn", "ready_again"):
        value = getattr(stays, name)
        setattr(stays, name, np.where(dies & (value >= death), np.nan, value))


def delayed_days(stays: Stays) -> np.ndarray:
    """Overliggerdøgn: days from the readiness day to the discharge day while the municipality could not receive,
    leaving out the days between a withdrawal and the renewed readiness."""
    first_end = np.where(np.isfinite(stays.withdrawn), stays.withdrawn, stays.discharged)
    first = np.where(stays.refused & np.isfinite(stays.ready), local_day(first_end) - local_day(stays.ready), 0)
    again = np.where(stays.refused_again & np.isfinite(stays.ready_again),
                     local_day(stays.discharged) - local_day(stays.ready_again), 0)  # fmt: skip
    return np.maximum(np.nan_to_num(first), 0).astype(np.int32) + np.maximum(np.nan_to_num(again), 0).astype(np.int32)
