"""The periods of the indicators (`indicators/model.py`): the reference dates a prepared twin stores."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from helsefellesskap.indicators.model import Period, month_ends


def test_month_ends_of_a_year_and_of_a_period_that_ends_mid_month() -> None:
    assert month_ends(Period(date(2024, 1, 1), date(2025, 1, 1)))[1:3] == [date(2024, 2, 29), date(2024, 3, 31)]
    assert month_ends(Period(date(2024, 1, 15), date(2024, 3, 10))) == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 9)]


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(1, 800))
def test_month_ends_are_the_days_of_the_period_before_a_first_and_its_last_day(start: date, days: int) -> None:
    period = Period(start, start + timedelta(days=days))
    expected = [start + timedelta(days=d) for d in range(days)
                if (start + timedelta(days=d + 1)).day == 1 or d == days - 1]
    assert month_ends(period) == expected
