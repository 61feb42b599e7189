"""The stopwatch of an indicator run (`indicators.phases`): what `--timings` and the benchmark report."""

from __future__ import annotations

import time

import pytest

from helsefellesskap.indicators.phases import Lap, Stopwatch


def test_phases_are_recorded_in_the_order_they_ran_with_their_duration() -> None:
    watch = Stopwatch()
    with watch.phase("first"):
        time.sleep(0.02)
    with watch.phase("second"):
        sum(range(200_000))  # CPU time, no sleep
    assert [lap.phase for lap in watch.laps] == ["first", "second"]
    first, second = watch.laps
    assert first.wall >= 0.02 and first.cpu < first.wall  # sleeping takes time, not CPU
    assert second.cpu > 0


def test_a_phase_that_fails_is_still_recorded() -> None:
    watch = Stopwatch()
    with pytest.raises(ValueError), watch.phase("failing"):
        raise ValueError("boom")
    assert [lap.phase for lap in watch.laps] == ["failing"]


def test_the_total_sums_the_phases_and_the_lines_align() -> None:
    watch = Stopwatch([Lap("open twin", 0.5, 0.75), Lap("query", 1.25, 2.0)])
    assert watch.total() == Lap("total", 1.75, 2.75)
    assert watch.lines() == [
        "open twin    0.500 s wall    0.750 s CPU",
        "query        1.250 s wall    2.000 s CPU",
        "total        1.750 s wall    2.750 s CPU",
    ]
    assert Stopwatch().lines() == []
