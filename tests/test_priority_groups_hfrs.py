"""The Hospital Frailty Risk Score (Gilbert T, et al. Lancet 2018;391:1775–82): the shipped table and the score,
cross-checked against comorbidipy, an independent public implementation (dev dependency, tests only)."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pandas.core.common
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helsefellesskap.priority_groups.hfrs import (
    HFRS_CATEGORY_COUNT,
    HfrsBand,
    band_of,
    hfrs_score,
    load_hfrs_table,
    parse_hfrs_table,
)

# comorbidipy 0.5.0 imports `SettingWithCopyWarning` from `pandas.core.common`, which pandas 3 removed; give the
# import the warning class it only uses to silence warnings. The calculation itself is comorbidipy's own code.
if not hasattr(pandas.core.common, "SettingWithCopyWarning"):
    pandas.core.common.SettingWithCopyWarning = type("SettingWithCopyWarning", (Warning,), {})  # type: ignore[attr-defined]

import comorbidipy
from comorbidipy.mapping import hfrs_mapping

TABLE = load_hfrs_table()


def comorbidipy_scores(patients: list[list[str]]) -> dict[int, float]:
    rows = [(i, code) for i, codes in enumerate(patients) for code in codes]
    frame = pd.DataFrame(rows, columns=["id", "code"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = comorbidipy.hfrs(frame)
    scores = {int(row.id): float(row.hfrs) for row in result.itertuples()}
    return {i: scores.get(i, 0.0) for i in range(len(patients))}


def test_hfrs_gilbert_2018_table_has_109_categories_as_comorbidipy() -> None:
    ours = {code: weight.points for code, weight in TABLE.weights.items()}
    assert len(ours) == HFRS_CATEGORY_COUNT == 109
    assert ours == {code: Decimal(str(points)) for code, points in hfrs_mapping.items()}
    assert sum(ours.values()) == Decimal("173.2")
    assert (ours["F00"], ours["G81"], ours["R50"]) == (Decimal("7.1"), Decimal("4.4"), Decimal("0.1"))


@pytest.mark.parametrize(
    ("score", "band"),
    [("0", "low"), ("4.9", "low"), ("5", "intermediate"), ("15", "intermediate"), ("15.1", "high"), ("40", "high")],
)
def test_hfrs_bands_gilbert_2018_low_below_5_high_above_15(score: str, band: str) -> None:
    assert band_of(Decimal(score)) is HfrsBand(band)


def test_hfrs_counts_each_three_character_category_once() -> None:
    result = hfrs_score(["F001", "F00", "F009", "W19", "I10"])
    assert result.score == Decimal("10.3")
    assert [w.code for w in result.contributions] == ["F00", "W19"]
    assert hfrs_score([]).score == Decimal(0) and hfrs_score([]).band is HfrsBand.low


def test_hfrs_table_refuses_a_broken_table() -> None:
    with pytest.raises(ValueError, match="109"):
        parse_hfrs_table("code,description,points\nF00,Dementia in Alzheimers disease,7.1\n")
    with pytest.raises(ValueError, match="bad HFRS row"):
        parse_hfrs_table("code,description,points\nF00,x,7.1\nF00,x,7.1\n")


HFRS_CODES = sorted(TABLE.weights)
OTHER_CODES = ["I10", "E11", "C50", "J45", "K35", "Z00", "O80", "M54"]
SUBDIVISION = st.sampled_from(["", "0", "1", "6", "9", "8A"])
CODE = st.one_of(
    st.tuples(st.sampled_from(HFRS_CODES), SUBDIVISION).map("".join),
    st.tuples(st.sampled_from(OTHER_CODES), SUBDIVISION).map("".join),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(CODE, max_size=15), min_size=1, max_size=20))
def test_hfrs_score_equals_comorbidipy_for_synthetic_patients(patients: list[list[str]]) -> None:
    theirs = comorbidipy_scores(patients)
    for i, codes in enumerate(patients):
        assert float(hfrs_score(codes).score) == pytest.approx(theirs[i], abs=1e-9), codes
