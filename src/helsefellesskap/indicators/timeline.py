"""Calendar arithmetic that every engine can run: times become integer seconds and day numbers.

SQLite's Ibis backend has no interval arithmetic and neither SQLite nor PostgreSQL turn epoch seconds back into
timestamps, so the indicators work on integers: a time is its Unix epoch seconds, a day is its number since
1970-01-01; ages are comparisons of day numbers (`aged_on_days`) and months come from a small table of the
period's months (`expressions.months_of`) — far cheaper than calendar arithmetic per row.

Local time is taken as UTC+1 (Norwegian standard time), as the synthetic twin does: during summer time an event
between midnight and 01:00 local time falls on the previous day [B: a known simplification; exact Europe/Oslo
conversion is not portable to SQLite].
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

DAY = 86_400
HOUR = 3_600
LOCAL_OFFSET = HOUR  # UTC+1 [B, see the module docstring]
EPOCH = date(1970, 1, 1)


def seconds(time: ir.TimestampValue) -> ir.IntegerValue:
    return time.epoch_seconds().cast("int64")


def local_day(time: ir.TimestampValue) -> ir.IntegerValue:
    """The local calendar day of a time, as days since 1970-01-01."""
    return (seconds(time) + LOCAL_OFFSET) // DAY


def day_number(day: ir.DateValue) -> ir.IntegerValue:
    """Days since 1970-01-01 of a date."""
    return day.epoch_days().cast("int64")


def day_of(value: date) -> int:
    """The day number of a Python date (for literals)."""
    return (value - EPOCH).days


def latest_birth(on: date, years: int) -> date:
    """The last birth date of a person aged `years` or more on `on` (as `priority_groups.model.age_on`: born 29
    February, the birthday is 1 March in other years): the same day `years` years earlier, or 28 February when
    that year has no 29 February."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return date(on.year - years, 2, 28)


def aged_at_least(birth: ir.DateValue, on: date, years: int) -> ir.BooleanValue:
    """`priority_groups.model.age_on(birth, on) >= years` as one date comparison, far cheaper than taking dates
    apart on every row."""
    return birth <= latest_birth(on, years)


def aged_on_days(birth: ir.DateValue, day: ir.IntegerValue, years: int, first: int, last: int) -> ir.BooleanValue:
    """Aged `years` or more on `day`, a day number from `first` to `last`: born on or before `day` less an offset
    (from a day to the latest birth date of that age) that changes only about 1 March — over the days from
    `first` to `last`, a handful of ranges. A small CASE and an integer comparison per row, instead of taking
    dates apart or joining a calendar (whose estimates mislead DuckDB's join order)."""
    pieces: list[tuple[int, int]] = []  # (first day, offset) of each range of days with the same offset
    for d in range(first, last + 1):
        offset = d - day_of(latest_birth(EPOCH + timedelta(days=d), years))
        if not pieces or pieces[-1][1] != offset:
            pieces.append((d, offset))
    if not pieces:
        return ibis.literal(False)
    ranges = [(day < start, offset) for (start, _), (_, offset) in zip(pieces[1:], pieces[:-1], strict=True)]
    offset = ibis.cases(*ranges, else_=pieces[-1][1]) if ranges else ibis.literal(pieces[0][1])
    return day_number(birth) <= day - offset
