"""HPR numbers (Helsepersonellregisteret): the id of an authorised health professional.

HPR numbers are plain integers assigned in sequence; no check digit is published [B: fact sheet § 7], so only the
form can be validated here (digits, at most 9, not zero). Whether a number is assigned is a question for the HPR
register itself. FHIR system: urn:oid:2.16.578.1.12.4.1.4.4 [V S99].
"""

from __future__ import annotations

from helsefellesskap.errors import InvalidIdentifier

HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
_MAX_DIGITS = 9


def validate_hpr(text: str) -> str:
    """The HPR number without separators and leading zeros; raises ``InvalidIdentifier``."""
    number = text.replace(" ", "").strip()
    if not number.isdigit() or not number.isascii() or len(number) > _MAX_DIGITS or int(number) == 0:
        raise InvalidIdentifier(f"{text!r} is not an HPR number: it must be 1 to {_MAX_DIGITS} digits.")
    return str(int(number))


def is_valid_hpr(text: str) -> bool:
    try:
        validate_hpr(text)
    except InvalidIdentifier:
        return False
    return True
