"""Each indicator on a small hand-built twin whose right answer was computed by hand (comments give the sums).

The twins are written as Parquet with the synthetic twin's own schemas and read by DuckDB, the default engine.
All times are UTC; local time is UTC+1 (docs/indicators.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helsefellesskap.indicators import catalogue as c
from helsefellesskap.indicators.engines import duckdb_twin
from helsefellesskap.indicators.groups import person_groups
from helsefellesskap.indicators.model import (
    Dimension,
    IndicatorResult,
    Period,
    days_of_month,
    fewest_persons,
    rate_of,
)
from helsefellesskap.indicators.prepared import prepare
from helsefellesskap.indicators.service import _columns, compute
from helsefellesskap.synth.tables import SCHEMAS

UTC = dt.UTC


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=UTC)


class TinyTwin:
    """Rows for the twin's tables; missing columns are null."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
        self.rows["municipalities"] = [
            {"municipality": "3103", "name": "Moss", "community": "ostfold", "population": 50000},
            {"municipality": "0301", "name": "Oslo", "community": "oslo", "population": 700000},
        ]
        self.messages = 0

    def person(self, person_id: int, born: dt.date, *, sex: str = "female", municipality: str = "3103",
               died: dt.date | None = None) -> None:
        community = "oslo" if municipality == "0301" else "ostfold"
        self.rows["persons"].append({"person_id": person_id, "birth_date": born, "sex": sex,
                                     "municipality": municipality, "community": community})
        if died:
            self.rows["deaths"].append({"person_id": person_id, "died_on": died, "place": "hospital"})

    def stay(self, stay_id: str, person_id: int, admitted: dt.datetime, discharged: dt.datetime, *,
             acute: bool = True, diagnosis: str = "R10.4", destination: str = "home", service: str = "somatic",
             municipality: str = "3103", **times: dt.datetime) -> None:
        self.rows["stays"].append({
            "stay_id": stay_id, "person_id": person_id, "municipality": municipality, "service": service,
            "acute": acute, "admitted_at": admitted, "discharged_at": discharged, "destination": destination,
            "primary_diagnosis": diagnosis, "diagnoses": [diagnosis], **times,
        })  # fmt: skip

    def message(self, stay_id: str, kind: str, sent: dt.datetime, **fields: Any) -> None:
        self.messages += 1
        self.rows["messages"].append({"id": f"{stay_id}-{self.messages}", "type": kind, "stay_id": stay_id,
                                      "sent_at": sent, **fields})

    def service(self, person_id: int, kind: str, start: dt.date, origin: str, end: dt.date | None = None) -> None:
        self.rows["services"].append({"service_id": f"V{len(self.rows['services'])}", "person_id": person_id,
                                      "municipality": "3103", "kind": kind, "start": start, "end": end,
                                      "origin": origin})

    def condition(self, person_id: int, code: str, onset: dt.date) -> None:
        self.rows["conditions"].append({"person_id": person_id, "code": code, "onset_date": onset})

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for name, schema in SCHEMAS.items():
            pq.write_table(pa.Table.from_pylist(self.rows[name], schema=schema), directory / f"{name}.parquet")
        return directory


def only(results: list[IndicatorResult]) -> IndicatorResult:
    assert len(results) == 1, results
    return results[0]


def run(twin: TinyTwin, tmp_path: Path, definition: c.IndicatorDefinition, *dimensions: Dimension,
        threshold: int = 1) -> list[IndicatorResult]:
    return compute(duckdb_twin(twin.write(tmp_path / "twin")), [definition], dimensions, threshold=threshold)


