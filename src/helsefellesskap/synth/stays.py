"""Hospital stays: admissions by age, sex and conditions; diagnosis; treatment time; readmissions; death.

Rates are index admissions per person-year before readmissions, tuned so that the twin reproduces the
national totals of the fact sheet § 6.3 (798 390 somatic døgnopphold for 525 368 patients in 2019, ALOS
≈ 4.1–4.2 days [V S87]) and § 6.1 (30-day readmission of 67+ in the 11 groups ≈ 15–16 % [V S42, S83]);
docs/calibration.md shows the fit. The shape by age and the multipliers are [B].
"""

from __future__ import annotations

import numpy as np

from helsefellesskap.synth import diagnoses as dx
from helsefellesskap.synth.chunk import MENTAL_HEALTH, OTHER_HOSPITAL, SOMATIC, SUBSTANCE_ABUSE, Chunk, Stays
from helsefellesskap.synth.waits import settle

# Index somatic admissions per person-year by dx.STAY_AGE_BANDS, (women, men) [B, tuned to § 6.3: 798 390
# døgnopphold in 2019 [V S87]; the 67+ bands also to § 6.1: 81 416 primary admissions 67+ in 2019 [V S83]].
SOMATIC_RATE = (
    (0.27, 0.041, 0.118, 0.077, 0.215, 0.37),
    (0.33, 0.045, 0.045, 0.087, 0.255, 0.405),
)
SOMATIC_RATE_SCALE = 1.07  # the last tuning step of the level [B, § 6.3: 798 390 døgnopphold, 2019 [V S87]]
# Relative rate of persons with these conditions [B]. Heart failure and COPD are moderate: with their linked
# diagnosis groups (x6, diagnoses.group_weights) and the gamma propensity, a higher rate puts so many unrelated
# acute stays within 30 days of an index stay that the 67+ readmission overshoots ≈ 16 % (§ 6.1 [V S83, S42]).
CONDITION_RATE = (("I50", 1.25), ("J44", 1.5), ("N18", 1.5), ("C", 2.5), ("F00", 1.3), ("F01", 1.3), ("F03", 1.3),
                  ("E11", 1.3), ("I48", 1.3), ("G20", 1.4))  # fmt: skip
HFRS_RATE = 0.04  # log-rate per HFRS point [B]
HETEROGENEITY_SHAPE = 0.45  # gamma-distributed personal propensity (mean 1) — more patients with repeat stays
# Mental health and substance abuse døgn stays per person-year [B: order of magnitude].
MENTAL_HEALTH_RATE = (("F20", 0.18), ("F25", 0.18), ("F31", 0.1), ("F33", 0.03), ("F32", 0.011), ("F60", 0.07))
MENTAL_HEALTH_BASE = 0.0018  # ages 13+
SUBSTANCE_ABUSE_RATE = (("F10", 0.12), ("F19", 0.3))
# Readmission within 30 days (the generated, discharge-related part; ordinary admissions of the same persons
# add the rest): log-odds [B, tuned to § 6.1: ≈ 16 % in 2019, 15.1 % in 2015 for 67+ in the 11 groups
# [V S83, S42], and 21.7 % for utskrivningsklare patients in 2022 [V S85]]. Early discharge and frailty raise it
# (the model's stated assumptions); so do municipal needs: the readmission of utskrivningsklare (21.7 %) is well
# above that of all 67+ in the 11 groups (≈ 16 %), and the twin's utskrivningsklare are its stays with needs.
READMISSION_BASE = -7.85
READMISSION_HFRS = 0.1
READMISSION_EARLY = 1.0
READMISSION_AGE = ((67, 0.3), (80, 0.3))
READMISSION_NEEDS = 3.5
READMISSION_DELAYED = -0.15  # 19.1 % after stays with overliggerdøgn vs 21.7 % for all utskrivningsklare [V S85]
READMISSION_ROUNDS = 3
TREATMENT_SCALE = 0.9  # on the diagnosis groups' mean treatment days [B, tuned to the ALOS of § 6.3]
# Share of deaths outside a stay that happen in hospital after a short terminal stay [B].
TERMINAL_STAY = 0.28


