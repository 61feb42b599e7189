"""Organisation numbers (Enhetsregisteret): 9 digits, weights 3 2 7 6 5 4 3 2 1, sum mod 11 = 0 (fact sheet § 7
[V S106]) — validated by python-stdnum's ``stdnum.no.orgnr``."""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.no import orgnr

from helsefellesskap.errors import InvalidIdentifier

ORGNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"


def validate_orgnr(text: str) -> str:
    """The organisation number as 9 digits; raises ``InvalidIdentifier`` with the reason."""
    try:
        number: str = orgnr.validate(text)
    except InvalidChecksum:
        raise InvalidIdentifier(f"{text!r} is not an organisation number: the check digit does not match.") from None
    except ValidationError:
        raise InvalidIdentifier(f"{text!r} is not an organisation number: it must be 9 digits.") from None
    return number


def is_valid_orgnr(text: str) -> bool:
    try:
        validate_orgnr(text)
    except InvalidIdentifier:
        return False
    return True
