"""National identity numbers: fødselsnummer, D-, H-, FH-numbers, synthetic numbers and the 2032 control rule
(fact sheet § 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from helsefellesskap.errors import InvalidIdentifier
from helsefellesskap.identity.national_id import (
    NationalIdKind,
    SyntheticSource,
    is_synthetic,
    is_valid_national_id,
    make_synthetic_national_id,
    parse_national_id,
)

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def with_check_digits(stem: str, first_remainder: int = 0) -> str | None:
    """Append check digits to a 9-digit stem so that the first check sum leaves ``first_remainder``."""
    total = sum(w * int(d) for w, d in zip(W1, stem, strict=True))
    k1 = (first_remainder - total) % 11
    if k1 == 10:
        return None
    k2 = fodselsnummer.calc_check_digit2(stem + str(k1))
    return None if k2 == "10" else stem + str(k1) + k2


def first_valid(prefix: str, first_remainder: int = 0) -> str:
    for individual in range(1000):
        number = with_check_digits(prefix + f"{individual:03d}", first_remainder)
        if number:
            return number
    raise AssertionError("no valid number")


def test_fodselsnummer_gives_birth_date_and_sex() -> None:
    parsed = parse_national_id("151086 95088")  # python-stdnum's documented example
    assert parsed.kind is NationalIdKind.FODSELSNUMMER
    assert parsed.birth_date == dt.date(1986, 10, 15)
    assert parsed.sex == "female"
    assert not parsed.is_synthetic and not parsed.rule_2032


def test_wrong_check_digit_is_rejected_with_reason() -> None:
    with pytest.raises(InvalidIdentifier, match="check digits"):
        parse_national_id("15108695077")


@pytest.mark.parametrize("text", ["", "1510869508", "151086950888", "1510869508x", "٠١٢٣٤٥٦٧٨٩٠"])
def test_wrong_form_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_national_id(text)
    assert not is_valid_national_id(text)


def test_impossible_birth_date_is_rejected() -> None:
    number = first_valid("310286")  # 31 February
    with pytest.raises(InvalidIdentifier, match="birth date"):
        parse_national_id(number)


def test_d_number_adds_40_to_the_day() -> None:
    parsed = parse_national_id(first_valid("550178"))
    assert parsed.kind is NationalIdKind.D_NUMBER and parsed.birth_date == dt.date(1978, 1, 15)


def test_h_number_adds_40_to_the_month_and_is_not_synthetic() -> None:
    parsed = parse_national_id(first_valid("154378"))
    assert parsed.kind is NationalIdKind.H_NUMBER and parsed.birth_date == dt.date(1978, 3, 15)
    assert not parsed.is_synthetic


def test_fh_number_has_no_birth_date() -> None:
    parsed = parse_national_id(first_valid("812345"))
    assert parsed.kind is NationalIdKind.FH_NUMBER and parsed.birth_date is None and parsed.sex is None


def test_tenor_synthetic_number_adds_80_to_the_month() -> None:
    number = first_valid("158386")
    parsed = parse_national_id(number)
    assert parsed.synthetic is SyntheticSource.TENOR and parsed.birth_date == dt.date(1986, 3, 15)
    assert is_synthetic(number)


def test_nav_synthetic_d_number_is_recognised() -> None:
    parsed = parse_national_id(first_valid("554386"))
    assert parsed.kind is NationalIdKind.D_NUMBER and parsed.synthetic is SyntheticSource.NAV


def test_future_birth_date_is_rejected_only_against_an_injected_today() -> None:
    number = make_synthetic_national_id(dt.date(2030, 5, 1), "female")
    assert parse_national_id(number).birth_date == dt.date(2030, 5, 1)
    with pytest.raises(InvalidIdentifier, match="future"):
        parse_national_id(number, today=dt.date(2026, 1, 1))


@pytest.mark.parametrize("remainder", [1, 2, 3])
def test_2032_rule_accepts_first_remainder_1_to_3_without_deriving_sex_or_birth_date(remainder: int) -> None:
    # Skatteetaten, new numbers from 2032: "K1 kan være 0,1,2,3" (fact sheet § 7)
    parsed = parse_national_id(first_valid("150186", remainder))
    assert parsed.rule_2032 and parsed.birth_date is None and parsed.sex is None


def test_2032_rule_still_rejects_remainder_4() -> None:
    with pytest.raises(InvalidIdentifier):
        parse_national_id(first_valid("150186", 4))


def test_invalid_number_is_not_synthetic() -> None:
    assert not is_synthetic("15838600000")


def test_synthetic_outside_encodable_years_is_refused() -> None:
    with pytest.raises(InvalidIdentifier):
        make_synthetic_national_id(dt.date(1850, 1, 1), "male")


@given(
    birth_date=st.dates(min_value=dt.date(1854, 1, 1), max_value=dt.date(2039, 12, 31)),
    sex=st.sampled_from(["female", "male"]),
    individual=st.integers(min_value=0, max_value=10_000),
)
def test_synthetic_numbers_parse_back_to_their_birth_date_and_sex(
    birth_date: dt.date, sex: str, individual: int
) -> None:
    number = make_synthetic_national_id(birth_date, sex, individual)  # type: ignore[arg-type]
    parsed = parse_national_id(number)
    assert (parsed.birth_date, parsed.sex) == (birth_date, sex)
    assert parsed.is_synthetic and is_synthetic(number)
    assert not fodselsnummer.is_valid(number)  # a real-number validator does not take it for a real person
