"""The `patient` field of a message: a Norwegian national identity number (fødselsnummer, D-, H-, FH-number,
synthetic), validated by the identity capability once per distinct value."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from helsefellesskap.identity.national_id import NationalId, parse_national_id


@lru_cache(maxsize=1 << 16)
def parse_patient(text: str) -> NationalId:
    """Parse a patient's national id (cached: the messages of a stay repeat it); raises `InvalidIdentifier`."""
    return parse_national_id(text)


def validate_patient(text: str) -> str:
    return parse_patient(text).value


def birth_date_of(patient: str) -> dt.date | None:
    """The birth date a valid national id carries (None for FH-numbers and 2032-rule numbers)."""
    return parse_patient(patient).birth_date
