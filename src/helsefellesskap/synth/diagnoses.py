"""Diagnosis groups of hospital stays: their ICD-10 codes, who gets them, how long they stay.

The 11 groups of the national readmission indicator (Helsedirektoratet's NKI "Reinnleggelser av eldre innen
30 dager": astma/KOLS, hjertesvikt, lungebetennelse, hjerneslag, brudd, dehydrering, forstoppelse,
gastroenteritt, urinveisinfeksjon, mangelanemier, gikt — fact sheet § 6.1 [V S42]) are marked
`indicator=True`. The ICD-10 codes chosen for each group are the generator's [B: the indicator's exact code
list was not available; verify against the indicator definition]: J44/J45, I50, J12–J18, I61/I63/I64,
S-fractures incl. S72, E86, K59.0, A08/A09, N39.0, D50–D53, M10.

Age weights (relative share of a band's stays), treatment times and acute shares are plausible values
[B: not from a source]; the calibration report shows what they produce against the published totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Stay age bands: [0,1), [1,18), [18,45), [45,67), [67,80), [80,∞).
STAY_AGE_BANDS = np.array([0, 1, 18, 45, 67, 80])


@dataclass(frozen=True)
class DiagnosisGroup:
    name: str
    codes: tuple[str, ...]
    weights: tuple[float, float, float, float, float, float]  # by STAY_AGE_BANDS
    treatment_days: float  # mean days from admission to ready (adults < 80)
    acute: float = 0.9  # share of emergency admissions
    indicator: bool = False
    linked: tuple[str, ...] = ()  # condition prefixes that make the group more likely for a person
    sex: int | None = None  # 0 only women, 1 only men
    needs: float = 0.0  # shift in the log-odds that municipal services are needed after the stay
    readmission: float = 0.0  # shift in the log-odds of an acute readmission within 30 days


# Readmission shifts [B]: astma/KOLS the highest of the 11 groups (29.4 % in 2019, § 6.1 [V S83]); cancer, sepsis,
# delirium and kidney failure, common among utskrivningsklare, raise their rate toward 21.7 % (§ 6.1 [V S85]).
SOMATIC_GROUPS: tuple[DiagnosisGroup, ...] = (
    DiagnosisGroup("copd_asthma", ("J44.1", "J44.0", "J45.9"), (0, 1.5, 1.5, 3, 4.5, 4), 4.5, 0.97, True,
                   ("J44", "J45"), needs=0.2, readmission=1.3),  # the highest, 29.4 % in 2019 (§ 6.1 [V S83])
    DiagnosisGroup("heart_failure", ("I50.1", "I50.9", "I50.0"), (0, 0, 0.1, 1.5, 3.5, 5), 5.0, 0.95, True,
                   ("I50",), needs=0.3, readmission=0.6),
    DiagnosisGroup("pneumonia", ("J18.9", "J18.1", "J15.9", "J13"), (2, 2, 1.5, 3, 5, 7), 4.5, 0.98, True,
                   needs=0.3, readmission=0.3),
    DiagnosisGroup("stroke", ("I63.9", "I63.5", "I61.9", "I64"), (0, 0.05, 0.3, 2, 3.5, 4), 7.0, 0.99, True,
                   needs=1.0, readmission=0.1),
    DiagnosisGroup("fracture", ("S72.0", "S72.1", "S42.2", "S52.5", "S32.5", "S82.8", "S22.3"),
                   (0.2, 3, 2.5, 2.5, 3, 6), 5.0, 0.95, True, ("M81", "W19", "R26"), needs=1.0, readmission=-0.5),
    DiagnosisGroup("dehydration", ("E86",), (0.5, 0.3, 0.1, 0.2, 0.6, 1.2), 3.0, 0.99, True, needs=0.3,
                   readmission=0.2),
    DiagnosisGroup("constipation", ("K59.0",), (0.1, 0.3, 0.1, 0.2, 0.4, 0.6), 2.5, 0.99, True),
    DiagnosisGroup("gastroenteritis", ("A09.9", "A08.4", "A08.0"), (3, 3, 0.8, 0.6, 1, 1.2), 2.5, 0.99, True),
    DiagnosisGroup("urinary_tract_infection", ("N39.0",), (0.5, 0.5, 0.4, 0.6, 1.5, 3), 3.5, 0.99, True,
                   ("N39",), needs=0.3, readmission=0.2),
    DiagnosisGroup("deficiency_anaemia", ("D50.0", "D50.9", "D51.0", "D52.9", "D53.9"), (0, 0.1, 0.3, 0.5, 0.8, 1),
                   2.5, 0.9, True, readmission=0.2),
    DiagnosisGroup("gout", ("M10.0", "M10.9"), (0, 0, 0.05, 0.2, 0.3, 0.4), 3.0, 0.95, True),
    DiagnosisGroup("chest_pain", ("R07.4", "R07.3"), (0, 0.5, 3, 6, 6, 4), 1.2, 0.99),
    DiagnosisGroup("myocardial_infarction", ("I21.4", "I21.0", "I21.9"), (0, 0, 0.4, 3.5, 4, 3.5), 3.5, 0.99),
    DiagnosisGroup("atrial_fibrillation", ("I48.9", "I48.0"), (0, 0, 0.6, 2.5, 3, 2.5), 2.0, 0.9, linked=("I48",)),
    DiagnosisGroup("cancer", ("C18.9", "C34.9", "C25.9", "C67.9", "C20", "C16.9", "C64"), (0, 1, 2, 8, 9, 5),
                   5.5, 0.35, linked=("C",), needs=0.3, readmission=0.8),
    DiagnosisGroup("sepsis", ("A41.9", "A41.5"), (1, 0.5, 0.5, 1.5, 2.5, 3), 7.0, 1.0, needs=0.5, readmission=0.6),
    DiagnosisGroup("gallbladder", ("K80.2", "K81.0", "K85.1"), (0, 0.2, 2.5, 3, 2, 1.2), 3.0, 0.8),
    DiagnosisGroup("appendicitis", ("K35.8", "K35.3"), (0, 4, 3, 1, 0.5, 0.2), 2.5, 1.0),
    DiagnosisGroup("arthroplasty", ("M16.1", "M17.1"), (0, 0, 0.2, 4, 5, 1.5), 3.0, 0.05, linked=("M19",),
                   needs=-0.5),
    DiagnosisGroup("delivery", ("O80", "O82.0", "O70.1", "O42.0"), (0, 0.1, 22, 0.1, 0, 0), 2.5, 0.9, sex=0,
                   needs=-3.0, readmission=-1.0),
    DiagnosisGroup("newborn", ("P07.3", "P59.9", "P22.1", "P36.9"), (30, 0, 0, 0, 0, 0), 6.0, 1.0, needs=-3.0),
    DiagnosisGroup("child_respiratory", ("J21.9", "J06.9", "J20.9", "J45.0"), (12, 8, 0.3, 0, 0, 0), 2.5, 1.0,
                   needs=-3.0),
    DiagnosisGroup("injury_other", ("S06.0", "T14.0", "S01.8"), (1, 5, 3, 1.5, 1.5, 2.5), 2.0, 1.0),
    DiagnosisGroup("syncope_fall", ("R55", "R42", "S00.8"), (0, 0.5, 1, 2, 3, 5), 2.5, 1.0, linked=("R26", "W19"),
                   needs=0.5),
    DiagnosisGroup("delirium", ("F05.1", "F05.9"), (0, 0, 0, 0.1, 0.5, 2), 7.0, 1.0, linked=("F00", "F01", "F03"),
                   needs=1.2, readmission=0.5),
    DiagnosisGroup("kidney", ("N17.9", "N18.5"), (0, 0.2, 0.3, 1.2, 1.5, 2), 5.0, 0.8, linked=("N18",),
                   readmission=0.5),
    DiagnosisGroup("other_medical", ("R10.4", "K92.2", "I26.9", "E11.6", "K29.7", "I80.2", "R50.9", "L03.1"),
                   (6, 12, 14, 15, 15, 14), 3.0, 0.85, linked=("E11", "E10")),
    DiagnosisGroup("other_surgical", ("K40.9", "N20.0", "M51.1", "K56.6", "N40", "N81.1"),
                   (2, 8, 12, 12, 10, 5), 2.5, 0.4),
)  # fmt: skip
# The 11 groups' share among the 67+ is scaled down to the published count of primary admissions (§ 6.1).
INDICATOR_OLD_AGE_WEIGHT = 0.5  # 81 416 primary admissions 67+ in 2019 [V S83]
INDICATOR_GROUPS = tuple(g.name for g in SOMATIC_GROUPS if g.indicator)
# Every ICD-10 code the generator uses as a primary diagnosis of an indicator group, by group.
INDICATOR_CODES: dict[str, tuple[str, ...]] = {g.name: g.codes for g in SOMATIC_GROUPS if g.indicator}

# Mental health care and substance abuse treatment (TSB): the primary is the person's own diagnosis when
# they have one; these are the codes for the others [B: plausible mixes].
MENTAL_HEALTH_CODES = ("F32.2", "F43.2", "F41.1", "F23.9", "F50.0")
SUBSTANCE_ABUSE_CODES = ("F10.2", "F11.2", "F12.2", "F15.2", "F19.2")
MENTAL_HEALTH_OWN = ("F20", "F25", "F31", "F33", "F32", "F60")
SUBSTANCE_ABUSE_OWN = ("F10", "F19")
# Mean treatment days of døgn stays [B: order of magnitude of SAMDATA psykisk helsevern / TSB].
MENTAL_HEALTH_DAYS = 18.0
SUBSTANCE_ABUSE_DAYS = 20.0


def age_band(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(STAY_AGE_BANDS, age, side="right") - 1


def group_weights(age: np.ndarray, sex: np.ndarray, linked_flags: np.ndarray) -> np.ndarray:
    """(n, groups) probabilities of each somatic group for stays of persons of these ages and sexes.

    `linked_flags` (n, groups) is true where the person has a condition linked to the group; such a person is
    six times as likely to be admitted for it.
    """
    table = np.array([g.weights for g in SOMATIC_GROUPS], dtype=float)  # (groups, bands)
    indicator = np.array([g.indicator for g in SOMATIC_GROUPS])
    table[np.ix_(indicator, np.array([4, 5]))] *= INDICATOR_OLD_AGE_WEIGHT
    weights = table[:, age_band(age)].T
    weights = weights * np.where(linked_flags, 6.0, 1.0)
    only = np.array([-1 if g.sex is None else g.sex for g in SOMATIC_GROUPS])
    weights = np.where((only[None, :] >= 0) & (only[None, :] != sex[:, None]), 0.0, weights)
    return weights / weights.sum(axis=1, keepdims=True)
