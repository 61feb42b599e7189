"""The indicators a helsefellesskap steers by: what an indicator is, the dimensions it is reported by, and its
result rows (numerator and denominator always beside the rate; small counts suppressed).

Pure: no framework, no database. The definitions themselves are in `catalogue.py`; their one implementation
each (an Ibis expression) in `expressions.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from helsefellesskap.errors import InvalidInput


class Dimension(StrEnum):
    """What a result can be broken down by. Month is the calendar month (local time) of the indicator's anchor
    event; priority group is the person's group (a person may be in several; `none` for persons in none)."""

    community = "community"
    municipality = "municipality"
    priority_group = "priority_group"
    month = "month"


# The order dimensions are shown in, whatever order they were asked in.
DIMENSION_ORDER: tuple[Dimension, ...] = (
    Dimension.community, Dimension.municipality, Dimension.priority_group, Dimension.month,
)
NO_PRIORITY_GROUP = "none"


def parse_dimensions(names: list[str] | tuple[str, ...]) -> tuple[Dimension, ...]:
    """Dimension names from a user, in display order; municipality implies its community."""
    unknown = [n for n in names if n not in Dimension.__members__]
    if unknown:
        known = ", ".join(d.value for d in DIMENSION_ORDER)
        raise InvalidInput(f"unknown dimension {unknown[0]!r} (known: {known})")
    chosen = {Dimension(n) for n in names}
    if Dimension.municipality in chosen:
        chosen.add(Dimension.community)
    return tuple(d for d in DIMENSION_ORDER if d in chosen)


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator, defined once: what is counted, over what, with what left out, and where that comes from."""

    id: str
    name: str
    definition: str
    source: str
    numerator: str
    denominator: str
    exclusions: tuple[str, ...]
    unit: str
    multiplier: float = 1  # rate = numerator / denominator * multiplier
    dimensions: tuple[Dimension, ...] = DIMENSION_ORDER
    basis: str = "B"  # V: the definition is verified in the cited source; B: partly our reading [B]
    notes: tuple[str, ...] = field(default_factory=tuple)
    # The denominator is person-time (person-days), not a count: suppressed by the fewest persons it can be
    # (`fewest_persons`), as a count of persons would be.
    person_time: bool = False

    def __post_init__(self) -> None:
        if not self.id or self.multiplier <= 0:
            raise InvalidInput(f"bad indicator definition {self.id!r}")


@dataclass(frozen=True)
class Period:
    """The observed period of a data set: [start, end) in whole days (the twin simulates whole calendar years)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(f"empty period {self.start}–{self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The period's last day (the end is excluded): the reference date of the priority groups of a run over it."""
        return self.end - timedelta(days=1)


def next_month(day: date) -> date:
    """The first day of the month after the month of `day`."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_ends(period: Period) -> list[date]:
    """The last day of each calendar month that ends inside the period, and the period's own last day: the
    reference dates of the periods that end with a month (or with the period)."""
    ends = {period.last_day}
    first = date(period.start.year, period.start.month, 1)
    while first < period.end:
        following = next_month(first)
        if following <= period.end:
            ends.add(following - timedelta(days=1))
        first = following
    return sorted(ends)


def twelve_months_through(day: date) -> Period:
    """The twelve calendar months up to and including the month of `day` (the dashboard's period)."""
    end = next_month(day)
    return Period(date(end.year - 1, end.month, 1), end)


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str, name: str) -> date:
    """A day a user gives as YYYY-MM-DD (only that form: `date.fromisoformat` would also take 20240301)."""
    try:
        if DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"{name}: not a date YYYY-MM-DD: {text!r}")


@dataclass(frozen=True)
class PeriodChoice:
    """The period a user asks for, [start, end) like `Period` (the end day excluded); a bound not given is the
    simulated period's. Asking for nothing is the whole simulated period."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidInput(f"empty period: from {self.start} to {self.end} (the end day is excluded)")

    @classmethod
    def parse(cls, start: str | None, end: str | None, names: tuple[str, str] = ("from", "to")) -> PeriodChoice:
        """The choice from the user's text: YYYY-MM-DD or nothing for each bound, `names` naming them in errors."""
        return cls(None if start is None else parse_day(start, names[0]),
                   None if end is None else parse_day(end, names[1]))

    def within(self, simulated: Period) -> Period:
        """The period chosen, which must lie inside the simulated period: outside it the twin has no data, and its
        indicators would be zeros (or the counts of a partly covered period) rather than a refusal."""
        start, end = self.start or simulated.start, self.end or simulated.end
        if not simulated.start <= start < end <= simulated.end:
            asked = " ".join(f"{word} {day}" for word, day in (("from", self.start), ("to", self.end)) if day)
            raise InvalidInput(f"the period {asked} is not inside the twin's simulated period, from "
                               f"{simulated.start} to {simulated.end} (the end day excluded)")
        return Period(start, end)


@dataclass(frozen=True)
class IndicatorResult:
    """One row of an indicator: its dimension values, numerator, denominator and rate. A suppressed row hides
    the counts under the threshold and the rate computed from them."""

    indicator: str
    dimensions: dict[str, str]
    numerator: int | None
    denominator: int | None
    rate: float | None
    suppressed: bool


@dataclass(frozen=True)
class ResultColumns:
    """One indicator's rows as columns, in row order: each dimension's labels, the counts (None where suppressed),
    the rates and the suppression flags. What the CLI writes and `rows` gives, without an object per row until
    one is asked for (a run by every dimension has over 100 000 rows)."""

    indicator: str
    dimensions: dict[str, list[str]]
    numerator: list[int | None]
    denominator: list[int | None]
    rate: list[float | None]
    suppressed: list[bool]

    def __len__(self) -> int:
        return len(self.suppressed)

    def rows(self) -> Iterator[IndicatorResult]:
        names = list(self.dimensions)
        labels = zip(*self.dimensions.values(), strict=True) if names else [()] * len(self)
        for values, numerator, denominator, rate, suppressed in zip(
                labels, self.numerator, self.denominator, self.rate, self.suppressed, strict=True):
            yield IndicatorResult(self.indicator, dict(zip(names, values, strict=True)), numerator, denominator,
                                  rate, suppressed)


def fewest_persons(person_days: int, days: int) -> int:
    """The fewest persons who can have lived `person_days` in a row covering `days` days: each lives at most every
    day of it. Small-cell suppression of a person-time denominator tests this count (two persons over a year are
    732 days: shown as days, they would tell the size of a small group)."""
    return -(-person_days // days) if days > 0 else person_days


def days_of_month(month: int, period: Period) -> int:
    """The days of month YYYYMM inside `period`."""
    year, number = divmod(month, 100)
    first = date(year, number, 1)
    return max(0, (min(next_month(first), period.end) - max(first, period.start)).days)


def rate_of(numerator: int, denominator: int, multiplier: float) -> float | None:
    """numerator / denominator * multiplier, or None for an empty denominator."""
    if denominator == 0:
        return None
    return numerator / denominator * multiplier


def month_label(month: int) -> str:
    """202403 -> "2024-03"."""
    return f"{month // 100:04d}-{month % 100:02d}"
