"""Obligations after discharge, readmission links and the kasteball alert catalogue."""

from __future__ import annotations

import datetime as dt

from helsefellesskap.transitions.alerts import RULES
from helsefellesskap.transitions.calendar import OSLO
from helsefellesskap.transitions.messages import MESSAGE_ADAPTER
from helsefellesskap.transitions.obligations import ObligationKind, ObligationStatus, Party
from helsefellesskap.transitions.pathway import StayProjection
from helsefellesskap.transitions.replay import StayResult, replay
from helsefellesskap.transitions.report import ledger
from helsefellesskap.transitions.rules import TransitionRules
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

PATIENT = synthetic_national_id(11)


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=OSLO)


def stay(stay_id: str, admitted: dt.datetime, discharged: dt.datetime | None, *, destination: str = "home",
         acute: bool = True, municipality: str = "3403") -> StayBuilder:
    builder = StayBuilder(stay_id, PATIENT, municipality=municipality)
    builder.admission(admitted, acute=acute)
    if discharged is not None:
        builder.discharge(discharged, destination=destination)
    return builder


def run(*builders: StayBuilder, **kwargs: object) -> dict[str, StayResult]:
    messages = [MESSAGE_ADAPTER.validate_python(m) for b in builders for m in b.messages]
    return {r.stay_id: r for r in replay(messages, **kwargs)}  # type: ignore[arg-type]


def alert_ids(result: StayResult) -> list[str]:
    return [a.rule_id for a in result.alerts]


def test_discharge_report_is_owed_on_the_day_of_discharge_to_municipal_care() -> None:
    builder = stay("S1", at(1), at(5, 14), destination="nursing_home")
    builder.discharge_report(at(5, 23))
    builder.discharge_summary(at(14))
    result = run(builder)["S1"]
    report = next(o for o in result.obligations if o.kind is ObligationKind.discharge_report)
    summary = next(o for o in result.obligations if o.kind is ObligationKind.discharge_summary)
    assert (report.status, report.due_at, report.party) == (ObligationStatus.met, at(6, 0), Party.hospital)
    assert (summary.status, summary.due_at) == (ObligationStatus.late, at(12, 14))


def test_obligations_are_due_before_their_deadline_and_missing_after() -> None:
    builder = stay("S1", at(1), None)
    builder.admission_notice(at(1, 12))
    builder.ready(at(3, 9))
    answer = lambda as_of: next(  # noqa: E731
        o for o in run(builder, as_of=as_of)["S1"].obligations if o.kind is ObligationKind.municipal_response
    )
    assert answer(at(3, 12)).status is ObligationStatus.due
    assert answer(at(4, 12)).status is ObligationStatus.missing
    assert answer(None).status is ObligationStatus.missing


def test_par11_par12_municipal_answer_deadline_is_local_and_configurable_per_municipality() -> None:
    builder = stay("S1", at(1), None, municipality="1103")
    builder.admission_notice(at(1, 12))
    builder.ready(at(3, 9))
    builder.response(at(3, 15), can_receive=False)
    rules = TransitionRules(municipal_answer_deadline_by_municipality={"1103": dt.timedelta(hours=4)})
    answer = next(o for o in run(builder, rules=rules)["S1"].obligations if o.kind is ObligationKind.municipal_response)
    assert (answer.due_at, answer.status, answer.organisation) == (at(3, 13), ObligationStatus.late, "1103")
    default = next(o for o in run(builder)["S1"].obligations if o.kind is ObligationKind.municipal_response)
    assert default.status is ObligationStatus.met


def test_readmission_within_30_days_is_linked_and_alerted() -> None:
    results = run(stay("S1", at(1), at(5)), stay("S2", at(20), at(22)), stay("S3", at(28, month=4), None))
    link = results["S2"].readmission
    assert link is not None and link.previous_stay_id == "S1" and link.counts_for_indicator
    assert "KB-READMISSION-30D" in alert_ids(results["S2"])
    assert results["S3"].readmission is None  # 37 days after S2's discharge


def test_transfer_to_another_hospital_is_not_a_readmission() -> None:
    results = run(stay("S1", at(1), at(5), destination="other_hospital"), stay("S2", at(5, 12), at(9)))
    assert results["S2"].readmission is None


def test_readmission_within_8_hours_or_planned_is_linked_but_not_for_the_indicator() -> None:
    results = run(stay("S1", at(1), at(5, 10)), stay("S2", at(5, 15), at(9)),
                  stay("S3", at(12), at(14), acute=False))
    assert results["S2"].readmission is not None and not results["S2"].readmission.counts_for_indicator
    assert results["S3"].readmission is not None and not results["S3"].readmission.counts_for_indicator


