"""Organisation numbers (Enhetsregisteret, mod 11), HPR numbers (form only: no public checksum) and
municipality numbers (4 digits), and the pydantic field types that make the API answer 422."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from helsefellesskap.errors import InvalidIdentifier
from helsefellesskap.identity.hpr import is_valid_hpr, validate_hpr
from helsefellesskap.identity.municipality_number import validate_district_number, validate_municipality_number
from helsefellesskap.identity.orgnr import is_valid_orgnr, validate_orgnr
from helsefellesskap.identity.types import HprStr, MunicipalityNumberStr, NationalIdStr, OrgnrStr


def test_orgnr_mod11_is_checked() -> None:
    assert validate_orgnr("988 077 917") == "988077917"  # python-stdnum's documented example
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_orgnr("988077918")
    with pytest.raises(InvalidIdentifier, match="9 digits"):
        validate_orgnr("98807791")
    assert not is_valid_orgnr("abc")


def test_hpr_is_digits_only_without_checksum() -> None:
    assert validate_hpr("0012345") == "12345"
    assert is_valid_hpr("9144889")
    for bad in ["", "0", "12a45", "1234567890"]:
        assert not is_valid_hpr(bad)


def test_municipality_number_is_4_digits_and_optionally_known() -> None:
    assert validate_municipality_number("0301") == "0301"
    for bad in ["301", "03010", "abcd", "0001"]:
        with pytest.raises(InvalidIdentifier):
            validate_municipality_number(bad)
    with pytest.raises(InvalidIdentifier, match="not a municipality in the register"):
        validate_municipality_number("9999", known={"0301"})


def test_district_number_is_6_digits() -> None:
    assert validate_district_number("030112") == "030112"
    with pytest.raises(InvalidIdentifier):
        validate_district_number("0301")


class Sample(BaseModel):
    patient: NationalIdStr
    orgnr: OrgnrStr
    hpr: HprStr
    municipality: MunicipalityNumberStr


def test_annotated_types_normalise_valid_values() -> None:
    sample = Sample(patient="151086-95088", orgnr="988 077 917", hpr="012", municipality="0301")
    assert (sample.patient, sample.orgnr, sample.hpr) == ("15108695088", "988077917", "12")


def test_annotated_types_reject_invalid_values_with_the_reason() -> None:
    with pytest.raises(ValidationError) as info:
        Sample(patient="15108695077", orgnr="988077918", hpr="x", municipality="31")
    fields = {err["loc"][0] for err in info.value.errors()}
    assert fields == {"patient", "orgnr", "hpr", "municipality"}
    assert "check digits" in str(info.value)
