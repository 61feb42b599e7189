"""Deaths: who dies in the simulated period, and when.

Annual probability of death by age follows a Gompertz curve through q(60) ≈ 0.0045 and q(90) ≈ 0.12
(before the frailty factor, which lifts the mean), with men at 1.25× and women at 0.8× [B: rounded from SSB
life tables (table 05381) from memory, not verified]; it gives about 43 000 deaths a year for Norway's
age structure (SSB: 43 000–45 000 deaths a year in 2019–2023 [B]).
Frailty raises the risk (log-hazard + 0.08 per HFRS point) [B].
"""

from __future__ import annotations

import numpy as np

INFANT_MORTALITY = 0.002  # per year in the first year of life [B: SSB, ~2 per 1 000 live births]
HFRS_HAZARD = 0.08
SEX_FACTOR = (0.8, 1.25)  # female, male


def annual_death_probability(age: np.ndarray, sex: np.ndarray, hfrs: np.ndarray) -> np.ndarray:
    gompertz = np.exp(-11.985 + 0.1097 * age)
    base = np.where(age == 0, INFANT_MORTALITY, np.maximum(gompertz, 0.0001))
    factor = np.where(sex == 1, SEX_FACTOR[1], SEX_FACTOR[0]) * np.exp(HFRS_HAZARD * (hfrs - 2.0).clip(0))
    return np.clip(base * factor, 0.0, 0.7)


def draw_death_times(
    rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, hfrs: np.ndarray, days: float
) -> np.ndarray:
    """Time of death in days from the start, `inf` for those alive at the end; the hazard is constant per year
    of the person's age and steps up each simulated year."""
    death = np.full(age.size, np.inf)
    for year in range(int(np.ceil(days / 365.25))):
        alive = np.isinf(death)
        q = annual_death_probability(age + year, sex, hfrs)
        hazard = -np.log1p(-q)
        at = year * 365.25 + rng.exponential(1 / np.maximum(hazard, 1e-12)) * 365.25
        dies = alive & (at < min((year + 1) * 365.25, days))
        death[dies] = at[dies]
    return death
