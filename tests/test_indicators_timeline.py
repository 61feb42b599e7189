"""The indicators' calendar arithmetic on the engines equals the Python rules it re-expresses."""

from __future__ import annotations

from datetime import date

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helsefellesskap.indicators.timeline import calendar, day_of, years_between, yyyymmdd
from helsefellesskap.priority_groups.model import age_on

LEAP_DAYS = [(date(1956, 2, 29), date(2023, 2, 28)), (date(1956, 2, 29), date(2023, 3, 1)),
             (date(1956, 2, 29), date(2024, 2, 29)), (date(1957, 3, 1), date(2024, 2, 29)),
             (date(1957, 2, 28), date(2024, 2, 28)), (date(1944, 12, 31), date(2024, 1, 1))]


def ages_on_engine(backend: object, pairs: list[tuple[date, date]]) -> list[int]:
    """Age of each (born, on) pair as the indicators compute it: `on` through the day-number calendar."""
    days = [day_of(on) for _, on in pairs]
    rows = ibis.memtable({"n": list(range(len(pairs))), "born": [b for b, _ in pairs], "day": days})
    cal = calendar(min(days), max(days))
    joined = rows.join(cal, rows.day == cal.day)
    expr = joined.select("n", age=years_between(yyyymmdd(joined.born), joined.yyyymmdd)).order_by("n")
    return [int(a) for a in backend.execute(expr)["age"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
@settings(max_examples=25, deadline=None)
@given(pairs=st.lists(st.tuples(st.dates(date(1900, 1, 1), date(2030, 12, 31)),
                                st.dates(date(1990, 1, 1), date(2035, 12, 31))), min_size=1, max_size=40))
def test_age_from_the_calendar_equals_the_classifier_age(engine: str, pairs: list[tuple[date, date]]) -> None:
    backend = ibis.duckdb.connect() if engine == "duckdb" else ibis.sqlite.connect()
    pairs = pairs + LEAP_DAYS  # born 29 February: the birthday is 1 March in other years
    assert ages_on_engine(backend, pairs) == [age_on(born, on) for born, on in pairs]
