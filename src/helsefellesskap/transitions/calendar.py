"""Norwegian calendar days: the forskrift counts days (døgn) as dates in Europe/Oslo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def oslo_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(OSLO).date()


def end_of_oslo_day(moment: dt.datetime) -> dt.datetime:
    """The first instant of the next Oslo date (a deadline 'the same day' is met strictly before it)."""
    next_day = oslo_date(moment) + dt.timedelta(days=1)
    return dt.datetime(next_day.year, next_day.month, next_day.day, tzinfo=OSLO)


def dates_between(first: dt.date, end: dt.date) -> list[dt.date]:
    """Dates from `first` included to `end` excluded."""
    return [first + dt.timedelta(days=n) for n in range((end - first).days)]
