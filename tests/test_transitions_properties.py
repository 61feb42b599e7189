"""Property-based tests (Hypothesis) of the pathway fold: any sequence of messages, in any arrival order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helsefellesskap.transitions.calendar import OSLO, oslo_date
from helsefellesskap.transitions.messages import MESSAGE_ADAPTER, Message
from helsefellesskap.transitions.obligations import ObligationStatus
from helsefellesskap.transitions.replay import StayResult, evaluate_stay, replay, settled_at
from helsefellesskap.transitions.report import stay_summary
from helsefellesskap.transitions.sample import CRITERIA_MET, StayBuilder, synthetic_national_id

START = dt.datetime(2024, 12, 20, tzinfo=OSLO)  # runs into 2025: unpriced days appear too
PATIENTS = [synthetic_national_id(n) for n in range(3)]

step = st.tuples(
    st.sampled_from(["admission", "admission_notice", "ready", "ready", "withdrawn", "response", "response",
                     "discharge", "discharge_report", "discharge_summary", "health_information"]),
    st.integers(min_value=0, max_value=24 * 20),  # hour offset of the event
    st.integers(min_value=0, max_value=12),  # sending delay in hours
    st.integers(min_value=0, max_value=7),  # variant: answer, destination, criteria, service
)


def build(stay_id: str, patient: str, steps: list[tuple[str, int, int, int]]) -> list[dict[str, Any]]:
    builder = StayBuilder(stay_id, patient)
    for kind, hours, delay, variant in steps:
        event = START + dt.timedelta(hours=hours)
        sent = event + dt.timedelta(hours=delay)
        if kind == "admission":
            builder.admission(event, service=["somatic", "mental_health", "substance_abuse"][variant % 3])
        elif kind == "ready":
            criteria = dict(CRITERIA_MET, functional_level_assessed=variant != 7)
            builder.ready(event, sent, criteria=criteria, planning_meeting_called=variant % 2 == 0,
                          own_follow_up_clarified=True)
        elif kind == "withdrawn":
            builder.withdrawn(event)
        elif kind == "response":
            receive_from = event + dt.timedelta(hours=variant * 10) if variant % 3 == 0 else None
            builder.response(event, can_receive=variant % 2 == 0, receive_from=receive_from)
        elif kind == "discharge":
            builder.discharge(event, ["home", "nursing_home", "other_hospital", "died"][variant % 4])
        else:
            getattr(builder, kind)(event)
    return builder.messages


# Most stays start the lawful way (admission, then the notice at once), so payment rules are exercised too.
LAWFUL_START = [("admission", 0, 0, 0), ("admission_notice", 1, 0, 0)]
steps = st.tuples(st.booleans(), st.booleans(), st.lists(step, max_size=14)).map(
    lambda t: (LAWFUL_START if t[0] or t[1] else []) + t[2]
)
stays = st.lists(
    st.tuples(st.sampled_from(PATIENTS), steps), min_size=1, max_size=3
).map(lambda items: [m for n, (patient, steps) in enumerate(items) for m in build(f"S{n}", patient, steps)])


def parse(messages: list[dict[str, Any]]) -> list[Message]:
    return [MESSAGE_ADAPTER.validate_python(m) for m in messages]


def summaries(results: list[StayResult]) -> list[dict[str, Any]]:
    return [stay_summary(r) for r in results]


@settings(max_examples=150, deadline=None)
@given(stays)
def test_payable_days_are_never_negative_nor_counted_twice(messages: list[dict[str, Any]]) -> None:
    for result in replay(parse(messages)):
        dates = [day.date for day in result.payment.days]
        assert len(dates) == len(set(dates)) == result.payment.payable_days >= 0
        assert result.payment.amount_ore >= 0
        episodes = result.projection.episodes
        if dates:
            assert min(dates) >= min(oslo_date(e.ready_at) for e in episodes)
            discharge = result.projection.discharge
            if discharge is not None:
                assert max(dates) < oslo_date(discharge.discharged_at)


@settings(max_examples=150, deadline=None)
@given(stays, st.randoms(use_true_random=False))
def test_replay_does_not_depend_on_arrival_order(messages: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(messages)
    rnd.shuffle(shuffled)
    assert summaries(replay(parse(shuffled))) == summaries(replay(parse(messages)))


@settings(max_examples=150, deadline=None)
@given(stays, st.data())
def test_redelivery_is_idempotent(messages: list[dict[str, Any]], data: st.DataObject) -> None:
    again = data.draw(st.lists(st.sampled_from(messages), max_size=6)) if messages else []
    once, twice = replay(parse(messages)), replay(parse(messages + again))

    def without_receipts(results: list[StayResult]) -> list[dict[str, Any]]:
        return [{k: v for k, v in s.items() if k != "receipts"} for s in summaries(results)]

    assert without_receipts(twice) == without_receipts(once)
    duplicates = [r for result in twice for r in result.receipts if r.duplicate]
    assert len(duplicates) == len(again)


@settings(max_examples=150, deadline=None)
@given(stays)
def test_every_obligation_ends_met_late_or_missing(messages: list[dict[str, Any]]) -> None:
    final = {ObligationStatus.met, ObligationStatus.late, ObligationStatus.missing}
    for result in replay(parse(messages), as_of=None):
        assert {o.status for o in result.obligations} <= final
        assert all(o.met_at is not None for o in result.obligations if o.status is not ObligationStatus.missing)


@settings(max_examples=100, deadline=None)
@given(stays)
def test_the_ledger_adds_up_to_the_stays(messages: list[dict[str, Any]]) -> None:
    from helsefellesskap.transitions.report import ledger

    results = replay(parse(messages))
    lines = ledger(results)
    assert sum(x.payable_days for x in lines) == sum(r.payment.payable_days for r in results)
    assert sum(x.amount_ore for x in lines) == sum(r.payment.amount_ore for r in results)
    assert sum(x.unpriced_days for x in lines) == sum(len(r.payment.unpriced_days) for r in results)


@settings(max_examples=200, deadline=None)
@given(stays, st.integers(min_value=0, max_value=24 * 60), st.integers(min_value=0, max_value=24 * 400))
def test_a_settled_evaluation_is_the_same_at_every_later_time(messages: list[dict[str, Any]], hours: int,
                                                              later: int) -> None:
    """`replay.settled_at`: from that time on, evaluating the stay gives the same result whatever the clock (a batch
    reuses such a result on later days instead of evaluating the stay again); before it, while an episode is open
    or a deadline or fulfilment lies ahead, it is None or later than the clock."""
    for stay in replay(parse(messages), as_of=None):
        result = evaluate_stay(stay.projection, as_of=START + dt.timedelta(hours=hours))
        since = settled_at(result)
        if since is None:
            assert any(episode.ended_at is None for episode in stay.projection.episodes)
            continue
        settled = evaluate_stay(stay.projection, as_of=max(since, START))
        assert evaluate_stay(stay.projection, as_of=max(since, START) + dt.timedelta(hours=later)) == settled
        assert settled_at(settled) == since
        if START + dt.timedelta(hours=hours) >= since:
            assert result == settled
