"""Worked cases of forskrift 2011-11-18-1115 (kommunal betaling for utskrivningsklare pasienter), one per rule,
named after the paragraph. Times are Europe/Oslo wall-clock times; March 2024 has 4 March on a Monday."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from helsefellesskap.transitions.calendar import OSLO
from helsefellesskap.transitions.messages import MESSAGE_ADAPTER
from helsefellesskap.transitions.obligations import Obligation, ObligationKind, ObligationStatus
from helsefellesskap.transitions.receipts import ErrorCode, ReceiptStatus
from helsefellesskap.transitions.replay import StayResult, replay
from helsefellesskap.transitions.report import ledger
from helsefellesskap.transitions.rules import TransitionRules
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

RATE_2023, RATE_2024 = 5508_00, 5745_00


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3, year: int = 2024) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def stay(admitted: dt.datetime | None = None, *, service: str = "somatic", notice: bool = True) -> StayBuilder:
    builder = StayBuilder("S1", synthetic_national_id(7))
    admitted = admitted or at(1)
    builder.admission(admitted, service=service)
    if notice:
        builder.admission_notice(admitted + dt.timedelta(hours=2))
    return builder


def run(*builders: StayBuilder, rules: TransitionRules | None = None, as_of: dt.datetime | None = None) -> StayResult:
    messages = [MESSAGE_ADAPTER.validate_python(m) for b in builders for m in b.messages]
    results = replay(messages, rules=rules or TransitionRules(), as_of=as_of)
    return results[-1]


def obligation(result: StayResult, kind: ObligationKind, index: int = 0) -> Obligation:
    return [o for o in result.obligations if o.kind is kind][index]


# § 8 admission notice -----------------------------------------------------------------------------------------

def test_par8_admission_notice_within_24_hours_is_met_later_is_late() -> None:
    on_time = stay(notice=False)
    on_time.admission_notice(at(2, 9))  # 23 hours after admission
    on_time.ready(at(4))
    late = stay(notice=False)
    late.admission_notice(at(2, 16))  # 30 hours after admission
    late.ready(at(4))

    met = obligation(run(on_time), ObligationKind.admission_notice)
    assert met.status is ObligationStatus.met and met.due_at == at(2, 10)
    assert "§ 8" in met.source
    assert obligation(run(late), ObligationKind.admission_notice).status is ObligationStatus.late


def test_par8_no_admission_notice_means_no_payment() -> None:
    builder = stay(notice=False)
    builder.ready(at(4))
    builder.discharge(at(7))
    result = run(builder)
    assert result.payment.payable_days == 0
    assert any("§ 8" in note for note in (n.text for n in result.payment.notes))
    assert [n.code for n in result.payment.notes] == ["PAY-NO-ADMISSION-NOTICE"]
    assert obligation(result, ObligationKind.admission_notice).status is ObligationStatus.missing


def test_par8_late_admission_notice_blocks_payment_unless_the_rule_is_relaxed() -> None:
    builder = stay(notice=False)
    builder.admission_notice(at(3))
    builder.ready(at(4))
    builder.discharge(at(7))
    assert run(builder).payment.payable_days == 0
    assert run(builder, rules=TransitionRules(late_admission_notice_blocks_payment=False)).payment.payable_days == 3


def test_par8_no_admission_notice_owed_when_no_municipal_services_are_presumed() -> None:
    builder = stay(notice=False)
    builder.discharge(at(3), destination="home")
    kinds = [o.kind for o in run(builder).obligations]
    assert ObligationKind.admission_notice not in kinds


# § 9 readiness criteria ---------------------------------------------------------------------------------------

def test_par9_readiness_without_all_documented_assessments_is_rejected() -> None:
    builder = stay()
    criteria = {"admission_problems_clarified": True, "other_problems_clarified": True,
                "diagnosis_and_follow_up_plan": True, "functional_level_assessed": False}
    builder.ready(at(4), criteria=criteria)
    builder.discharge(at(7))
    result = run(builder)
    receipt = next(r for r in result.receipts if r.message_id == "S1-3")
    assert receipt.status is ReceiptStatus.rejected and receipt.status.apprec_code == 2
    assert [(e.code, e.field) for e in receipt.errors] == [
        (ErrorCode.readiness_criteria_missing, "criteria.functional_level_assessed")
    ]
    assert result.projection.episodes == []
    assert result.payment.payable_days == 0


# § 10 readiness notice the same day ---------------------------------------------------------------------------

def test_par10_readiness_notice_the_same_day_is_met() -> None:
    builder = stay()
    builder.ready(at(4, 10), sent_at=at(4, 23, 30))
    result = run(builder)
    notice = obligation(result, ObligationKind.readiness_notice)
    assert notice.status is ObligationStatus.met and notice.due_at == at(5, 0)


def test_par10_readiness_notified_the_next_day_is_late_and_gives_no_payment() -> None:
    builder = stay()
    builder.ready(at(4, 22), sent_at=at(5, 8))
    builder.discharge(at(8))
    result = run(builder)
    assert obligation(result, ObligationKind.readiness_notice).status is ObligationStatus.late
    assert result.payment.payable_days == 0
    assert any("§ 10" in note for note in (n.text for n in result.payment.notes))


# § 13 payment ------------------------------------------------------------------------------------------------

def test_par13_payment_from_readiness_day_when_municipality_cannot_receive() -> None:
    builder = stay()
    builder.ready(at(4, 10))
    builder.response(at(4, 14), can_receive=False)
    builder.discharge(at(7, 12))
    result = run(builder)
    assert [d.date for d in result.payment.days] == [dt.date(2024, 3, 4), dt.date(2024, 3, 5), dt.date(2024, 3, 6)]
    assert result.payment.amount_ore == 3 * RATE_2024
    assert result.payment.amount_nok == Decimal("17235")


def test_par13_payment_when_municipality_has_not_answered() -> None:
    builder = stay()
    builder.ready(at(4))
    builder.discharge(at(7))
    result = run(builder)
    assert result.payment.payable_days == 3
    assert obligation(result, ObligationKind.municipal_response).status is ObligationStatus.missing


def test_par13_no_payment_when_municipality_can_receive_on_the_readiness_day() -> None:
    builder = stay()
    builder.ready(at(4, 9))
    builder.response(at(4, 11), can_receive=True)
    builder.discharge(at(6))  # the hospital kept the patient: its own choice
    assert run(builder).payment.payable_days == 0


def test_par13_payment_stops_at_the_date_the_municipality_can_receive() -> None:
    builder = stay()
    builder.ready(at(4, 9))
    builder.response(at(4, 15), can_receive=True, receive_from=at(6, 12))
    builder.discharge(at(8))
    result = run(builder)
    assert [d.date.day for d in result.payment.days] == [4, 5]


def test_par13_a_later_cannot_receive_answer_resumes_payment() -> None:
    builder = stay()
    builder.ready(at(4, 9))
    builder.response(at(4, 15), can_receive=True, receive_from=at(5, 12))
    builder.response(at(6, 8), can_receive=False)  # the promised bed fell through
    builder.discharge(at(8))
    assert [d.date.day for d in run(builder).payment.days] == [4, 6, 7]


def test_par13_withdrawal_stops_payment_and_days_before_remain_payable() -> None:
    builder = stay()
    builder.ready(at(4))
    builder.withdrawn(at(6, 8))  # new illness: formally not ready any more
    builder.ready(at(8))
    builder.discharge(at(9))
    result = run(builder)
    assert [d.date.day for d in result.payment.days] == [4, 5, 8]
    assert [a.rule_id for a in result.alerts if a.rule_id == "KB-READINESS-REPEATED"] == ["KB-READINESS-REPEATED"]


def test_par13_discharge_day_is_not_counted_npr_overliggerdogn() -> None:
    same_day = stay()
    same_day.ready(at(4, 9))
    same_day.discharge(at(4, 18))
    overnight = stay()
    overnight.ready(at(4, 23))
    overnight.discharge(at(5, 8))
    assert run(same_day).payment.payable_days == 0
    assert [d.date.day for d in run(overnight).payment.days] == [4]


def test_par13_days_are_europe_oslo_calendar_days() -> None:
    builder = stay()
    ready_utc = dt.datetime(2024, 3, 3, 23, 30, tzinfo=dt.UTC)  # 00:30 on 4 March in Oslo
    builder.ready(ready_utc)
    builder.discharge(at(6))
    assert [d.date.day for d in run(builder).payment.days] == [4, 5]


def test_par13_each_day_is_priced_at_the_rate_of_its_own_year() -> None:
    builder = stay(at(27, month=12, year=2023))
    builder.ready(at(30, month=12, year=2023))
    builder.discharge(at(2, month=1, year=2024))
    result = run(builder)
    assert [(d.date.isoformat(), d.ore) for d in result.payment.days] == [
        ("2023-12-30", RATE_2023), ("2023-12-31", RATE_2023), ("2024-01-01", RATE_2024)
    ]
    assert result.payment.amount_ore == 2 * RATE_2023 + RATE_2024


def test_par13_open_episode_counts_up_to_as_of_only() -> None:
    builder = stay()
    builder.ready(at(4))
    assert run(builder).payment.payable_days == 0
    assert run(builder, as_of=at(6, 15)).payment.payable_days == 2


# The 2019 change: mental health care and TSB, oppholdskommune ------------------------------------------------

def test_2019_change_mental_health_care_needs_planning_meeting_and_own_follow_up() -> None:
    without = stay(service="mental_health")
    without.ready(at(4), planning_meeting_called=True)
    without.discharge(at(7))
    with_both = stay(service="substance_abuse")
    with_both.ready(at(4), planning_meeting_called=True, own_follow_up_clarified=True)
    with_both.discharge(at(7))
    result = run(without)
    assert result.payment.payable_days == 0
    assert any("planning meeting" in note for note in (n.text for n in result.payment.notes))
    assert run(with_both).payment.payable_days == 3


def test_2019_change_mental_health_days_before_2019_are_outside_the_scheme() -> None:
    builder = stay(at(20, month=12, year=2018), service="mental_health")
    builder.ready(at(30, month=12, year=2018), planning_meeting_called=True, own_follow_up_clarified=True)
    builder.discharge(at(3, month=1, year=2019))
    somatic = stay(at(20, month=12, year=2018))
    somatic.ready(at(30, month=12, year=2018))
    somatic.discharge(at(3, month=1, year=2019))
    assert [d.date.isoformat() for d in run(builder).payment.days] == ["2019-01-01", "2019-01-02"]
    assert run(somatic).payment.payable_days == 4


def test_2019_change_the_paying_municipality_is_the_residence_municipality() -> None:
    builder = StayBuilder("S1", synthetic_national_id(7), municipality="4601", hospital="80000009")
    builder.admission(at(1))
    builder.admission_notice(at(1, 12))
    builder.ready(at(4))
    builder.discharge(at(7))
    result = run(builder)
    assert result.payment.municipality == "4601"
    lines = ledger([result], health_trust_of={"80000009": "helse-bergen"}.__getitem__)
    assert [(x.municipality, x.health_trust, x.month, x.payable_days, x.amount_ore) for x in lines] == [
        ("4601", "helse-bergen", "2024-03", 3, 3 * RATE_2024)
    ]


def test_daily_rate_unknown_year_leaves_days_unpriced_with_a_clear_message() -> None:
    builder = stay(at(1, year=2025))
    builder.ready(at(4, year=2025))
    builder.discharge(at(6, year=2025))
    result = run(builder)
    assert result.payment.payable_days == 2
    assert result.payment.amount_ore == 0
    assert len(result.payment.unpriced_days) == 2
    assert any("no daily rate is known for 2025" in note for note in (n.text for n in result.payment.notes))
    assert [(n.code, n.values) for n in result.payment.notes] == [("PAY-UNPRICED-YEAR", {"year": "2025"})]
