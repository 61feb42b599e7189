"""The indicators a helsefellesskap steers by: what an indicator is, the dimensions it is reported by, and its
result rows (numerator and denominator always beside the rate; small counts suppressed).

Pure: no framework, no database. The definitions themselves are in `catalogue.py`; their one implementation
each (an Ibis expression) in `expressions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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


def rate_of(numerator: int, denominator: int, multiplier: float) -> float | None:
    """numerator / denominator * multiplier, or None for an empty denominator."""
    if denominator == 0:
        return None
    return numerator / denominator * multiplier


def month_label(month: int) -> str:
    """202403 -> "2024-03"."""
    return f"{month // 100:04d}-{month % 100:02d}"