def readmission_twin() -> TinyTwin:
    t = TinyTwin()
    old = dt.date(1940, 5, 5)
    for person in (1, 5, 6, 7, 8, 9, 10):
        t.person(person, old)
    t.person(2, dt.date(1954, 1, 1))  # 70
    t.person(3, dt.date(1957, 3, 2))  # 66 on 1 March 2024: not in the indicator
    t.person(4, dt.date(1957, 3, 1))  # 67 on the day of admission: in it
    # 1: acute readmission exactly 8 hours after discharge -> readmitted.
    t.stay("1a", 1, at(3, 1, 8), at(3, 5, 10), diagnosis="I50.9")
    t.stay("1b", 1, at(3, 5, 18), at(3, 7))
    # 2: 7 h 59 min after discharge: too early to be a readmission (the 8-hour lower bound).
    t.stay("2a", 2, at(4, 1), at(4, 4, 10), diagnosis="J18.9")
    t.stay("2b", 2, at(4, 4, 17, 59), at(4, 5))
    # 3: aged 66 -> not an index stay, whatever follows.
    t.stay("3a", 3, at(3, 1), at(3, 3), diagnosis="I50.9")
    t.stay("3b", 3, at(3, 4), at(3, 6))
    # 4: 67 on the day, no readmission.
    t.stay("4a", 4, at(3, 1), at(3, 4), diagnosis="I50.9")
    # 5: a planned admission does not count; an acute one 29 days 23 hours after discharge does.
    t.stay("5a", 5, at(5, 1), at(5, 10, 10), diagnosis="S72.0")
    t.stay("5b", 5, at(5, 15), at(5, 16), acute=False)
    t.stay("5c", 5, at(6, 9, 9), at(6, 12))
    # 6: 30 days and 1 hour after discharge: too late.
    t.stay("6a", 6, at(7, 1), at(7, 3, 10), diagnosis="N39.0")
    t.stay("6b", 6, at(8, 2, 11), at(8, 4))
    # Excluded index stays: died, not in the 11 groups, discharged < 30 days before the end, transferred.
    t.stay("7a", 7, at(3, 1), at(3, 2), diagnosis="I50.9", destination="died")
    t.stay("8a", 8, at(3, 1), at(3, 2), diagnosis="R07.4")
    t.stay("8b", 8, at(3, 3), at(3, 4))
    t.stay("9a", 9, at(12, 10), at(12, 15), diagnosis="I50.9")
    t.stay("10a", 10, at(3, 1), at(3, 2), diagnosis="I50.9", destination="other_hospital")
    t.stay("10b", 10, at(3, 3), at(3, 4))
    return t


def test_readmission_counts_acute_admissions_8_hours_to_30_days_after_discharge_of_67_plus(tmp_path: Path) -> None:
    # NKI [V S42, S84]: index stays 1a, 2a, 4a, 5a, 6a; readmitted 1a (8 h) and 5a (29 d 23 h).
    result = only(run(readmission_twin(), tmp_path, c.READMISSION))
    assert (result.numerator, result.denominator) == (2, 5)
    assert result.rate == pytest.approx(40.0)


def test_small_counts_are_suppressed_and_the_rate_with_them(tmp_path: Path) -> None:
    result = only(run(readmission_twin(), tmp_path, c.READMISSION, threshold=5))
    assert result.suppressed and result.numerator is None and result.rate is None
    assert result.denominator == 5  # 5 is not under the threshold: shown


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=20), st.integers(1, 12))
def test_no_result_shows_a_count_under_the_threshold_nor_a_rate_beside_a_hidden_count(
        counts: list[tuple[int, int]], threshold: int) -> None:
    # The rows as the engine returns them (one municipality each), before suppression.
    columns = pa.table({"municipality": pa.array([f"{i:04d}" for i in range(len(counts))], pa.string()),
                        "numerator": pa.array([n for n, _ in counts], pa.int64()),
                        "denominator": pa.array([d for _, d in counts], pa.int64())})
    year = Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    results = list(_columns(c.READMISSION, columns, (Dimension.municipality,), threshold, year).rows())
    for (numerator, denominator), result in zip(counts, results, strict=True):
        small_denominator = 1 <= denominator < threshold
        assert result.denominator is None if small_denominator else result.denominator == denominator
        # The numerator counts over the denominator's units: hidden when it is small, and beside a hidden denominator.
        small_numerator = 1 <= numerator < threshold
        assert result.numerator is None if small_numerator or small_denominator else result.numerator == numerator
        assert result.suppressed == (result.numerator is None or result.denominator is None)
        if result.suppressed:
            assert result.rate is None
        else:
            assert result.rate == rate_of(numerator, denominator, c.READMISSION.multiplier)


