"""Evaluations that no longer change with the clock, kept across units of work (a batch of each day).

A refold evaluates all of a patient's stays as of its `now` (`projection.evaluate_stays`), so later in a year a
patient's earlier stays are evaluated again for every day that brings one of their messages. A stay whose
evaluation is settled (`replay.settled_at`: no readiness episode open, every deadline and fulfilment behind)
gives the same result at any later `now`, as long as what the evaluation reads is the same: the fold (the same
`StayProjection` object, which the batch takes from `fold_cache` by the stay's stored messages), the
cross-stay facts (readmission link, repeated-transition alert), whether the patient is in a priority group, the
rules and the daily rates. `SettledResults` keeps such a result and gives it back when all of these are equal;
the caller compares its projection with the stored one as before, so nothing is skipped but computing it again.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from helsefellesskap.transitions.pathway import StayProjection
from helsefellesskap.transitions.rates import DailyRate, DailyRates
from helsefellesskap.transitions.replay import StayResult, settled_at
from helsefellesskap.transitions.rules import TransitionRules


class _Settled(NamedTuple):
    stay: StayProjection
    facts: object  # (readmission link, repeated-transition alert)
    priority: bool
    rules: TransitionRules
    rates: tuple[DailyRate, ...]
    since: dt.datetime  # `settled_at` of the result
    result: StayResult


class SettledResults:
    """Settled evaluations by stay id (at most `limit`; emptied when full, as the other caches of a batch)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._entries: dict[str, _Settled] = {}
        self._limit = limit

    def get(
        self,
        stay: StayProjection,
        facts: object,
        priority: bool,
        rules: TransitionRules,
        rates: DailyRates,
        now: dt.datetime,
    ) -> StayResult | None:
        """The stay's settled result if it was evaluated on the same inputs and `now` is not before it settled."""
        entry = self._entries.get(stay.stay_id)
        if (
            entry is None
            or entry.stay is not stay
            or now < entry.since
            or entry.priority != priority
            or entry.facts != facts
            or entry.rules != rules
            or entry.rates != tuple(rates.all)
        ):
            return None
        return entry.result

    def put(
        self,
        stay: StayProjection,
        facts: object,
        priority: bool,
        rules: TransitionRules,
        rates: DailyRates,
        now: dt.datetime,
        result: StayResult,
    ) -> None:
        """Keep the result evaluated as of `now` when it is settled by then."""
        since = settled_at(result)
        if since is None or now < since:
            self._entries.pop(stay.stay_id, None)
            return
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[stay.stay_id] = _Settled(stay, facts, priority, rules, tuple(rates.all), since, result)
