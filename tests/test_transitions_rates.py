"""The daily rates (døgnpris) table: data with a source, unknown years never guessed."""

from __future__ import annotations

import pytest

from helsefellesskap.errors import InvalidInput
from helsefellesskap.transitions.rates import load_daily_rates, parse_daily_rates


def test_shipped_rates_match_the_fact_sheet_and_every_row_has_a_source() -> None:
    rates = load_daily_rates()
    known = {year: rates.ore_per_day(year) for year in rates.years if rates.ore_per_day(year) is not None}
    assert known == {2012: 400000, 2014: 425500, 2015: 438700, 2016: 450500, 2017: 462200, 2018: 474700,
                     2019: 488500, 2020: 503600, 2021: 516700, 2022: 530600, 2023: 550800, 2024: 574500}
    assert all(rates.rate(year).source for year in rates.years)  # type: ignore[union-attr]


@pytest.mark.parametrize("year", [2013, 2025, 2026, 2031])
def test_unknown_years_are_unpriced_with_a_clear_message(year: int) -> None:
    rates = load_daily_rates()
    assert rates.ore_per_day(year) is None
    message = rates.unpriced_message(year)
    assert f"no daily rate is known for {year}" in message and "not priced" in message


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