def delayed_twin() -> TinyTwin:
    t = TinyTwin()
    for person in (1, 2, 4):
        t.person(person, dt.date(1940, 1, 1))
    t.person(3, dt.date(1950, 1, 1))  # 73: 67+ only
    t.person(5, dt.date(2000, 1, 1))  # 24: in neither
    t.person(6, dt.date(1944, 1, 2))  # 79 on 1 January 2024 (80 the next day): 67+ inhabitant only
    # 1: refused, then can receive: 10 May -> 14 May = 4 days.
    t.stay("a", 1, at(5, 8), at(5, 14, 11), ready_at=at(5, 10, 9))
    t.message("a", "municipal_response", at(5, 10), can_receive=False)
    t.message("a", "municipal_response", at(5, 13, 9), can_receive=True)
    # 2: the municipality could receive at once: no overliggerdøgn although discharge came two days later.
    t.stay("b", 2, at(5, 20), at(5, 23), ready_at=at(5, 21, 9))
    t.message("b", "municipal_response", at(5, 21), can_receive=True)
    # 3: no answer (§ 13: "or has not answered"): 2 June -> 4 June = 2 days.
    t.stay("c", 3, at(6, 1), at(6, 4), ready_at=at(6, 2, 12))
    # 4: refused, withdrawn (new illness), ready again, refused: (1 -> 3 July) + (5 -> 6 July) = 3 days.
    t.stay("d", 4, at(6, 25), at(7, 6), ready_at=at(7, 1), withdrawn_at=at(7, 3), ready_again_at=at(7, 5))
    t.message("d", "municipal_response", at(7, 1, 11), can_receive=False)
    t.message("d", "municipal_response", at(7, 5, 11), can_receive=False)
    # 5: aged 24: 8 days, counted in neither indicator.
    t.stay("e", 5, at(8, 1), at(8, 10), ready_at=at(8, 2))
    return t


def test_delayed_discharge_days_per_1000_inhabitants_67_plus(tmp_path: Path) -> None:
    # 4 + 0 + 2 + 3 = 9 days; inhabitants 67+ on 1 January: persons 1, 2, 3, 4, 6.
    result = only(run(delayed_twin(), tmp_path, c.DELAYED_67))
    assert (result.numerator, result.denominator) == (9, 5)
    assert result.rate == pytest.approx(1800.0)


def test_delayed_discharge_days_per_1000_inhabitants_80_plus(tmp_path: Path) -> None:
    # 4 + 0 + 3 = 7 days; inhabitants 80+: persons 1, 2, 4 (person 6 turns 80 on 2 January).
    result = only(run(delayed_twin(), tmp_path, c.DELAYED_80))
    assert (result.numerator, result.denominator) == (7, 3)


def test_delayed_discharge_days_by_month_of_discharge(tmp_path: Path) -> None:
    rows = {r.dimensions["month"]: r for r in run(delayed_twin(), tmp_path, c.DELAYED_67, Dimension.month)}
    assert [m for m in rows] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert {m: rows[m].numerator for m in ("2024-05", "2024-06", "2024-07", "2024-08")} == {
        "2024-05": 4, "2024-06": 2, "2024-07": 3, "2024-08": 0}
    assert all(r.denominator == 5 for r in rows.values())


def test_notices_on_time_within_24_hours_and_the_same_local_day(tmp_path: Path) -> None:
    t = TinyTwin()
    t.person(1, dt.date(1940, 1, 1))
    for stay in ("n1", "n2", "n3", "n4", "n5", "n6"):
        ready = None if stay == "n6" else at(3, 4)
        t.stay(stay, 1, at(3, 1, 8), at(3, 6), ready_at=ready)
        if stay != "n5":
            t.message(stay, "admission_notice", at(3, 2, 9) if stay == "n2" else at(3, 2, 7))  # 25 h / 23 h
        sent = {"n3": at(3, 5, 8), "n4": at(3, 4, 23, 30)}.get(stay, at(3, 4, 14))  # n4: 00:30 local, next day
        t.message(stay, "ready_for_discharge", sent)
    # On time: n1 only; late: n2 (admission notice), n3 and n4 (readiness notice), n5 (no admission notice).
    result = only(run(t, tmp_path, c.NOTICES))
    assert (result.numerator, result.denominator) == (1, 5)


def transitions_twin() -> TinyTwin:
    t = TinyTwin()
    t.person(1, dt.date(1940, 1, 1))
    t.person(2, dt.date(1940, 1, 1), died=dt.date(2024, 7, 1))
    t.person(3, dt.date(1940, 1, 1), died=dt.date(2024, 2, 10))
    t.stay("s1", 1, at(3, 1), at(3, 5))  # admission + discharge
    t.service(1, "municipal_acute_bed", dt.date(2024, 6, 1), "gp_referral")  # a move by itself
    t.service(1, "nursing_home", dt.date(2024, 3, 5), "discharge")  # the discharge already counted it
    t.service(1, "home_care", dt.date(2020, 1, 1), "baseline")
    t.stay("s3", 3, at(2, 1), at(2, 10), destination="died")  # admission only
    return t


