"""Calendar arithmetic that every engine can run: times become integer seconds and day numbers.

SQLite's Ibis backend has no interval arithmetic and neither SQLite nor PostgreSQL turn epoch seconds back into
timestamps, so the indicators work on integers: a time is its Unix epoch seconds, a day is its number since
1970-01-01, and a day number becomes a date again (an age, a month) through a join with a small table of the
days or months concerned (`calendar`, `expressions.months_of`) — far cheaper than calendar arithmetic per row.

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


def yyyymmdd(day: ir.DateValue) -> ir.IntegerValue:
    """A date as the integer YYYYMMDD (`years_between` takes two of them)."""
    return day.year().cast("int64") * 10_000 + day.month().cast("int64") * 100 + day.day().cast("int64")


def calendar(first: int, last: int) -> ir.Table:
    """day (day number), yyyymmdd: every day from `first` to `last` (day numbers). Joined on the day number, it
    turns days back into dates for a few hundred rows' cost instead of calendar arithmetic on every row."""
    days = range(first, last + 1)
    return ibis.memtable(
        {"day": list(days), "yyyymmdd": [int((EPOCH + timedelta(days=d)).strftime("%Y%m%d")) for d in days]},
        schema={"day": "int64", "yyyymmdd": "int64"},
    )


def years_between(born: ir.IntegerValue, on: ir.IntegerValue) -> ir.IntegerValue:
    """Whole years of age on `on` of a person born on `born` (both YYYYMMDD): the difference of the years, less
    one before the birthday (month and day compared in order, the last four digits). Born 29 February, the
    birthday is 1 March in other years (0229 > 0228), as in `priority_groups.model.age_on`."""
    return (on - born) // 10_000


def age_on(birth: ir.DateValue, on: date) -> ir.IntegerValue:
    """Whole years of age on a given date."""
    born_md = birth.month().cast("int64") * 100 + birth.day().cast("int64")
    return on.year - birth.year().cast("int64") - ibis.ifelse(born_md > on.month * 100 + on.day, 1, 0)


def day_of(value: date) -> int:
    """The day number of a Python date (for literals)."""
    return (value - EPOCH).days


def aged_at_least(birth: ir.DateValue, on: date, years: int) -> ir.BooleanValue:
    """`age_on(birth, on) >= years` as one date comparison — born on or before the same day `years` years
    earlier ((year, month-day) compared in order) — far cheaper than taking dates apart on every row. For a
    29 February `on` whose counterpart year has no 29 February, the arithmetic form."""
    try:
        latest = on.replace(year=on.year - years)
    except ValueError:
        return age_on(birth, on) >= years
    return birth <= latest
