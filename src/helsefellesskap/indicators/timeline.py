"""Calendar arithmetic that every engine can run: times become integer seconds and day numbers.

SQLite's Ibis backend has no interval arithmetic and neither SQLite nor PostgreSQL turn epoch seconds back into
timestamps, so the indicators work on integers: a time is its Unix epoch seconds, a day is its number since
1970-01-01 (birthdays computed with Howard Hinnant's days_from_civil, which needs only integer division), and the
month of a day comes from a small table of the period's months (`expressions.months_of`).

Local time is taken as UTC+1 (Norwegian standard time), as the synthetic twin does: during summer time an event
between midnight and 01:00 local time falls on the previous day [B: a known simplification; exact Europe/Oslo
conversion is not portable to SQLite].
"""

from __future__ import annotations

from datetime import date

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


def _days_from_civil(y: ir.IntegerValue, m: ir.IntegerValue, d: ir.IntegerValue) -> ir.IntegerValue:
    """Hinnant's days_from_civil; a day past the month's end rolls into the next month (29 February -> 1 March)."""
    y = y - ibis.ifelse(m <= 2, 1, 0)
    era = y // 400
    yoe = y - era * 400
    mp = ibis.ifelse(m > 2, m - 3, m + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def day_number(day: ir.DateValue) -> ir.IntegerValue:
    """Days since 1970-01-01 of a date."""
    return day.epoch_days().cast("int64")


def birthday(birth: ir.DateValue, years: int) -> ir.IntegerValue:
    """The day number of the `years`th birthday (born 29 February: 1 March in other years)."""
    return _days_from_civil(birth.year().cast("int64") + years, birth.month().cast("int64"), birth.day().cast("int64"))


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