def test_transitions_per_person_year(tmp_path: Path) -> None:
    # 3 + 1 transitions; person-days 366 (2024) + 182 (to 1 July) + 40 (to 10 February) = 588.
    result = only(run(transitions_twin(), tmp_path, c.TRANSITIONS))
    assert (result.numerator, result.denominator) == (4, 588)
    assert result.rate == pytest.approx(4 / 588 * 365.25)


def test_transitions_by_month_use_the_person_days_of_the_month(tmp_path: Path) -> None:
    rows = {r.dimensions["month"]: r for r in run(transitions_twin(), tmp_path, c.TRANSITIONS, Dimension.month)}
    assert (rows["2024-03"].numerator, rows["2024-03"].denominator) == (2, 62)  # persons 1 and 2, 31 days each
    assert (rows["2024-02"].numerator, rows["2024-02"].denominator) == (1, 29 + 29 + 9)


def test_person_days_are_suppressed_when_fewer_than_5_persons_can_have_lived_them(tmp_path: Path) -> None:
    # Three persons, 588 person-days in 2024 (366 days): at least two persons lived them — a group size that the
    # days would tell as surely as a count of two.
    (hidden,) = run(transitions_twin(), tmp_path / "a", c.TRANSITIONS, threshold=5)
    assert hidden.suppressed and hidden.denominator is None and hidden.numerator is None and hidden.rate is None
    (shown,) = run(transitions_twin(), tmp_path / "b", c.TRANSITIONS, threshold=2)
    assert not shown.suppressed and (shown.numerator, shown.denominator) == (4, 588)
    # By month, the month's days: March's 62 person-days are two persons' 31.
    march = {r.dimensions["month"]: r for r in run(transitions_twin(), tmp_path / "c", c.TRANSITIONS,
                                                    Dimension.month, threshold=3)}["2024-03"]
    assert march.denominator is None and march.suppressed


@given(st.integers(0, 10_000), st.integers(1, 366))
def test_the_fewest_persons_of_person_days_could_live_them_and_one_fewer_could_not(person_days: int,
                                                                                   days: int) -> None:
    persons = fewest_persons(person_days, days)
    assert (persons * days >= person_days and (persons - 1) * days < person_days) or person_days == persons == 0


def test_the_days_of_a_month_inside_the_period() -> None:
    year = Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert [days_of_month(m, year) for m in (202402, 202412)] == [29, 31]
    part = Period(dt.date(2024, 3, 10), dt.date(2024, 4, 6))
    assert [days_of_month(m, part) for m in (202403, 202404, 202405)] == [22, 5, 0]


def test_three_transitions_within_30_days(tmp_path: Path) -> None:
    t = TinyTwin()
    for person in (1, 2, 3):
        t.person(person, dt.date(1940, 1, 1))
    t.stay("q1a", 1, at(3, 1), at(3, 5))  # 1, 5, 20 March: the third 19 days after the first
    t.stay("q1b", 1, at(3, 20), at(3, 25))
    t.stay("q2a", 2, at(1, 1), at(1, 10))  # 1 Jan, 10 Jan, 1 Mar, 3 Mar: never three within 30 days
    t.stay("q2b", 2, at(3, 1), at(3, 3))
    result = only(run(t, tmp_path, c.CLUSTERED))
    assert (result.numerator, result.denominator) == (1, 2)


def test_transitions_at_the_same_instant_are_ordered_by_municipality_however_the_run_is_planned(
        tmp_path: Path) -> None:
    # Each person's discharge from a stay recorded in Oslo and admission to one recorded in Moss share an instant;
    # the Moss stay's discharge follows within 30 days. Ordered by municipality, the Oslo discharge starts the run
    # of three: Oslo counts each person, Moss none — alone, with the indicator sharing the events, and prepared.
    t = TinyTwin()
    for person in range(1, 41):
        t.person(person, dt.date(1940, 1, 1))
        t.stay(f"a{person}", person, at(1, 2), at(3, 1), municipality="0301")
        t.stay(f"b{person}", person, at(3, 1), at(3, 20), municipality="3103")
    directory = t.write(tmp_path / "twin")

    def numerators(twin_dir: Path, *definitions: c.IndicatorDefinition) -> dict[str, int | None]:
        rows = compute(duckdb_twin(twin_dir), list(definitions), (Dimension.municipality,), threshold=1)
        return {r.dimensions["municipality"]: r.numerator for r in rows if r.indicator == c.CLUSTERED.id}

    expected = {"0301": 40, "3103": 0}
    assert numerators(directory, c.CLUSTERED) == expected
    assert numerators(directory, c.TRANSITIONS, c.CLUSTERED) == expected
    prepare(directory)
    assert numerators(directory, c.CLUSTERED) == expected


