"""Persons: age and sex by Norway's age pyramid, residence, GP, and a synthetic national identity number.

Age structure: 5-year bands of Norway's population on 1 January 2024, rounded, by sex (thousands),
approximating SSB table 07459 [B: transcribed from memory of the table, not verified against it]; checked
against the fact sheet § 6.4 [S90, S92]: 70+ ≈ 13.6 % (13 % in 2022), 80+ ≈ 4.5 %, 67+ ≈ 16.7 % (≈ 16 %).
Every municipality gets the national structure (a known simplification: rural municipalities are older).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from helsefellesskap.synth.geography import Place
from helsefellesskap.synth.tables import padded

# (lower age of band, men, women) in thousands; the last band is 95-104.
AGE_PYRAMID_2024: tuple[tuple[int, float, float], ...] = (
    (0, 142, 134), (5, 153, 145), (10, 166, 158), (15, 170, 161), (20, 179, 170),
    (25, 196, 185), (30, 201, 190), (35, 193, 181), (40, 186, 175), (45, 190, 179),
    (50, 197, 188), (55, 187, 180), (60, 166, 162), (65, 145, 146), (70, 133, 140),
    (75, 111, 122), (80, 62, 75), (85, 31, 44), (90, 11, 21), (95, 2.2, 6.5),
)  # fmt: skip
MAX_AGE = 104
# Average list size of a fastlege, about 1 050 patients [B: Helsedirektoratet fastlegestatistikk, not verified].
PATIENTS_PER_GP = 1_050
GPS_PER_OFFICE = 4
FEMALE, MALE = 0, 1
SEX_NAMES = ("female", "male")


def single_year_shares() -> np.ndarray:
    """Shares of the population by (age 0..MAX_AGE, sex) — a (105, 2) array summing to 1.

    Within a band the count falls linearly in the oldest bands (mortality) and is flat below 80.
    """
    shares = np.zeros((MAX_AGE + 1, 2))
    for lower, men, women in AGE_PYRAMID_2024:
        width = 5 if lower < 95 else MAX_AGE - 95 + 1
        ages = np.arange(lower, lower + width)
        slope = np.linspace(1.4, 0.6, width) if lower >= 80 else np.ones(width)
        weights = slope / slope.sum()
        shares[ages, MALE] = men * weights
        shares[ages, FEMALE] = women * weights
    return shares / shares.sum()


@dataclass
class Persons:
    """One chunk of persons, as columns."""

    person_id: np.ndarray  # int64
    age: np.ndarray  # int at the start date
    sex: np.ndarray  # 0 female, 1 male
    birth_date: np.ndarray  # datetime64[D]
    national_id: np.ndarray  # str
    district: np.ndarray  # object (str | None)
    gp_index: np.ndarray  # index into the municipality's GPs

    def __len__(self) -> int:
        return len(self.person_id)


def gp_count(persons_in_municipality: int) -> int:
    return max(1, -(-persons_in_municipality // PATIENTS_PER_GP))


def gp_hpr(place: Place, gp: np.ndarray) -> np.ndarray:
    """Synthetic HPR numbers: 9 digits starting with 9, from the municipality index and the GP's number."""
    return np.char.add(f"9{place.index:04d}", padded(gp, 4))


def gp_office(place: Place, gp: np.ndarray) -> np.ndarray:
    """Synthetic GP office addresses (8 digits starting with 7); four GPs share an office."""
    return np.char.add(f"7{place.index:03d}", padded(gp // GPS_PER_OFFICE, 4))


def draw_persons(
    rng: np.random.Generator, place: Place, count: int, first_id: int, start: date, gps: int, ids: NationalIds
) -> Persons:
    shares = single_year_shares().ravel()
    cell = rng.choice(shares.size, size=count, p=shares)
    age, sex = cell // 2, cell % 2
    days_into_year = rng.integers(0, 365, size=count)
    start_day = np.datetime64(start, "D")
    birth = start_day - (np.round(age * 365.25).astype("int64") + days_into_year + 1).astype("timedelta64[D]")
    district = np.full(count, None, dtype=object)
    if place.districts:
        weights = np.array([d.population for d in place.districts], dtype=float)
        chosen = rng.choice(len(weights), size=count, p=weights / weights.sum())
        district = np.array([d.number for d in place.districts], dtype=object)[chosen]
    return Persons(
        person_id=np.arange(first_id, first_id + count, dtype=np.int64),
        age=age.astype(np.int64),
        sex=sex.astype(np.int8),
        birth_date=birth,
        national_id=ids.assign(birth, sex),
        district=district,
        gp_index=rng.integers(0, gps, size=count),
    )


_K1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
_K2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
_EPOCH = np.datetime64("1850-01-01", "D")


def _check_digit(digits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    # Fødselsnummer control digits (fact sheet § 7 [V S96]): 11 - (Σ w·d mod 11); 11 → 0; 10 → invalid.
    k = 11 - (digits @ weights) % 11
    return np.where(k == 11, 0, k)


class NationalIds:
    """Unique synthetic national ids across all chunks of a run (Skatteetaten Tenor style: month + 80).

    A month of 81–92 is never valid in an ordinary fødselsnummer, a D-number (day + 40) or an H-number
    (month + 40), so no generated number can be a real person's. Uniqueness: a counter per (birth date, sex)
    walks through the individual numbers allowed for the century (000–499 for 1900–1999, plus 900–999 for
    1940–1999; 500–999 for 2000–2039 [V S96]), skipping those whose control digit would be 10.
    """

    def __init__(self) -> None:
        self._next = np.zeros((200 * 366 + 1, 2), dtype=np.int32)

    def assign(self, birth: np.ndarray, sex: np.ndarray) -> np.ndarray:
        day = (birth - _EPOCH).astype(np.int64)
        result = np.empty(len(birth), dtype="U11")
        pending = np.arange(len(birth))
        while pending.size:
            key = day[pending] * 2 + sex[pending]
            order = np.argsort(key, kind="stable")
            pending, key = pending[order], key[order]
            first = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
            sizes = np.diff(np.r_[first, key.size])
            rank = np.arange(key.size) - np.repeat(first, sizes)
            slot = self._next[day[pending], sex[pending]] + rank
            self._next[day[pending][first], sex[pending][first]] += sizes.astype(np.int32)
            number, ok = self._compose(birth[pending], sex[pending], slot)
            result[pending[ok]] = number[ok]
            pending = pending[~ok]
        return result

    @staticmethod
    def _compose(birth: np.ndarray, sex: np.ndarray, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
        months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
        days = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
        modern = years >= 2000
        individual = np.where(modern, 500 + 2 * slot, np.where(slot < 250, 2 * slot, 900 + 2 * (slot - 250)))
        individual = individual + sex  # third digit odd for men [V S96]
        room = np.where(modern, slot < 250, np.where(years >= 1940, slot < 300, slot < 250))
        if not room.all():
            raise OverflowError("more synthetic persons born on one day than the individual numbers allow")
        digits = np.stack(
            [days // 10, days % 10, (months + 80) // 10, (months + 80) % 10, (years % 100) // 10, years % 10,
             individual // 100, (individual // 10) % 10, individual % 10], axis=1,
        )  # fmt: skip
        k1 = _check_digit(digits, _K1)
        k2 = _check_digit(np.column_stack([digits, k1]), _K2)
        ok = (k1 != 10) & (k2 != 10)
        all_digits = np.column_stack([digits, k1 % 10, k2 % 10]).astype(np.int64)
        value = all_digits @ (10 ** np.arange(10, -1, -1, dtype=np.int64))
        return padded(value, 11), ok
