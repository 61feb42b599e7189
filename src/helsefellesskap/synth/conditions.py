"""Conditions known at the start: chronic, mental-health, substance and frailty-relevant ICD-10 codes, and the
person's Hospital Frailty Risk Score (HFRS) computed from them.

Prevalences by age band are rough, plausible figures [B: not calibrated to a register; no national
prevalence table is in the fact sheet]. Codes follow the priority-group definitions in the fact sheet § 3:
severe mental illness F20, F25, F30–F33, F60–F69 [V S40], substance F10–F19 [V S40b], chronic G40, G43, G20,
G35, I50, J44 [V S39], frailty codes from the HFRS list. Conditions cluster: a latent frailty and a latent
mental-health factor per person shift the log-odds of the codes that load on them, so some persons carry
several.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

# Age bands used by the prevalence table: [0,18), [18,45), [45,67), [67,80), [80,∞).
AGE_BANDS = np.array([0, 18, 45, 67, 80])


@dataclass(frozen=True)
class Condition:
    code: str
    prevalence: tuple[float, float, float, float, float]  # by AGE_BANDS
    female: float = 1.0  # relative odds for women
    frailty_loading: float = 0.0
    mental_loading: float = 0.0


CONDITIONS: tuple[Condition, ...] = (
    Condition("I10", (0.0, 0.03, 0.2, 0.4, 0.45), frailty_loading=0.2),
    Condition("I50.9", (0.0, 0.001, 0.008, 0.05, 0.12), 0.8, 0.8),
    Condition("I48.9", (0.0, 0.002, 0.02, 0.1, 0.17), 0.8, 0.4),
    Condition("J44.9", (0.0, 0.002, 0.03, 0.08, 0.1), 1.0, 0.7),
    Condition("J45.9", (0.05, 0.06, 0.06, 0.06, 0.05), 1.2, 0.2),
    Condition("E11.9", (0.0, 0.01, 0.06, 0.13, 0.14), 0.8, 0.4),
    Condition("E10.9", (0.004, 0.005, 0.005, 0.004, 0.002)),
    Condition("N18.3", (0.0, 0.002, 0.01, 0.06, 0.12), 1.0, 0.8),
    Condition("C18.9", (0.0, 0.0005, 0.005, 0.015, 0.02), 1.0, 0.3),
    Condition("C34.9", (0.0, 0.0002, 0.003, 0.01, 0.01), 1.0, 0.3),
    Condition("C50.9", (0.0, 0.002, 0.015, 0.03, 0.03), 200.0, 0.2),
    Condition("C61", (0.0, 0.0, 0.01, 0.06, 0.08), 0.0, 0.2),
    Condition("M19.9", (0.0, 0.005, 0.06, 0.15, 0.2), 1.4, 0.4),
    Condition("M81.0", (0.0, 0.0, 0.02, 0.08, 0.15), 3.0, 0.8),
    Condition("F00.1", (0.0, 0.0, 0.001, 0.015, 0.08), 1.3, 1.6),
    Condition("F01.9", (0.0, 0.0, 0.0005, 0.006, 0.03), 1.0, 1.6),
    Condition("F03", (0.0, 0.0, 0.001, 0.015, 0.09), 1.3, 1.6),
    Condition("G20", (0.0, 0.0, 0.001, 0.008, 0.015), 0.7, 0.8),
    Condition("G35", (0.0, 0.002, 0.004, 0.002, 0.001), 2.5),
    Condition("G40.9", (0.005, 0.007, 0.007, 0.007, 0.008), 1.0, 0.3),
    Condition("G43.9", (0.02, 0.08, 0.05, 0.02, 0.01), 2.5),
    Condition("R26.8", (0.0, 0.0, 0.002, 0.02, 0.08), 1.2, 1.4),
    Condition("R41.8", (0.0, 0.0, 0.002, 0.02, 0.06), 1.0, 1.4),
    Condition("Z74.1", (0.0, 0.0, 0.001, 0.02, 0.1), 1.3, 1.6),
    Condition("Z75.1", (0.0, 0.0, 0.0, 0.004, 0.02), 1.0, 1.4),
    Condition("N39.4", (0.0, 0.002, 0.01, 0.04, 0.1), 2.0, 1.2),
    Condition("W19", (0.0, 0.0, 0.005, 0.03, 0.1), 1.3, 1.4),
    Condition("F20.0", (0.0, 0.004, 0.004, 0.002, 0.001), 0.6, mental_loading=1.3),
    Condition("F25.0", (0.0, 0.001, 0.001, 0.0005, 0.0002), 1.0, mental_loading=1.3),
    Condition("F31.3", (0.0, 0.008, 0.007, 0.004, 0.002), 1.3, mental_loading=1.2),
    Condition("F32.1", (0.01, 0.04, 0.03, 0.02, 0.02), 1.8, 0.2, 0.9),
    Condition("F33.2", (0.002, 0.015, 0.015, 0.01, 0.01), 1.8, 0.2, 1.1),
    Condition("F60.3", (0.0, 0.01, 0.005, 0.002, 0.001), 1.5, mental_loading=1.2),
    Condition("F10.2", (0.0, 0.01, 0.012, 0.008, 0.003), 0.4, 0.2, 0.8),
    Condition("F19.2", (0.001, 0.008, 0.003, 0.001, 0.0), 0.4, mental_loading=1.0),
    Condition("F84.0", (0.01, 0.003, 0.0, 0.0, 0.0), 0.3),
    Condition("F90.0", (0.04, 0.02, 0.005, 0.0, 0.0), 0.5, mental_loading=0.4),
)  # fmt: skip
CODES = tuple(c.code for c in CONDITIONS)

# Hospital Frailty Risk Score weights for the codes the twin uses (3-character ICD-10 categories).
# Gilbert T et al., Lancet 2018;391:1775-82, supplementary table [B: transcribed from a secondary copy of
# the table, check against the paper]. The score is the sum over distinct categories.
HFRS_WEIGHTS: dict[str, float] = {
    "F00": 7.1, "G81": 4.4, "G30": 4.0, "I69": 3.7, "R29": 3.6, "N39": 3.2, "F05": 3.2, "W19": 3.2,
    "S00": 3.2, "R41": 2.7, "R26": 2.6, "I67": 2.6, "R56": 2.6, "R40": 2.5, "S06": 2.4, "S42": 2.3,
    "E87": 2.3, "M25": 2.3, "E86": 2.3, "R54": 2.2, "F03": 2.1, "W18": 2.1, "Z75": 2.1, "F01": 2.0,
    "S80": 2.0, "L03": 2.0, "H54": 2.0, "E53": 2.0, "G20": 2.0, "R55": 2.0, "S22": 1.9, "K59": 1.9,
    "N17": 1.9, "L89": 1.9, "A41": 1.8, "J96": 1.7, "M19": 1.6, "G40": 1.6, "M81": 1.6, "S72": 1.5,
    "S32": 1.5, "N18": 1.5, "Z74": 1.4, "A09": 1.3, "J18": 1.3, "I63": 1.0, "F32": 0.7, "D64": 0.4,
}  # fmt: skip


def hfrs_of_codes(codes: list[str]) -> float:
    return sum(HFRS_WEIGHTS.get(category, 0.0) for category in {code[:3] for code in codes})


@dataclass
class Conditions:
    """The chunk's conditions as a boolean matrix (persons × CODES) plus onset dates."""

    present: np.ndarray  # bool (n, len(CODES))
    onset: np.ndarray  # datetime64[D] (n, len(CODES)), meaningful where present
    hfrs: np.ndarray  # float (n,)

    def has(self, *prefixes: str) -> np.ndarray:
        columns = [i for i, code in enumerate(CODES) if code.startswith(prefixes)]
        return np.asarray(self.present[:, columns].any(axis=1))

    def count(self, *prefixes: str) -> np.ndarray:
        columns = [i for i, code in enumerate(CODES) if code.startswith(prefixes)]
        return self.present[:, columns].sum(axis=1)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def draw_conditions(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, start: date) -> Conditions:
    band = np.searchsorted(AGE_BANDS, age, side="right") - 1
    frailty = rng.standard_normal(age.size)
    mental = rng.standard_normal(age.size)
    prevalence = np.array([c.prevalence for c in CONDITIONS])[:, band].T  # (n, k)
    female_odds = np.array([c.female for c in CONDITIONS])
    odds_shift = np.where(sex[:, None] == 0, np.log(np.maximum(female_odds, 1e-9))[None, :] / 2,
                          -np.log(np.maximum(female_odds, 1e-9))[None, :] / 2)  # fmt: skip
    odds_shift = np.where(female_odds[None, :] == 0, np.where(sex[:, None] == 0, -50.0, 0.0), odds_shift)
    odds_shift = np.where(female_odds[None, :] >= 100, np.where(sex[:, None] == 1, -50.0, 0.0), odds_shift)
    loadings = np.array([[c.frailty_loading, c.mental_loading] for c in CONDITIONS])
    # Centre the latent shift so the mean prevalence stays near the table value (logit-normal correction).
    latent = frailty[:, None] * loadings[:, 0] + mental[:, None] * loadings[:, 1]
    spread = np.sqrt(loadings[:, 0] ** 2 + loadings[:, 1] ** 2)
    logit = _logit(prevalence) + odds_shift + latent - spread**2 / 2 * 0.6
    present = rng.random(logit.shape) < 1 / (1 + np.exp(-logit))
    present &= prevalence > 0
    years_before = rng.random(logit.shape) * np.minimum(age, 15)[:, None]
    onset = np.datetime64(start, "D") - np.round(years_before * 365.25 + 1).astype("timedelta64[D]")
    weights = np.array([HFRS_WEIGHTS.get(code[:3], 0.0) for code in CODES])
    return Conditions(present=present, onset=onset, hfrs=present @ weights)