@pytest.mark.parametrize("prepared", [False, True])
def test_three_transitions_count_only_inside_the_chosen_period(tmp_path: Path, prepared: bool) -> None:
    # The window looks at every transition of the twin once (expressions._transition_events); a chosen period
    # still counts three only when all three lie in it.
    t = TinyTwin()
    for person in (1, 2, 3):
        t.person(person, dt.date(1940, 1, 1))
    t.stay("e1a", 1, at(3, 25), at(3, 28))  # 25 and 28 March, then 2 April: the third after the period's end
    t.stay("e1b", 1, at(4, 2), at(4, 20))
    t.stay("e2a", 2, at(2, 27), at(3, 2))  # 27 February before the start: 2, 10 March and 12 April remain
    t.stay("e2b", 2, at(3, 10), at(4, 12))
    t.stay("e3a", 3, at(3, 5), at(3, 8))  # 5, 8 and 20 March, all inside: counted
    t.stay("e3b", 3, at(3, 20), at(5, 1))
    directory = t.write(tmp_path / "twin")
    if prepared:
        prepare(directory)
    march = Period(dt.date(2024, 3, 1), dt.date(2024, 4, 1))
    row = only(compute(duckdb_twin(directory), [c.CLUSTERED], (), period=march, threshold=1))
    assert (row.numerator, row.denominator) == (1, 3)
    whole = only(compute(duckdb_twin(directory), [c.CLUSTERED], (), threshold=1))
    assert (whole.numerator, whole.denominator) == (3, 3)  # over the year all three have three within 30 days


def test_a_transition_counts_in_the_municipality_its_stay_or_service_records(tmp_path: Path) -> None:
    # Person 1 lives in Oslo now, but the stay and the service record Moss (the residence then, as NPR and KPR
    # record it): the transitions count in Moss, the person-days in Oslo.
    t = TinyTwin()
    t.person(1, dt.date(1940, 1, 1), municipality="0301")
    t.stay("m1", 1, at(3, 1), at(3, 5), municipality="3103")
    t.service(1, "nursing_home", dt.date(2024, 3, 20), "gp_referral")
    rows = {r.dimensions["municipality"]: r for r in run(t, tmp_path, c.TRANSITIONS, Dimension.municipality)}
    assert (rows["3103"].numerator, rows["3103"].denominator) == (3, 0)
    assert (rows["0301"].numerator, rows["0301"].denominator) == (0, 366)
    clustered = only(run(t, tmp_path, c.CLUSTERED, Dimension.municipality))
    assert (clustered.dimensions["municipality"], clustered.numerator, clustered.denominator) == ("3103", 1, 1)


def test_days_from_ready_to_discharge_count_from_the_last_readiness(tmp_path: Path) -> None:
    t = TinyTwin()
    t.person(1, dt.date(1940, 1, 1))
    t.stay("r1", 1, at(3, 1), at(3, 6, 12), ready_at=at(3, 4))  # 2 days
    t.stay("r2", 1, at(3, 20), at(4, 11), ready_at=at(4, 1), withdrawn_at=at(4, 2), ready_again_at=at(4, 10))  # 1
    t.stay("r3", 1, at(5, 1), at(5, 9), ready_at=at(5, 4), destination="died")  # left out
    t.stay("r4", 1, at(6, 1), at(6, 9))  # never ready: left out
    result = only(run(t, tmp_path, c.READY_TO_DISCHARGE))
    assert (result.numerator, result.denominator) == (3, 2)
    assert result.rate == pytest.approx(1.5)


def test_days_from_first_stay_to_nursing_home(tmp_path: Path) -> None:
    t = TinyTwin()
    for person in (1, 2, 3):
        t.person(person, dt.date(1940, 1, 1))
    t.stay("h1a", 1, at(2, 1), at(2, 5))
    t.stay("h1b", 1, at(3, 1), at(3, 2))
    t.service(1, "nursing_home", dt.date(2024, 3, 2), "discharge")  # 1 February -> 2 March: 30 days
    t.service(2, "nursing_home", dt.date(2020, 5, 1), "baseline")  # already in a nursing home: left out
    t.stay("h2", 2, at(4, 1), at(4, 5))
    t.stay("h3", 3, at(4, 1), at(4, 5))  # no nursing home
    result = only(run(t, tmp_path, c.FIRST_STAY_TO_NURSING_HOME))
    assert (result.numerator, result.denominator) == (30, 1)


