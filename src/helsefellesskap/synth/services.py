"""Municipal services: home care, short-term stay, nursing home, municipal acute bed (KAD).

Three origins: services already running at the start (by age and frailty: about a quarter of the 80+ with
home care and about one in ten in a nursing home [B: order of magnitude of KOSTRA/IPLOS figures, not
verified]); services that follow a hospital discharge (the destination of the stay); and KAD admissions by a
GP or the out-of-hours service [B: rate]. A service ends at death.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsefellesskap.synth.chunk import (
    HOME_WITH_SERVICES,
    MUNICIPAL_ACUTE_BED,
    NURSING_HOME,
    SHORT_TERM_STAY,
    Chunk,
    Stays,
)  # fmt: skip
from helsefellesskap.synth.waits import local_day

KINDS = ("home_care", "short_term_stay", "nursing_home", "municipal_acute_bed")
HOME_CARE, SHORT_TERM, LONG_TERM, ACUTE_BED = range(4)
ORIGINS = ("baseline", "discharge", "gp_referral")
HOME_CARE_MEAN_DAYS = 150.0  # [B]
SHORT_TERM_MEAN_DAYS = 18.0  # [B]
GP_REFERRED_ACUTE_BED = 0.015  # per person-year, ages 67+ [B]


def draw_baseline(rng: np.random.Generator, age: np.ndarray, hfrs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(home care, nursing home) at the start, exclusive."""
    over = np.maximum(age - 50, 0)
    nursing = rng.random(age.size) < 1 / (1 + np.exp(-(-7.5 + 0.1 * over + 0.25 * hfrs)))
    home = ~nursing & (rng.random(age.size) < 1 / (1 + np.exp(-(-4.6 + 0.09 * over + 0.15 * hfrs))))
    return home, nursing


@dataclass
class Services:
    person: np.ndarray
    kind: np.ndarray
    start: np.ndarray  # float days from the start (may be negative: began before)
    end: np.ndarray  # float days; nan = ongoing
    origin: np.ndarray
    stay: np.ndarray  # index into the chunk's stays, -1


def _rows(person: np.ndarray, kind: int, start: np.ndarray, end: np.ndarray, origin: int,
          stay: np.ndarray | None = None) -> Services:  # fmt: skip
    n = person.size
    return Services(person, np.full(n, kind, np.int8), start, end, np.full(n, origin, np.int8),
                    np.full(n, -1, np.int64) if stay is None else stay)  # fmt: skip


def _duration(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    return np.maximum(rng.gamma(1.2, mean / 1.2, n), 1.0)


def _baseline_rows(chunk: Chunk) -> list[Services]:
    rng, days = chunk.rng, chunk.days
    home = np.flatnonzero(chunk.baseline_home_care)
    began = -rng.uniform(1, 3 * 365, home.size)
    ends = np.where(rng.random(home.size) < 0.3, rng.uniform(1, days, home.size), np.nan)
    nursing = np.flatnonzero(chunk.baseline_nursing_home)
    return [
        _rows(home, HOME_CARE, began, ends, 0),
        _rows(nursing, LONG_TERM, -rng.uniform(1, 3 * 365, nursing.size), np.full(nursing.size, np.nan), 0),
    ]


def _after_discharge(chunk: Chunk, stays: Stays) -> list[Services]:
    rng, out = chunk.rng, []
    index = np.arange(len(stays))
    at = local_day(stays.discharged)  # services start on the day of discharge

    def pick(destination: int, skip: np.ndarray | None = None) -> np.ndarray:
        chosen = index[stays.destination == destination]
        return chosen if skip is None else chosen[~skip[stays.person[chosen]]]

    home = pick(HOME_WITH_SERVICES, chunk.baseline_home_care)
    out.append(_rows(stays.person[home], HOME_CARE, at[home], at[home] + _duration(rng, HOME_CARE_MEAN_DAYS,
                                                                                    home.size), 1, home))  # fmt: skip
    short = pick(SHORT_TERM_STAY)
    short_end = at[short] + _duration(rng, SHORT_TERM_MEAN_DAYS, short.size)
    out.append(_rows(stays.person[short], SHORT_TERM, at[short], short_end, 1, short))
    then = rng.random(short.size)
    to_home = short[(then < 0.55) & ~chunk.baseline_home_care[stays.person[short]]]
    ends_home = short_end[(then < 0.55) & ~chunk.baseline_home_care[stays.person[short]]]
    out.append(_rows(stays.person[to_home], HOME_CARE, ends_home,
                     ends_home + _duration(rng, HOME_CARE_MEAN_DAYS, to_home.size), 1, to_home))  # fmt: skip
    to_nursing = short[(then >= 0.55) & (then < 0.8)]
    out.append(_rows(stays.person[to_nursing], LONG_TERM, short_end[(then >= 0.55) & (then < 0.8)],
                     np.full(to_nursing.size, np.nan), 1, to_nursing))  # fmt: skip
    nursing = pick(NURSING_HOME, chunk.baseline_nursing_home)
    out.append(_rows(stays.person[nursing], LONG_TERM, at[nursing], np.full(nursing.size, np.nan), 1, nursing))
    bed = pick(MUNICIPAL_ACUTE_BED)
    out.append(_rows(stays.person[bed], ACUTE_BED, at[bed], at[bed] + rng.integers(1, 5, bed.size), 1, bed))
    return out


def _gp_referred(chunk: Chunk) -> Services:
    rng = chunk.rng
    exposure = np.minimum(chunk.death, chunk.days) / 365.25
    count = rng.poisson(np.where(chunk.persons.age >= 67, GP_REFERRED_ACUTE_BED, 0.0) * exposure)
    person = np.repeat(np.arange(count.size), count)
    start = np.floor(rng.random(person.size) * np.minimum(chunk.death, chunk.days)[person])
    return _rows(person, ACUTE_BED, start, start + rng.integers(1, 4, person.size), 2)


def generate_services(chunk: Chunk, stays: Stays) -> Services:
    parts = [*_baseline_rows(chunk), *_after_discharge(chunk, stays), _gp_referred(chunk)]
    merged = Services(*(np.concatenate([getattr(p, f) for p in parts]) for f in Services.__dataclass_fields__))
    death = chunk.death[merged.person]
    alive_at_start = merged.start < np.minimum(death, chunk.days)
    merged = Services(*(getattr(merged, f)[alive_at_start] for f in Services.__dataclass_fields__))
    limit = np.minimum(chunk.death[merged.person], chunk.days)
    end = np.where(np.isnan(merged.end), np.where(np.isfinite(limit) & (limit < chunk.days), limit, np.nan),
                   np.minimum(merged.end, limit))  # fmt: skip
    merged.end = np.where(end >= chunk.days, np.nan, end)
    return merged
