"""Hostile input to the identifier validators: digits of other scripts and superscripts are not ASCII digits.

``str.isdigit()`` is true for '²' and for Arabic-Indic digits: a national id with '²' was a ValueError (a traceback
at the CLI), and one in Arabic-Indic digits parsed and kept those digits as its value."""

from __future__ import annotations

import pytest

from helsefellesskap.errors import InvalidIdentifier
from helsefellesskap.identity.municipality_number import validate_district_number
from helsefellesskap.identity.national_id import is_valid_national_id, parse_national_id

VALID = "15108695088"  # python-stdnum's documented example of a valid fødselsnummer


@pytest.mark.parametrize("text", [
    VALID[:-1] + "²",  # superscript two: isdigit() but not int()-able
    VALID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic digits
    VALID.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),  # Extended Arabic-Indic digits
])
def test_national_id_of_non_ascii_digits_is_refused_as_invalid(text: str) -> None:
    with pytest.raises(InvalidIdentifier, match="11 digits"):
        parse_national_id(text)
    assert not is_valid_national_id(text)


def test_national_id_with_a_superscript_is_one_line_exit_2_at_the_cli(cli) -> None:
    result = cli("audit", "query", "--person", VALID[:-1] + "²")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "11 digits" in result.stderr
    assert "Traceback" not in result.stderr


def test_district_number_refusal_names_the_number_given() -> None:
    with pytest.raises(InvalidIdentifier) as refusal:
        validate_district_number("000112")
    assert "'000112'" in refusal.value.detail and "district" in refusal.value.detail
