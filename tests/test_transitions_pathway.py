"""The pathway state machine, receipts (AppRec), redelivery and out-of-order arrival."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from helsefellesskap.transitions.calendar import OSLO
from helsefellesskap.transitions.messages import MESSAGE_ADAPTER, parse_message
from helsefellesskap.transitions.pathway import StayState
from helsefellesskap.transitions.receipts import ErrorCode, ReceiptStatus
from helsefellesskap.transitions.replay import StayResult, read_log, replay
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=OSLO)


def admitted() -> StayBuilder:
    builder = StayBuilder("S1", synthetic_national_id(3))
    builder.admission(at(1))
    builder.admission_notice(at(1, 12))
    return builder


def run(messages: list[dict[str, object]]) -> StayResult:
    results = replay([MESSAGE_ADAPTER.validate_python(m) for m in messages])
    assert len(results) == 1
    return results[0]


def receipt_of(result: StayResult, message_id: str):
    return next(r for r in result.receipts if r.message_id == message_id)


@pytest.mark.parametrize(
    ("steps", "state"),
    [
        ([], StayState.admitted),
        (["ready"], StayState.ready_for_discharge),
        (["ready", "cannot"], StayState.municipality_cannot_receive),
        (["ready", "can"], StayState.municipality_can_receive),
        (["ready", "withdrawn"], StayState.admitted),
        (["ready", "can", "home"], StayState.discharged),
        (["other_hospital"], StayState.transferred),
        (["died"], StayState.died),
    ],
)
def test_states_follow_the_messages(steps: list[str], state: StayState) -> None:
    builder = admitted()
    for day, step in enumerate(steps, start=3):
        if step == "ready":
            builder.ready(at(day))
        elif step in ("can", "cannot"):
            builder.response(at(day), can_receive=step == "can")
        elif step == "withdrawn":
            builder.withdrawn(at(day))
        else:
            builder.discharge(at(day), destination=step)
    assert run(builder.messages).state is state


def test_discharge_arriving_before_the_readiness_notice_gives_the_same_pathway() -> None:
    builder = admitted()
    builder.ready(at(4))
    builder.response(at(4, 14), can_receive=False)
    builder.discharge(at(6))
    in_order = run(builder.messages)
    shuffled = run(list(reversed(builder.messages)))
    assert shuffled.state is in_order.state is StayState.discharged
    assert shuffled.payment == in_order.payment and shuffled.payment.payable_days == 2
    assert all(r.status is ReceiptStatus.ok for r in shuffled.receipts)


def test_a_message_after_the_discharge_is_kept_and_flagged_not_applied() -> None:
    builder = admitted()
    builder.discharge(at(4))
    late_ready = builder.ready(at(5))
    result = run(builder.messages)
    receipt = receipt_of(result, late_ready["id"])
    assert receipt.status is ReceiptStatus.ok_with_errors and receipt.status.apprec_code == 3
    assert receipt.errors[0].code is ErrorCode.after_discharge
    assert result.state is StayState.discharged and result.projection.episodes == []


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda b: b.withdrawn(at(4)), ErrorCode.not_ready),
        (lambda b: b.response(at(4), can_receive=True), ErrorCode.no_readiness_notice),
        (lambda b: b.admission(at(2)), ErrorCode.admission_repeated),
    ],
)
def test_contradicting_messages_are_flagged(make, code: ErrorCode) -> None:
    builder = admitted()
    message = make(builder)
    receipt = receipt_of(run(builder.messages), message["id"])
    assert receipt.status is ReceiptStatus.ok_with_errors
    assert [e.code for e in receipt.errors] == [code]


def test_a_second_readiness_without_withdrawal_is_flagged() -> None:
    builder = admitted()
    builder.ready(at(3))
    second = builder.ready(at(4))
    result = run(builder.messages)
    assert receipt_of(result, second["id"]).errors[0].code is ErrorCode.already_ready
    assert len(result.projection.episodes) == 1


def test_a_message_about_another_patient_is_rejected() -> None:
    builder = admitted()
    other = builder.ready(at(4))
    other["patient"] = synthetic_national_id(99)
    result = run(builder.messages)
    receipt = receipt_of(result, other["id"])
    assert receipt.status is ReceiptStatus.rejected and receipt.errors[0].code is ErrorCode.patient_mismatch
    assert result.state is StayState.admitted


def test_the_same_message_twice_is_applied_once() -> None:
    builder = admitted()
    ready = builder.ready(at(4))
    builder.discharge(at(6))
    result = run([*builder.messages, dict(ready)])
    duplicates = [r for r in result.receipts if r.duplicate]
    assert [(r.message_id, r.status) for r in duplicates] == [(ready["id"], ReceiptStatus.ok)]
    assert len(result.projection.episodes) == 1 and result.payment.payable_days == 2


def test_the_same_id_with_other_content_is_rejected_as_a_conflict() -> None:
    builder = admitted()
    ready = builder.ready(at(4))
    changed = dict(ready, ready_at=at(5).isoformat())
    result = run([*builder.messages, changed])
    conflict = [r for r in result.receipts if r.status is ReceiptStatus.rejected]
    assert [e.code for r in conflict for e in r.errors] == [ErrorCode.id_conflict]
    assert result.projection.episodes[0].ready_at == at(4)


def test_a_message_before_the_admission_is_flagged() -> None:
    builder = admitted()
    early = builder.discharge(dt.datetime(2024, 2, 20, tzinfo=OSLO))
    assert receipt_of(run(builder.messages), early["id"]).errors[0].code is ErrorCode.before_admission


def test_naive_times_are_rejected() -> None:
    message = admitted().messages[0]
    message["sent_at"] = "2024-03-01T10:00:00"
    with pytest.raises(ValidationError, match="timezone"):
        parse_message(json.dumps(message))


def test_an_invalid_national_id_is_rejected() -> None:
    message = admitted().messages[0]
    message["patient"] = "12345678901"
    with pytest.raises(ValidationError, match="national identity number"):
        parse_message(json.dumps(message))


def test_an_invalid_message_in_a_log_becomes_a_rejected_receipt_on_its_stay() -> None:
    builder = admitted()
    bad = builder.ready(at(4))
    del bad["criteria"]
    lines = [json.dumps(m) for m in builder.messages]
    results = replay(list(read_log(lines)))
    receipt = receipt_of(results[0], bad["id"])
    assert receipt.status is ReceiptStatus.rejected
    assert receipt.errors[0].code is ErrorCode.invalid_message
    assert receipt.errors[0].field == "ready_for_discharge.criteria"


def test_a_log_line_that_is_not_json_names_its_line() -> None:
    from helsefellesskap.errors import InvalidInput

    lines = [json.dumps(m) for m in admitted().messages] + ["", "{not json"]
    with pytest.raises(InvalidInput, match="line 4"):
        list(read_log(lines))


def test_batched_parsing_keeps_line_numbers_and_order() -> None:
    builder = admitted()
    for day in range(3, 20):
        builder.health_information(at(day))
    lines = [json.dumps(m) for m in builder.messages]
    parsed = list(read_log(lines, batch_size=4))
    assert [m.id for m in parsed] == [m["id"] for m in builder.messages]  # type: ignore[union-attr]