def _propensity(chunk: Chunk) -> np.ndarray:
    persons, conditions = chunk.persons, chunk.conditions
    rate = np.array(SOMATIC_RATE)[persons.sex, dx.age_band(persons.age)] * SOMATIC_RATE_SCALE
    for prefix, factor in CONDITION_RATE:
        rate = rate * np.where(conditions.has(prefix), factor, 1.0)
    rate = rate * np.exp(HFRS_RATE * conditions.hfrs)
    return rate * chunk.rng.gamma(HETEROGENEITY_SHAPE, 1 / HETEROGENEITY_SHAPE, size=len(persons))


def _rate_of(chunk: Chunk, table: tuple[tuple[str, float], ...], base: float) -> np.ndarray:
    rate = np.where(chunk.persons.age >= 13, base, 0.0)
    for prefix, value in table:
        rate = np.maximum(rate, np.where(chunk.conditions.has(prefix), value, 0.0))
    return rate


def _exposure(chunk: Chunk) -> np.ndarray:
    return np.minimum(chunk.death, chunk.days)


def _admission_time(rng: np.random.Generator, day_start: np.ndarray, acute: np.ndarray) -> np.ndarray:
    """Time of day: acute admissions around the clock with a day peak, elective ones in the morning (local time,
    taken as UTC+1)."""
    day = np.floor(day_start)
    acute_hour = np.where(rng.random(day.size) < 0.7, rng.uniform(9, 22, day.size), rng.uniform(0, 24, day.size))
    hour = np.where(acute, acute_hour, rng.uniform(7, 10, day.size)) - 1.0
    return day + hour / 24


