"""The times the platform takes from outside (a message, an API query or body): aware, and from 1900 up to
(not including) 3000 in UTC. A typing error such as year 0001 or 9999 is refused as invalid input, where it was an
HTTP 500: such a time cannot be converted to UTC (0001-01-01 00:30 +01:00 lies before year 1) or have a deadline
added to it, and the database cannot always store it. The bounds are checked in pydantic-core (no Python call)."""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)  # excluded
BOUNDS_TEXT = "from 1900 to before 3000 (UTC)"


def check_moment(moment: dt.datetime, name: str) -> dt.datetime:
    """Refuse a time outside the bounds with ValueError naming ``name`` (for the CLI's own parsing)."""
    try:
        inside = EARLIEST <= moment < LATEST
    except OverflowError:  # comparing converts to UTC, which a time at the edge of the calendar cannot be
        inside = False
    if not inside:
        raise ValueError(f"{name} must lie {BOUNDS_TEXT}")
    return moment
