"""The indicators' calendar arithmetic on the engines equals the Python rules it re-expresses."""

from __future__ import annotations

from datetime import date

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helsefellesskap.indicators.timeline import aged_at_least, aged_on_days, day_of
from helsefellesskap.priority_groups.model import age_on

LEAP_DAYS = [(date(1956, 2, 29), date(2023, 2, 28)), (date(1956, 2, 29), date(2023, 3, 1)),
             (date(1956, 2, 29), date(2024, 2, 29)), (date(1957, 3, 1), date(2024, 2, 29)),
             (date(1957, 2, 28), date(2024, 2, 28)), (date(1944, 12, 31), date(2024, 1, 1)),
             (date(1944, 2, 29), date(2024, 2, 29)), (date(1944, 3, 1), date(2024, 2, 29))]


def aged_on_engine(backend: object, pairs: list[tuple[date, date]], years: int) -> list[bool]:
    """Whether each (born, on) pair is aged `years` or more, as the indicators compute it on an engine."""
    days = [day_of(on) for _, on in pairs]
    rows = ibis.memtable({"n": list(range(len(pairs))), "born": [b for b, _ in pairs], "day": days})
    expr = rows.select("n", aged=aged_on_days(rows.born, rows.day, years, min(days), max(days))).order_by("n")
    return [bool(a) for a in backend.execute(expr)["aged"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
@settings(max_examples=25, deadline=None)
@given(pairs=st.lists(st.tuples(st.dates(date(1900, 1, 1), date(2030, 12, 31)),
                                st.dates(date(1990, 1, 1), date(2035, 12, 31))), min_size=1, max_size=40),
       years=st.sampled_from([0, 1, 4, 67, 80, 100]))
def test_aged_on_a_day_equals_the_classifier_age(engine: str, pairs: list[tuple[date, date]], years: int) -> None:
    backend = ibis.duckdb.connect() if engine == "duckdb" else ibis.sqlite.connect()
    pairs = pairs + LEAP_DAYS  # born 29 February: the birthday is 1 March in other years
    assert aged_on_engine(backend, pairs, years) == [age_on(born, on) >= years for born, on in pairs]


@settings(max_examples=50, deadline=None)
@given(born=st.lists(st.dates(date(1900, 1, 1), date(2030, 12, 31)), min_size=1, max_size=20),
       on=st.dates(date(1990, 1, 1), date(2035, 12, 31)) | st.sampled_from([date(2024, 2, 29), date(2023, 3, 1)]),
       years=st.sampled_from([0, 1, 4, 67, 80]))
def test_aged_at_least_on_a_fixed_day_equals_the_classifier_age(born: list[date], on: date, years: int) -> None:
    rows = ibis.memtable({"n": list(range(len(born))), "born": born})
    found = ibis.duckdb.connect().execute(rows.select("n", aged=aged_at_least(rows.born, on, years)).order_by("n"))
    assert [bool(a) for a in found["aged"]] == [age_on(b, on) >= years for b in born]