def _somatic_details(chunk: Chunk, person: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng, persons, conditions = chunk.rng, chunk.persons, chunk.conditions
    linked = np.column_stack(
        [conditions.has(*g.linked)[person] if g.linked else np.zeros(person.size, bool) for g in dx.SOMATIC_GROUPS]
    )
    weights = dx.group_weights(persons.age[person], persons.sex[person], linked)
    group = (weights.cumsum(axis=1) < rng.random(person.size)[:, None]).sum(axis=1).astype(np.int16)
    codes = np.empty(person.size, dtype="U8")
    acute = np.empty(person.size, dtype=bool)
    for g, spec in enumerate(dx.SOMATIC_GROUPS):
        hit = group == g
        codes[hit] = rng.choice(spec.codes, size=int(hit.sum()))
        acute[hit] = rng.random(int(hit.sum())) < spec.acute
    return group, codes, acute


def _own_code(chunk: Chunk, person: np.ndarray, own: tuple[str, ...], fallback: tuple[str, ...]) -> np.ndarray:
    from helsefellesskap.synth.conditions import CODES

    codes = chunk.rng.choice(fallback, size=person.size).astype("U8")
    for prefix in reversed(own):  # the first listed wins
        column = next(i for i, code in enumerate(CODES) if code.startswith(prefix))
        codes = np.where(chunk.conditions.present[person, column], CODES[column], codes)
    return codes


def expected_treatment(chunk: Chunk, person: np.ndarray, service: np.ndarray, group: np.ndarray) -> np.ndarray:
    means = np.array([g.treatment_days for g in dx.SOMATIC_GROUPS])
    age = chunk.persons.age[person]
    age_factor = np.select([age >= 80, age >= 67, age < 18], [1.3, 1.1, 0.7], 1.0) * TREATMENT_SCALE
    somatic = means[np.maximum(group, 0)] * age_factor * (1 + 0.02 * chunk.conditions.hfrs[person])
    return np.select(
        [service == MENTAL_HEALTH, service == SUBSTANCE_ABUSE], [dx.MENTAL_HEALTH_DAYS, dx.SUBSTANCE_ABUSE_DAYS],
        somatic,
    )  # fmt: skip


def new_stays(chunk: Chunk, person: np.ndarray, service: np.ndarray, admitted: np.ndarray,
              parent: np.ndarray, acute: np.ndarray | None = None) -> Stays:  # fmt: skip
    """Stays of these persons admitted at these times: diagnosis, acuteness, treatment time."""
    rng = chunk.rng
    group = np.full(person.size, -1, dtype=np.int16)
    code = np.empty(person.size, dtype="U8")
    is_acute = np.ones(person.size, dtype=bool)
    som = service == SOMATIC
    group[som], code[som], is_acute[som] = _somatic_details(chunk, person[som])
    mh, sa = service == MENTAL_HEALTH, service == SUBSTANCE_ABUSE
    code[mh] = _own_code(chunk, person[mh], dx.MENTAL_HEALTH_OWN, dx.MENTAL_HEALTH_CODES)
    code[sa] = _own_code(chunk, person[sa], dx.SUBSTANCE_ABUSE_OWN, dx.SUBSTANCE_ABUSE_CODES)
    is_acute[mh | sa] = rng.random(int((mh | sa).sum())) < 0.6
    if acute is not None:
        is_acute = is_acute | acute
    expected = expected_treatment(chunk, person, service, group)
    treatment = np.maximum(rng.gamma(1.6, expected / 1.6), 0.3)
    n = person.size
    nan = np.full(n, np.nan)
    return Stays(
        person=person, service=service.astype(np.int8), group=group, code=code, acute=is_acute,
        admitted=_admission_time(rng, admitted, is_acute), treatment=treatment, expected=expected, parent=parent,
        needs=np.zeros(n, bool), ready=nan.copy(), withdrawn=nan.copy(), ready_again=nan.copy(),
        discharged=nan.copy(), destination=np.zeros(n, np.int8), delayed_days=np.zeros(n, np.int32),
        notice_delay=nan.copy(), refused=np.zeros(n, bool), refused_again=np.zeros(n, bool),
        answered=np.zeros(n, bool),
    )  # fmt: skip


def index_stays(chunk: Chunk) -> Stays:
    exposure_years = _exposure(chunk) / 365.25
    persons, services = [], []
    for kind, rate in ((SOMATIC, _propensity(chunk)),
                          (MENTAL_HEALTH, _rate_of(chunk, MENTAL_HEALTH_RATE, MENTAL_HEALTH_BASE)),
                          (SUBSTANCE_ABUSE, _rate_of(chunk, SUBSTANCE_ABUSE_RATE, 0.0))):  # fmt: skip
        count = chunk.rng.poisson(rate * exposure_years)
        persons.append(np.repeat(np.arange(count.size), count))
        services.append(np.full(int(count.sum()), kind, dtype=np.int8))
    person = np.concatenate(persons)
    service = np.concatenate(services)
    admitted = chunk.rng.random(person.size) * _exposure(chunk)[person]
    return new_stays(chunk, person, service, admitted, np.full(person.size, -1, dtype=np.int64))


def readmission_probability(chunk: Chunk, stays: Stays) -> np.ndarray:
    age = chunk.persons.age[stays.person]
    group_shift = np.array([g.readmission for g in dx.SOMATIC_GROUPS])[np.maximum(stays.group, 0)]
    logit = (READMISSION_BASE + READMISSION_HFRS * chunk.conditions.hfrs[stays.person]
             + READMISSION_EARLY * (stays.treatment < 0.5 * stays.expected)
             + np.where(stays.service == SOMATIC, group_shift, 0.3)
             + READMISSION_NEEDS * stays.needs + READMISSION_DELAYED * (stays.delayed_days > 0))  # fmt: skip
    for threshold, shift in READMISSION_AGE:
        logit = logit + shift * (age >= threshold)
    return 1 / (1 + np.exp(-logit))


def readmissions(chunk: Chunk, stays: Stays, among: np.ndarray) -> Stays:
    """Acute readmissions 8 hours to 30 days after discharge of the stays `among` (indexes into `stays`)."""
    rng = chunk.rng
    alive_home = stays.destination[among] != OTHER_HOSPITAL
    candidates = among[alive_home & np.isfinite(stays.discharged[among])]
    p = readmission_probability(chunk, stays.take(candidates))
    chosen = candidates[rng.random(candidates.size) < p]
    # Time to readmission: exponential with mean 8 days, truncated to 8 h – 30 days (the indicator's window).
    low, high, mean = 1 / 3, 30.0, 8.0
    u = rng.random(chosen.size)
    gap = low - mean * np.log1p(-u * (1 - np.exp(-(high - low) / mean)))
    at = stays.discharged[chosen] + gap
    person = stays.person[chosen]
    keep = (at < chunk.death[person]) & (at < chunk.days)
    chosen, at, person = chosen[keep], at[keep], person[keep]
    new = new_stays(chunk, person, stays.service[chosen], np.floor(at), chosen, np.ones(chosen.size, bool))
    # Never before the drawn moment (≥ 8 h after discharge) nor after the 30 days of the indicator's window.
    new.admitted = np.clip(new.admitted, at, stays.discharged[chosen] + high - 1 / 24)
    same = (rng.random(chosen.size) < 0.5) & (stays.service[chosen] == SOMATIC)
    new.group[same], new.code[same] = stays.group[chosen][same], stays.code[chosen][same]
    return new


def terminal_stays(chunk: Chunk, stays: Stays) -> Stays:
    """Short stays ending in death for some of those who die outside a stay."""
    rng = chunk.rng
    died_inside = np.zeros(len(chunk.persons), bool)
    died_inside[stays.person[np.isfinite(chunk.death[stays.person]) & (stays.discharged >= chunk.death[stays.person])
                             & (stays.admitted <= chunk.death[stays.person])]] = True  # fmt: skip
    last_out = np.full(len(chunk.persons), -np.inf)
    np.maximum.at(last_out, stays.person, np.where(stays.admitted < chunk.death[stays.person], stays.discharged, -1))
    in_home = np.where(chunk.baseline_nursing_home, 0.3, 1.0)
    who = np.flatnonzero(np.isfinite(chunk.death) & ~died_inside & (rng.random(len(chunk.persons)) < TERMINAL_STAY
                                                                     * in_home))  # fmt: skip
    start = np.maximum(chunk.death[who] - rng.gamma(1.5, 2.5, who.size), np.maximum(last_out[who] + 0.5, 0.0))
    who, start = who[start < chunk.death[who] - 0.1], start[start < chunk.death[who] - 0.1]
    new = new_stays(chunk, who, np.zeros(who.size, np.int8), start, np.full(who.size, -1, np.int64),
                    np.ones(who.size, bool))  # fmt: skip
    new.admitted = np.minimum(np.maximum(new.admitted, start), chunk.death[who] - 0.05)
    return new


def generate_stays(chunk: Chunk) -> Stays:
    """All stays of a chunk, settled (readiness, waits, discharge), without overlaps, ending at death."""
    stays = settle(chunk, index_stays(chunk))
    latest = np.arange(len(stays))
    for _ in range(READMISSION_ROUNDS):
        new = settle(chunk, readmissions(chunk, stays, latest))
        latest = np.arange(len(stays), len(stays) + len(new))
        stays = stays.extend(new)
    stays = stays.extend(settle(chunk, terminal_stays(chunk, stays)))
    return drop_overlaps(stays)


def drop_overlaps(stays: Stays) -> Stays:
    """A person is in one hospital at a time: a stay admitted before an earlier stay's discharge is dropped
    (the generator's simplification). Readmission links to a dropped stay are cleared."""
    order = np.lexsort((stays.admitted, stays.person))
    ordered = stays.take(order)
    keep = np.ones(len(ordered), bool)
    if len(ordered) > 1:
        # Running latest discharge of the person's earlier stays (dropped ones included: conservative).
        offset = ordered.person.astype(np.float64) * 1e6
        latest_out = np.maximum.accumulate(offset + ordered.discharged)
        same = ordered.person[1:] == ordered.person[:-1]
        keep[1:] = ~(same & (offset[1:] + ordered.admitted[1:] < latest_out[:-1]))
    new_index = np.full(len(stays), -1, np.int64)
    kept_original = order[keep]
    new_index[kept_original] = np.arange(kept_original.size)
    result = stays.take(kept_original)
    result.parent = np.where(result.parent >= 0, new_index[np.maximum(result.parent, 0)], -1)
    return result