def test_results_by_community_and_municipality(tmp_path: Path) -> None:
    t = TinyTwin()
    t.person(1, dt.date(1940, 1, 1))
    t.person(2, dt.date(1940, 1, 1), municipality="0301")
    t.stay("r1", 1, at(3, 1), at(3, 6, 12), ready_at=at(3, 4))
    t.stay("r2", 2, at(3, 1), at(3, 9, 12), ready_at=at(3, 4), municipality="0301")
    rows = run(t, tmp_path, c.READY_TO_DISCHARGE, Dimension.community, Dimension.municipality)
    assert [(r.dimensions, r.numerator) for r in rows] == [
        ({"community": "oslo", "municipality": "0301"}, 5), ({"community": "ostfold", "municipality": "3103"}, 2)]
    only_oslo = compute(duckdb_twin(tmp_path / "twin"), [c.READY_TO_DISCHARGE], (), community="oslo", threshold=1)
    assert only(only_oslo).numerator == 5


def test_priority_groups_from_the_classifier_rules(tmp_path: Path) -> None:
    t = TinyTwin()
    t.person(1, dt.date(2015, 1, 1))  # child
    t.person(2, dt.date(1940, 1, 1))  # 84, in a nursing home on the reference date: frail elderly
    t.service(2, "nursing_home", dt.date(2023, 1, 1), "baseline")
    t.person(3, dt.date(1980, 1, 1))  # schizophrenia and a mental health stay this year: SMI
    t.condition(3, "F20.0", dt.date(2010, 1, 1))
    t.stay("m3", 3, at(6, 1), at(6, 20), service="mental_health", diagnosis="F20.0")
    t.person(4, dt.date(1980, 1, 1))  # F20 but no mental health contact: no group
    t.condition(4, "F20.0", dt.date(2010, 1, 1))
    t.stay("s4", 4, at(6, 1), at(6, 3))
    twin = duckdb_twin(t.write(tmp_path / "twin"))
    frame = twin.backend.execute(person_groups(twin, dt.date(2024, 12, 31)))
    assert sorted(map(tuple, frame[["person_id", "priority_group"]].values.tolist())) == [
        (1, "children_and_youth"), (2, "frail_elderly"), (3, "severe_mental_illness_and_substance_use"), (4, "none")]


def two_stays_months_apart() -> TinyTwin:
    """One patient of 84 with a stay in February and one in May (both ready for discharge, notices on time, three
    unanswered payable days each, no readmission) and a nursing-home place from 1 June."""
    t = TinyTwin()
    t.person(1, dt.date(1940, 5, 5))
    for stay_id, month in (("feb", 2), ("may", 5)):
        t.stay(stay_id, 1, at(month, 1), at(month, 8), diagnosis="I50.9", ready_at=at(month, 5))
        t.message(stay_id, "admission_notice", at(month, 1, 11))
        t.message(stay_id, "ready_for_discharge", at(month, 5, 11))
    t.service(1, "nursing_home", dt.date(2024, 6, 1), "discharge")
    return t


SPRING = Period(dt.date(2024, 4, 1), dt.date(2024, 7, 1))


@pytest.mark.parametrize(("definition", "numerator", "denominator"), [
    (c.READMISSION, 0, 1),  # the May stay only (discharged in the period, 30 days before its end)
    (c.DELAYED_67, 3, 1),  # the May stay's three days; the one inhabitant aged 67+ on 1 April
    (c.NOTICES, 1, 1),  # stays admitted in the period
    (c.READY_TO_DISCHARGE, 3, 1),  # stays discharged in the period: 5 -> 8 May
    (c.FIRST_STAY_TO_NURSING_HOME, 31, 1),  # from the first stay *in the period* (1 May) to 1 June
])  # fmt: skip
def test_a_chosen_period_counts_only_what_its_anchor_day_puts_in_it(tmp_path: Path, definition: c.IndicatorDefinition,
                                                                    numerator: int, denominator: int) -> None:
    twin = duckdb_twin(two_stays_months_apart().write(tmp_path / "twin"))
    row = only(compute(twin, [definition], (), period=SPRING, threshold=1))
    assert (row.numerator, row.denominator) == (numerator, denominator)
    by_month = compute(duckdb_twin(tmp_path / "twin"), [definition], (Dimension.month,), period=SPRING, threshold=1)
    assert {r.dimensions["month"] for r in by_month if r.denominator} <= {"2024-04", "2024-05", "2024-06"}
