"""Hospital Frailty Risk Score (HFRS): Gilbert T, et al. Lancet 2018;391:1775–82.

The score is the sum of the points of the distinct ICD-10 three-character categories of a person's diagnoses
(in the paper: the index admission and the emergency admissions of the preceding two years). The 109 categories
and their points are in `data/hfrs_weights.csv` (provenance in `data/README.md`). Points are Decimal so the band
boundaries (5, 15) are exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources

HFRS_SOURCE = "Gilbert T, et al. Hospital Frailty Risk Score. Lancet 2018;391:1775-82, supplementary appendix"
HFRS_CATEGORY_COUNT = 109  # the paper's table has 109 ICD-10 categories
# Risk bands of the paper: low < 5, intermediate 5-15, high > 15.
INTERMEDIATE_FROM = Decimal(5)
HIGH_ABOVE = Decimal(15)


class HfrsBand(StrEnum):
    low = "low"
    intermediate = "intermediate"
    high = "high"


@dataclass(frozen=True)
class HfrsWeight:
    code: str  # ICD-10 three-character category, e.g. "F00"
    description: str
    points: Decimal


@dataclass(frozen=True)
class HfrsResult:
    score: Decimal
    band: HfrsBand
    contributions: tuple[HfrsWeight, ...]  # the categories that scored, highest points first


def band_of(score: Decimal) -> HfrsBand:
    # Gilbert 2018: low risk < 5, intermediate 5-15, high > 15.
    if score < INTERMEDIATE_FROM:
        return HfrsBand.low
    if score <= HIGH_ABOVE:
        return HfrsBand.intermediate
    return HfrsBand.high


@dataclass(frozen=True)
class HfrsTable:
    weights: Mapping[str, HfrsWeight]

    def score(self, codes: Iterable[str]) -> HfrsResult:
        """Score normalised ICD-10 codes ("F001", "W19"); each category counts once, whatever its subdivisions."""
        categories = {code[:3] for code in codes}
        scored = sorted(
            (self.weights[c] for c in categories if c in self.weights), key=lambda w: (-w.points, w.code)
        )
        total = sum((w.points for w in scored), Decimal(0))
        return HfrsResult(total, band_of(total), tuple(scored))


def parse_hfrs_table(text: str) -> HfrsTable:
    """Read and check the CSV (code, description, points); a broken table is a programming error."""
    weights: dict[str, HfrsWeight] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["code"].strip()
        points = Decimal(row["points"])
        if len(code) != 3 or code in weights or points <= 0:
            raise ValueError(f"bad HFRS row: {row}")
        weights[code] = HfrsWeight(code, row["description"].strip(), points)
    if len(weights) != HFRS_CATEGORY_COUNT:
        raise ValueError(f"the HFRS table has {len(weights)} categories, the paper has {HFRS_CATEGORY_COUNT}")
    return HfrsTable(weights)


@cache
def load_hfrs_table() -> HfrsTable:
    """The shipped table (package data), read once."""
    text = resources.files("helsefellesskap.priority_groups").joinpath("data/hfrs_weights.csv").read_text("utf-8")
    return parse_hfrs_table(text)


def hfrs_score(codes: Iterable[str], table: HfrsTable | None = None) -> HfrsResult:
    return (table or load_hfrs_table()).score(codes)
