"""Municipality numbers (kommunenummer): 4 digits, the first two the county (fact sheet § 7 [V S2]).

The form is checked here; whether a number exists is a question for the register, so callers may pass the
numbers they know (``registry.reference.load_reference().municipalities``)."""

from __future__ import annotations

from collections.abc import Container

from helsefellesskap.errors import InvalidIdentifier

MUNICIPALITY_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.3402"
DISTRICT_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.3403"


def validate_municipality_number(text: str, known: Container[str] | None = None) -> str:
    """The 4-digit number; raises ``InvalidIdentifier`` for a bad form or (given ``known``) an unknown one."""
    number = text.strip()
    if len(number) != 4 or not number.isdigit() or not number.isascii() or number[:2] == "00":
        raise InvalidIdentifier(f"{text!r} is not a municipality number: it must be 4 digits, e.g. 0301.")
    if known is not None and number not in known:
        raise InvalidIdentifier(f"{number} is not a municipality in the register.")
    return number


def validate_district_number(text: str) -> str:
    """A 6-digit city district (bydel) number, e.g. 030112; the first four digits are the municipality."""
    number = text.strip()
    problem = f"{text!r} is not a district (bydel) number: it must be 6 digits, e.g. 030112"
    if len(number) != 6 or not number.isdigit() or not number.isascii():
        raise InvalidIdentifier(f"{problem}.")
    try:
        validate_municipality_number(number[:4])
    except InvalidIdentifier:  # name the number given, not its first four digits
        raise InvalidIdentifier(f"{problem}, the first four a municipality number.") from None
    return number
