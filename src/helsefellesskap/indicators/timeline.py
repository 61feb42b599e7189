"""Calendar arithmetic that every engine can run: times become integer seconds and day numbers.

SQLite's Ibis backend has no interval arithmetic and neither SQLite nor PostgreSQL turn epoch seconds back into
timestamps, so the indicators work on integers: a time is its Unix epoch seconds, a day is its number since
1970-01-01, and the month of a day is computed with the civil-from-days algorithm (Howard Hinnant, "chrono-
compatible low-level date algorithms"), which needs only integer division.

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


def day_number(day: ir.DateValue) -> ir.IntegerValue:
    """Days since 1970-01-01 of a date (Hinnant's days_from_civil)."""
    y = day.year().cast("int64")
    m = day.month().cast("int64")
    d = day.day().cast("int64")
    y = y - ibis.ifelse(m <= 2, 1, 0)
    era = y // 400
    yoe = y - era * 400
    mp = ibis.ifelse(m > 2, m - 3, m + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def month_of_day(days: ir.IntegerValue) -> ir.IntegerValue:
    """YYYYMM of a day number (Hinnant's civil_from_days; days after 0000-03-01)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = ibis.ifelse(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + ibis.ifelse(month <= 2, 1, 0)
    return year * 100 + month


def age_on(birth: ir.DateValue, day: ir.IntegerValue) -> ir.IntegerValue:
    """Whole years of age on a day number (the birthday of 29 February falls on 1 March in other years)."""
    month_day = month_of_day(day) % 100 * 100  # MM00
    years = month_of_day(day) // 100 - birth.year().cast("int64")
    born_md = birth.month().cast("int64") * 100 + birth.day().cast("int64")
    day_md = month_day + _day_of_month(day)
    return years - ibis.ifelse(day_md < born_md, 1, 0)


def _day_of_month(days: ir.IntegerValue) -> ir.IntegerValue:
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    return doy - (153 * mp + 2) // 5 + 1


def day_of(value: date) -> int:
    """The day number of a Python date (for literals)."""
    return (value - EPOCH).days
