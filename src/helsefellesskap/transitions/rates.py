"""The daily rate (døgnpris) of each year, set in the state budget: data with a source, never a guess.

`data/daily_rates.csv` holds `year,nok_per_day,source` (the shipped, official table); an empty rate marks a
year whose rate is not known, and a year absent from the file is unknown too. A day in such a year is
reported unpriced. An administrator can set a year's rate in the database (`rates_service`); such a rate
overrides or extends the shipped one (`DailyRates.with_overrides`) and is flagged as not from the shipped table.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from helsefellesskap.errors import InvalidInput

FIRST_YEAR = 2012  # the scheme started 1 January 2012 (forskrift 2011-11-18-1115)
LAST_YEAR = 2100
MAX_NOK_PER_DAY = 100_000  # a sanity bound (2024: 5 745), against a rate typed in øre
MAX_SOURCE = 500


class RateOrigin:
    SHIPPED = "shipped"  # data/daily_rates.csv: from the official sources cited there
    OPERATOR = "operator"  # set by an administrator in the database: not from the shipped table


@dataclass(frozen=True, slots=True)
class DailyRate:
    year: int
    nok_per_day: int | None
    source: str
    origin: str = RateOrigin.SHIPPED


def validate_rate(year: int, nok_per_day: int, source: str) -> DailyRate:
    """An operator's rate, checked: a year of the scheme, a positive whole NOK amount, a source text."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"year must be between {FIRST_YEAR} and {LAST_YEAR}, not {year}")
    if not 0 < nok_per_day <= MAX_NOK_PER_DAY:
        raise InvalidInput(f"the daily rate must be a whole number of NOK between 1 and {MAX_NOK_PER_DAY}, "
                           f"not {nok_per_day}")
    source = " ".join(source.split())
    if not source:
        raise InvalidInput("a rate needs its source (where the figure comes from)")
    if len(source) > MAX_SOURCE:
        raise InvalidInput(f"the source is at most {MAX_SOURCE} characters")
    return DailyRate(year, nok_per_day, source, RateOrigin.OPERATOR)


class DailyRates:
    """Rates by year, in øre."""

    def __init__(self, rates: list[DailyRate]) -> None:
        self._by_year = {rate.year: rate for rate in rates}
        self._ore = {rate.year: rate.nok_per_day * 100 for rate in rates if rate.nok_per_day is not None}

    def ore_per_day(self, year: int) -> int | None:
        return self._ore.get(year)

    def rate(self, year: int) -> DailyRate | None:
        return self._by_year.get(year)

    @property
    def years(self) -> list[int]:
        return sorted(self._by_year)

    @property
    def all(self) -> list[DailyRate]:
        return [self._by_year[year] for year in self.years]

    def with_overrides(self, rates: list[DailyRate]) -> DailyRates:
        """These rates, with each of `rates` replacing the year's (the operator's table over the shipped one)."""
        return DailyRates([*(r for r in self.all if r.year not in {o.year for o in rates}), *rates])


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
