"""The daily rate (døgnpris) of each year, set in the state budget: data with a source, never a guess.

`data/daily_rates.csv` holds `year,nok_per_day,source`; an empty rate marks a year whose rate is not
known, and a year absent from the file is unknown too. A day in such a year is reported unpriced.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from helsefellesskap.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DailyRate:
    year: int
    nok_per_day: int | None
    source: str


class DailyRates:
    """Rates by year, in øre."""

    def __init__(self, rates: list[DailyRate]) -> None:
        self._by_year = {rate.year: rate for rate in rates}
        self._ore = {rate.year: rate.nok_per_day * 100 for rate in rates if rate.nok_per_day is not None}

    def ore_per_day(self, year: int) -> int | None:
        return self._ore.get(year)

    def rate(self, year: int) -> DailyRate | None:
        return self._by_year.get(year)

    def unpriced_message(self, year: int) -> str:
        rate = self._by_year.get(year)
        known = f" ({rate.source})" if rate is not None else ""
        return (
            f"no daily rate is known for {year}{known}: its delayed-discharge days are counted but not priced; "
            "add the rate from the state budget to daily_rates.csv"
        )

    @property
    def years(self) -> list[int]:
        return sorted(self._by_year)


def parse_daily_rates(text: str) -> DailyRates:
    rates: list[DailyRate] = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            year = int(row["year"])
            nok = int(row["nok_per_day"]) if row["nok_per_day"].strip() else None
            source = row["source"].strip()
        except (KeyError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"daily rates line {number}: {exc}") from None
        if not source:
            raise InvalidInput(f"daily rates line {number}: a rate needs its source")
        if nok is not None and nok <= 0:
            raise InvalidInput(f"daily rates line {number}: the rate must be positive")
        rates.append(DailyRate(year, nok, source))
    return DailyRates(rates)


@lru_cache(maxsize=1)
def load_daily_rates() -> DailyRates:
    """The shipped rates (read once from the package data)."""
    text = resources.files("helsefellesskap.transitions").joinpath("data/daily_rates.csv").read_text("utf-8")
    return parse_daily_rates(text)
