"""Norwegian national identity numbers: fødselsnummer, D-, H- and FH-numbers, and synthetic test numbers.

Built over python-stdnum (``stdnum.no.fodselsnummer``), extended, never forked, for what it lacks:
- synthetic test numbers: Skatteetaten's Tenor test population adds 80 to the month; NAV's synthetic numbers add
  40 to the month, which clashes with H-numbers, so month + 40 is read as an H-number unless the day also carries
  the D-number offset (a combination no real number has);
- the control-digit rule from 1 January 2032: the first check digit may leave remainder 0, 1, 2 or 3 (fact sheet § 7,
  Skatteetaten "Nye fødselsnummer og d-nummer fra 2032"; NAV fnrvalidator: "K1 kan være 0,1,2,3"). Such numbers no
  longer encode century or sex, so birth date and sex are not derived from them.
The parser never reads the clock: pass ``today`` to reject birth dates in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

from helsefellesskap.errors import InvalidIdentifier

Sex = Literal["female", "male"]

# fact sheet § 7 [V S96]: weights of the two check digits, the check digit itself included with weight 1.
_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
# Remainders of the first check sum accepted from 2032 (fact sheet § 7 [V S100-S103]).
_REMAINDERS_2032 = frozenset({0, 1, 2, 3})
_D_OFFSET = 40  # D-number: day + 40 [V S96]
_H_OFFSET = 40  # H-number: month + 40 [V S96, S104]; also NAV synthetic numbers
_TENOR_OFFSET = 80  # Skatteetaten Tenor synthetic numbers: month + 80 [B: Tenor test data documentation]


class NationalIdKind(StrEnum):
    FODSELSNUMMER = "fodselsnummer"
    D_NUMBER = "d_number"
    H_NUMBER = "h_number"
    FH_NUMBER = "fh_number"


class SyntheticSource(StrEnum):
    TENOR = "tenor"  # Skatteetaten's test population (Tenor): month + 80
    NAV = "nav"  # NAV's synthetic numbers: month + 40 (here only recognised together with day + 40)


@dataclass(frozen=True, slots=True)
class NationalId:
    """A parsed national identity number; ``birth_date`` and ``sex`` are None where the number does not tell."""

    value: str
    kind: NationalIdKind
    synthetic: SyntheticSource | None
    birth_date: dt.date | None
    sex: Sex | None
    rule_2032: bool  # True when only the 2032 control rule accepts it (remainder 1-3)

    @property
    def is_synthetic(self) -> bool:
        return self.synthetic is not None


def _weighted_remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11


def _check_digits(number: str) -> bool:
    """Validate both check digits; returns True when only the 2032 rule accepts the first one."""
    first = _weighted_remainder(number[:10], _WEIGHTS_1)
    second = _weighted_remainder(number, _WEIGHTS_2)
    if second != 0 or first not in _REMAINDERS_2032:
        raise InvalidIdentifier(f"{number} is not a national identity number: the check digits do not match.")
    return first != 0


def compact(text: str) -> str:
    """Strip the separators people write (spaces, hyphens, colons)."""
    result: str = fodselsnummer.compact(text)
    return result


def _kind_and_offsets(day: int, month: int) -> tuple[NationalIdKind, SyntheticSource | None, int, int]:
    kind = NationalIdKind.FODSELSNUMMER
    synthetic: SyntheticSource | None = None
    if day > _D_OFFSET:
        kind, day = NationalIdKind.D_NUMBER, day - _D_OFFSET
    if month > _TENOR_OFFSET:
        synthetic, month = SyntheticSource.TENOR, month - _TENOR_OFFSET
    elif month > _H_OFFSET:
        month -= _H_OFFSET
        if kind is NationalIdKind.D_NUMBER:
            synthetic = SyntheticSource.NAV
        else:
            kind = NationalIdKind.H_NUMBER
    return kind, synthetic, day, month


def _century_birth_date(day: int, month: int, number: str) -> dt.date | None:
    """The classic century rule of stdnum (individnummer ranges); None when the range gives no century."""
    plain = f"{day:02d}{month:02d}{number[4:]}"
    try:
        birth: dt.date = fodselsnummer.get_birth_date(plain)
    except ValidationError:  # stdnum's InvalidComponent: a century range the classic rule does not define
        return None
    return birth


def parse_national_id(text: str, *, today: dt.date | None = None) -> NationalId:
    """Parse and validate a national identity number; raises ``InvalidIdentifier`` with a clear reason."""
    return _parse(text, today)


@lru_cache(maxsize=1 << 16)
def _parse(text: str, today: dt.date | None) -> NationalId:
    # Cached (the result is immutable; a refusal is raised again each time): a batch of messages checks the same
    # persons' numbers again and again (access control, care relations, priority groups), about 40 µs each.
    number = compact(text)
    # ASCII digits only: str.isdigit() also takes '²' (int() then fails: a traceback) and other scripts' digits
    # ('١٥١٠…', which parsed but was stored unnormalised, so the same person had two values).
    if len(number) != 11 or not number.isdigit() or not number.isascii():
        raise InvalidIdentifier(f"{text!r} is not a national identity number: it must be 11 digits.")
    rule_2032 = _check_digits(number)
    if number[0] in "89":  # FH-number: first digit 8 or 9, no birth date [V S96]
        return NationalId(number, NationalIdKind.FH_NUMBER, None, None, None, rule_2032)
    kind, synthetic, day, month = _kind_and_offsets(int(number[0:2]), int(number[2:4]))
    try:
        dt.date(2000, month, day)  # 2000 is a leap year: accepts 29 February, rejects impossible dates
    except ValueError:
        raise InvalidIdentifier(f"{number} is not a national identity number: no such birth date.") from None
    birth_date = None if rule_2032 else _century_birth_date(day, month, number)
    if birth_date is not None and today is not None and birth_date > today:
        raise InvalidIdentifier(f"{number} is not a national identity number: the birth date is in the future.")
    # Sex from the 9th digit (odd = male) holds only for the classic rule [V S96]; from 2032 numbers are neutral.
    sex: Sex | None = None if rule_2032 else ("male" if int(number[8]) % 2 else "female")
    return NationalId(number, kind, synthetic, birth_date, sex, rule_2032)


def is_valid_national_id(text: str) -> bool:
    try:
        parse_national_id(text)
    except InvalidIdentifier:
        return False
    return True


def is_synthetic(text: str) -> bool:
    """True for a valid synthetic (test) number; False for real-looking or invalid numbers."""
    try:
        return parse_national_id(text).is_synthetic
    except InvalidIdentifier:
        return False


def _individual_range(year: int) -> range:
    """Individual numbers that encode the birth century (fact sheet § 7 [V S96, S98])."""
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    if 1854 <= year <= 1899:
        return range(500, 750)
    raise InvalidIdentifier(f"No national identity number can encode a birth year of {year} (1854-2039 only).")


def make_synthetic_national_id(birth_date: dt.date, sex: Sex, individual: int = 0) -> str:
    """A Tenor-style synthetic number (month + 80) with valid classic check digits.

    ``individual`` is a sequence number: the result is the ``individual``-th (modulo the count) individual number of
    the right century and sex, skipping the few for which no check digit exists. Deterministic."""
    candidates = [i for i in _individual_range(birth_date.year) if (i % 2 == 1) == (sex == "male")]
    head = f"{birth_date.day:02d}{birth_date.month + _TENOR_OFFSET:02d}{birth_date.year % 100:02d}"
    for step in range(len(candidates)):
        stem = head + f"{candidates[(individual + step) % len(candidates)]:03d}"
        k1 = fodselsnummer.calc_check_digit1(stem)
        if k1 == "10":
            continue
        k2 = fodselsnummer.calc_check_digit2(stem + k1)
        if k2 != "10":
            return stem + k1 + k2
    raise InvalidIdentifier(f"No synthetic number exists for {birth_date.isoformat()}.")  # pragma: no cover
