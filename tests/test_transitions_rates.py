"""The daily rates (døgnpris) table: data with a source, unknown years never guessed."""

from __future__ import annotations

import pytest

from helsefellesskap.errors import InvalidInput
from helsefellesskap.transitions.notes import Note
from helsefellesskap.transitions.rates import RateOrigin, load_daily_rates, parse_daily_rates, validate_rate


def test_shipped_rates_match_the_fact_sheet_and_every_row_has_a_source() -> None:
    rates = load_daily_rates()
    known = {year: rates.ore_per_day(year) for year in rates.years if rates.ore_per_day(year) is not None}
    assert known == {2012: 400000, 2014: 425500, 2015: 438700, 2016: 450500, 2017: 462200, 2018: 474700,
                     2019: 488500, 2020: 503600, 2021: 516700, 2022: 530600, 2023: 550800, 2024: 574500}
    assert all(rates.rate(year).source for year in rates.years)  # type: ignore[union-attr]


@pytest.mark.parametrize("year", [2013, 2025, 2026, 2031])
def test_unknown_years_are_unpriced_with_a_note_that_names_the_year(year: int) -> None:
    assert load_daily_rates().ore_per_day(year) is None
    note = Note.of("PAY-UNPRICED-YEAR", year=year)
    assert f"no daily rate is known for {year}" in note.text and "not priced" in note.text


def test_an_operators_rate_overrides_or_extends_the_shipped_table() -> None:
    shipped = load_daily_rates()
    rates = shipped.with_overrides([validate_rate(2025, 5975, "demo estimate"), validate_rate(2024, 5800, "x")])
    assert rates.ore_per_day(2025) == 597500 and rates.rate(2025).origin == RateOrigin.OPERATOR  # type: ignore[union-attr]
    assert rates.ore_per_day(2024) == 580000
    assert rates.rate(2023) == shipped.rate(2023) and rates.rate(2023).origin == RateOrigin.SHIPPED  # type: ignore[union-attr]
    assert shipped.ore_per_day(2025) is None  # the shipped table itself is unchanged


@pytest.mark.parametrize(
    ("year", "nok", "source", "error"),
    [(2011, 5000, "x", "year must be between"), (2101, 5000, "x", "year must be between"),
     (2025, 0, "x", "whole number of NOK"), (2025, 597500, "x", "whole number of NOK"),
     (2025, 5975, "  ", "needs its source"), (2025, 5975, "x" * 501, "at most 500")],
)
def test_an_operators_rate_is_checked(year: int, nok: int, source: str, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        validate_rate(year, nok, source)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("year,nok_per_day,source\n2024,5745,\n", "needs its source"),
        ("year,nok_per_day,source\n2024,-1,x\n", "must be positive"),
        ("year,nok_per_day,source\nnext,5745,x\n", "line 2"),
    ],
)
def test_a_bad_rates_file_is_refused(text: str, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        parse_daily_rates(text)