def test_repeated_transitions_within_30_days_alert_the_municipality_with_a_configurable_threshold() -> None:
    builders = (stay("S1", at(1), at(3)), stay("S2", at(8), at(10)))
    results = run(*builders)
    alert = next(a for a in results["S2"].alerts if a.rule_id == "KB-REPEATED-TRANSITIONS")
    assert (alert.party, alert.organisation) == (Party.municipality, "3403")
    assert "KB-REPEATED-TRANSITIONS" not in alert_ids(results["S1"])
    relaxed = run(*builders, rules=TransitionRules(repeated_transitions_threshold=5))
    assert "KB-REPEATED-TRANSITIONS" not in alert_ids(relaxed["S2"])


def test_priority_patient_discharged_without_answer_or_report_alerts() -> None:
    builder = stay("S1", at(1), None)
    builder.admission_notice(at(1, 12))
    builder.ready(at(3))
    builder.discharge(at(3, 20), destination="home_with_services")

    def everyone(stay: StayProjection) -> bool:
        return True

    flagged = alert_ids(run(builder, is_priority_patient=everyone)["S1"])
    assert {"KB-PRIORITY-NO-MUNICIPAL-ANSWER", "KB-PRIORITY-NO-DISCHARGE-REPORT"} <= set(flagged)
    plain = alert_ids(run(builder, is_priority_patient=lambda s: False)["S1"])
    assert not {"KB-PRIORITY-NO-MUNICIPAL-ANSWER", "KB-PRIORITY-NO-DISCHARGE-REPORT"} & set(plain)


def test_overdue_obligations_alert_the_party_that_owes_them() -> None:
    builder = stay("S1", at(1), None)
    builder.admission_notice(at(3))  # late: 48 hours after admission
    overdue = [a for a in run(builder)["S1"].alerts if a.rule_id == "KB-OVERDUE-OBLIGATION"]
    assert [(a.party, a.organisation) for a in overdue] == [(Party.hospital, "80000001")]


def test_readiness_repeats_threshold_is_configurable() -> None:
    builder = stay("S1", at(1), None)
    builder.ready(at(2))
    builder.withdrawn(at(3))
    builder.ready(at(4))
    assert "KB-READINESS-REPEATED" in alert_ids(run(builder)["S1"])
    stricter = TransitionRules(readiness_repeats_threshold=2)
    assert "KB-READINESS-REPEATED" not in alert_ids(run(builder, rules=stricter)["S1"])


def test_every_alert_rule_explains_itself_in_english_and_bokmal() -> None:
    assert set(RULES) >= {"KB-REPEATED-TRANSITIONS", "KB-READMISSION-30D", "KB-PRIORITY-NO-MUNICIPAL-ANSWER",
                          "KB-PRIORITY-NO-DISCHARGE-REPORT", "KB-READINESS-REPEATED", "KB-OVERDUE-OBLIGATION"}
    for rule in RULES.values():
        assert rule.id.startswith("KB-") and len(rule.explanation) > 40 and len(rule.explanation_nb) > 40


def test_ledger_splits_a_stay_over_months() -> None:
    builder = stay("S1", at(25), None)
    builder.admission_notice(at(25, 12))
    builder.ready(at(30))
    builder.discharge(at(2, month=4))
    lines = ledger(run(builder).values())
    assert [(x.month, x.payable_days, x.amount_ore) for x in lines] == [("2024-03", 2, 2 * 574500),
                                                                         ("2024-04", 1, 574500)]


def test_the_priority_groups_classifier_decides_priority_patients() -> None:
    from helsefellesskap.identity.national_id import make_synthetic_national_id
    from helsefellesskap.transitions.priority import priority_patient_test, stay_person_facts

    child = StayBuilder("S1", make_synthetic_national_id(dt.date(2015, 5, 1), "female", 1))
    child.admission(at(1))
    child.ready(at(2))
    child.discharge(at(3), destination="home_with_services")
    adult = stay("S2", at(1), None)
    results = run(child, adult, is_priority_patient=priority_patient_test())
    facts = stay_person_facts(results["S1"].projection)
    assert facts is not None and facts.age == 8
    assert "KB-PRIORITY-NO-MUNICIPAL-ANSWER" in alert_ids(results["S1"])
    assert priority_patient_test()(results["S2"].projection) is False
