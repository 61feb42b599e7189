"""Refold: after a message is stored, the stays it touches (and the same patient's other stays, for
readmissions and repeated transitions) are folded again from ALL their stored messages with the same pure
engine as the offline replay (`pathway.fold_stay`, `replay.evaluate_stay`), and their projection rows are
replaced. Arrival order does not matter: the fold orders by event time, so out-of-order delivery ends in the
same projection as in-order delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import CareRelationKind
from helsefellesskap.priority_groups.model import classify
from helsefellesskap.registry.model import municipality_address
from helsefellesskap.transitions.alerts import Alert, repeated_transition_alerts
from helsefellesskap.transitions.calendar import oslo_date
from helsefellesskap.transitions.messages import AdmissionNotice, DischargeSummary, Message, parse_message
from helsefellesskap.transitions.obligations import Party
from helsefellesskap.transitions.pathway import StayProjection, fold_stay
from helsefellesskap.transitions.priority import stay_person_facts
from helsefellesskap.transitions.rates import DailyRates
from helsefellesskap.transitions.readmissions import link_readmissions
from helsefellesskap.transitions.receipts import MessageKey, Receipt
from helsefellesskap.transitions.replay import StayResult, evaluate_stay
from helsefellesskap.transitions.rules import DEFAULT_RULES, TransitionRules
from helsefellesskap.transitions.settled import SettledResults
from helsefellesskap.transitions.store import (
    OBLIGATIONS,
    PAYABLE_MONTHS,
    AlertRow,
    MessageRow,
    ObligationRow,
    PayableMonthRow,
    StayRow,
)


def aware(moment: dt.datetime) -> dt.datetime:
    """The instant in UTC; a naive value (SQLite returns them) is read as UTC, the way it was stored."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def maybe_aware(moment: dt.datetime | None) -> dt.datetime | None:
    return aware(moment) if moment is not None else None


def errors_json(receipt: Receipt) -> str:
    return json.dumps([{"code": str(e.code), "detail": e.detail, "field": e.field, "params": dict(e.params)}
                       for e in receipt.errors], ensure_ascii=False)


def alert_id(stay_id: str, rule_id: str, subject: str) -> str:
    """The stable id of an alert: the same stay, rule and subject give the same id in every refold."""
    return hashlib.sha256(f"{stay_id}\x1f{rule_id}\x1f{subject}".encode()).hexdigest()[:32]


def alert_subject(alert: Alert) -> str:
    # An overdue obligation is one alert per obligation (identified by its deadline); other rules once a stay.
    return alert.at.astimezone(dt.UTC).isoformat() if alert.rule_id == "KB-OVERDUE-OBLIGATION" else ""


@lru_cache(maxsize=1)
def _trust_by_address() -> dict[str, str]:
    from helsefellesskap.registry.reference import load_reference

    reference = load_reference()
    trusts = {trust.address: trust_id for trust_id, trust in reference.health_trusts.items()}
    for hospital_id, hospital in reference.hospitals.items():
        trusts[hospital.address] = reference.hospital_trust.get(hospital_id, hospital.address)
    return trusts


def health_trust_of(address: str) -> str:
    """Hospital (or trust) address -> health trust id, from the shipped register; an unknown address stays."""
    return _trust_by_address().get(address, address)


def lock_patient(session: Session, patient: str) -> None:
    """PostgreSQL: serialise refolds of one patient's stays (two messages of one stay at once would each fold
    without the other). A transaction-scoped advisory lock; SQLite serialises writers anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(patient)})


def lock_key(patient: str) -> int:
    """The advisory lock key of a patient (64 bits of the SHA-256 of the national id)."""
    return int.from_bytes(hashlib.sha256(patient.encode()).digest()[:8], "big", signed=True)


def _stored(session: Session, stay_ids: set[str]) -> list[MessageRow]:
    if not stay_ids:
        return []
    return list(session.scalars(select(MessageRow).where(
        MessageRow.stay_id.in_(stay_ids), MessageRow.message_id.is_not(None))))


def _stays_of_patients(session: Session, patients: set[str]) -> set[str]:
    rows = session.scalars(select(MessageRow.stay_id).where(
        MessageRow.patient.in_(patients), MessageRow.message_id.is_not(None)).distinct())
    return {stay_id for stay_id in rows if stay_id is not None}


def _stored_of_patient(session: Session, patient: str, stay_id: str) -> list[MessageRow]:
    """The stored messages of the stay and of every stay a message names the patient in (one query: the same
    rows as `_stored(session, _stays_of_patients(session, {patient}) | {stay_id})`)."""
    stays = select(MessageRow.stay_id).where(MessageRow.patient == patient, MessageRow.message_id.is_not(None))
    return list(session.scalars(select(MessageRow).where(
        MessageRow.message_id.is_not(None), (MessageRow.stay_id == stay_id) | MessageRow.stay_id.in_(stays))))


def _stay_rows(session: Session, stay_ids: set[str]) -> dict[str, StayRow]:
    """The stays' projection rows, loaded in one query and held for the refold (the identity map alone is weak
    and would load them again one by one)."""
    if not stay_ids:
        return {}
    return {row.stay_id: row for row in session.scalars(select(StayRow).where(StayRow.stay_id.in_(stay_ids)))}


def refold(session: Session, stay_id: str, patient: str, *, now: dt.datetime, message_type: str | None = None,
           rules: TransitionRules = DEFAULT_RULES, rates: DailyRates | None = None) -> dict[MessageKey, Receipt]:
    """Fold the stay and the patient's other stays again and replace their projection; the receipts of the
    folded messages by sender and message id. `message_type` is the type of the message that caused it."""
    session.flush()
    with session.no_autoflush:
        return _refold(session, stay_id, patient, now=now, message_type=message_type, rules=rules, rates=rates)


def stored_relation_facts(row: StayRow | None) -> tuple[object, ...] | None:
    """What the care relations of a stay depend on (patient, hospital, municipality, admission, discharge), as the
    stay's stored row has them: the facts the relations were last granted on. None before an admission.
    A refold grants the relations again when `projected_relation_facts` differ from these."""
    if row is None or row.admitted_at is None:
        return None
    return (row.patient, row.hospital, row.municipality, maybe_aware(row.admitted_at), maybe_aware(row.discharged_at))


def projected_relation_facts(stay: StayProjection) -> tuple[object, ...] | None:
    """The same facts as `stored_relation_facts`, from a stay's fold (what the relations must rest on now)."""
    if stay.admission is None:
        return None
    discharged_at = aware(stay.discharge.discharged_at) if stay.discharge else None
    return (stay.patient, stay.hospital, stay.municipality, aware(stay.admission.admitted_at), discharged_at)


def _refold(session: Session, stay_id: str, patient: str, *, now: dt.datetime, message_type: str | None,
            rules: TransitionRules, rates: DailyRates | None) -> dict[MessageKey, Receipt]:
    lock_patient(session, patient)
    rows = _stored_of_patient(session, patient, stay_id)
    messages: dict[str, list[Message]] = {}
    for row in rows:
        messages.setdefault(row.stay_id or "", []).append(parse_message(row.payload))
    stays = {sid: fold_stay(sid, found) for sid, found in messages.items()}
    others = {s.patient for s in stays.values() if s.patient and s.patient != patient}
    if others:  # a stay whose admission names another patient: fold that patient's stays too
        extra = _stays_of_patients(session, others) - set(stays)
        for row in _stored(session, extra):
            messages.setdefault(row.stay_id or "", []).append(parse_message(row.payload))
        stays.update({sid: fold_stay(sid, messages[sid]) for sid in extra if sid in messages})
    stay_rows = _stay_rows(session, set(stays) | {stay_id})
    relation_facts = stored_relation_facts(stay_rows.get(stay_id))
    groups = {sid: priority_groups(stay) for sid, stay in stays.items()}
    if rates is None:  # the shipped rates with an administrator's over them (read once per unit of work)
        from helsefellesskap.transitions.rates_service import effective_rates

        rates = effective_rates(session)
    results = evaluate_stays(stays, groups, rules, rates, now)
    receipts = receipts_by_message(results.values())
    _update_messages(session, rows, receipts)
    parties: dict[str, str] = {}
    for sid, result in results.items():
        write_projection(session, result, now=now, parties=parties, groups=groups.get(sid),
                         expected_discharge=latest_expected_discharge(messages.get(sid, [])),
                         row=stay_rows.get(sid), loaded=True)
    # Grant only when what the relations rest on changed (admission, discharge), or a discharge summary came.
    if stay_id in stays and (message_type == "discharge_summary"
                             or projected_relation_facts(stays[stay_id]) != relation_facts):
        _grant_relations(session, stays[stay_id], messages[stay_id])
    return receipts


Memo = dict[str, tuple[StayProjection, object, StayResult]]


def evaluate_stays(stays: dict[str, StayProjection], groups: dict[str, list[str]], rules: TransitionRules,
                   rates: DailyRates, now: dt.datetime, memo: Memo | None = None,
                   settled: SettledResults | None = None) -> dict[str, StayResult]:
    """Evaluate the folded stays (of one patient, and those their refold includes) as of `now`, with what crosses
    stays (readmission links, repeated-transition alerts); each stay's result by stay id. `memo` (a batch, one
    `now`): each stay's last evaluation, reused when the stay's fold (the same object) and its cross-stay facts are
    the same. `settled` (across batches): results that no longer change with the clock, reused on the same inputs
    (`settled.SettledResults`)."""
    links = link_readmissions(stays.values(), rules)
    repeated = repeated_transition_alerts(stays.values(), rules)
    test: Callable[[StayProjection], bool] = lambda stay: bool(groups.get(stay.stay_id))  # noqa: E731
    results = {}
    for sid, stay in stays.items():
        facts = (links.get(sid), repeated.get(sid))
        if memo is not None and sid in memo and memo[sid][0] is stay and memo[sid][1] == facts:
            results[sid] = memo[sid][2]
            continue
        priority = bool(groups.get(sid))
        result = settled.get(stay, facts, priority, rules, rates, now) if settled is not None else None
        if result is None:
            result = evaluate_stay(stay, rules=rules, rates=rates, as_of=now, readmission=links.get(sid),
                                   is_priority_patient=test)
            if sid in repeated:
                result = replace(result, alerts=(repeated[sid], *result.alerts))
            if settled is not None:
                settled.put(stay, facts, priority, rules, rates, now, result)
        results[sid] = result
        if memo is not None:
            memo[sid] = (stay, facts, result)
    return results


def latest_expected_discharge(messages: list[Message]) -> dt.date | None:
    """The expected discharge date of the stay's latest admission notice that gives one (None: none does)."""
    notices = sorted((m for m in messages if isinstance(m, AdmissionNotice) and m.expected_discharge),
                     key=lambda m: (m.sent_at, m.id))
    return notices[-1].expected_discharge if notices else None


def priority_groups(stay: StayProjection) -> list[str]:
    """The priority groups of the stay's patient as the messages describe them (priority-groups classifier)."""
    facts = stay_person_facts(stay)
    return sorted(str(group) for group in classify(facts)) if facts is not None else []


def receipts_by_message(results: Iterable[StayResult]) -> dict[MessageKey, Receipt]:
    """The folded messages' receipts by sender and message id (an id alone is ambiguous: it is its sender's own)."""
    return {r.key: r for result in results for r in result.receipts}


def stored_key(row: Any) -> MessageKey:
    """The key of a stored message's row (`message_id` set: a message that claimed its id), as `Receipt.key`."""
    return (row.sender or "", row.message_id or "")


def _update_messages(session: Session, rows: list[MessageRow], receipts: dict[MessageKey, Receipt]) -> None:
    for row in rows:
        receipt = receipts.get(stored_key(row))
        if receipt is None:
            continue
        status, errors = str(receipt.status), errors_json(receipt)
        if row.pathway_status != status or row.pathway_errors != errors:
            row.pathway_status, row.pathway_errors = status, errors


def _party(session: Session, address: str | None, parties: dict[str, str]) -> str | None:
    if address is None:
        return None
    if address not in parties:
        parties[address] = access.party_of(session, address)
    return parties[address]


def _stay_values(result: StayResult, hospital_party: str | None, municipality_party: str | None,
                 expected_discharge: dt.date | None, groups: list[str]) -> dict[str, Any]:
    stay, payment = result.projection, result.payment
    episode = stay.episodes[-1] if stay.episodes else None
    answer = episode.answers[-1] if episode and episode.answers else None
    ready_at = aware(episode.ready_at) if episode and not episode.withdrawn else None
    said = None if answer is None or ready_at is None else ("can" if answer.can_receive else "cannot")
    return {
        "patient": stay.patient, "hospital": stay.hospital, "hospital_party": hospital_party,
        "municipality": stay.municipality, "municipality_party": municipality_party,
        "service": str(stay.service) if stay.service else None, "state": str(stay.state),
        "acute": stay.admission.acute if stay.admission else None,
        "admitted_at": aware(stay.admission.admitted_at) if stay.admission else None,
        "expected_discharge": expected_discharge, "ready_at": ready_at, "answer": said,
        "receive_from": maybe_aware(answer.can_receive_from) if answer and said == "can" else None,
        "discharged_at": aware(stay.discharge.discharged_at) if stay.discharge else None,
        "destination": str(stay.discharge.destination) if stay.discharge else None,
        "readmission_of": result.readmission.previous_stay_id if result.readmission else None,
        "payable_days": payment.payable_days, "unpriced_days": len(payment.unpriced_days),
        "amount_ore": payment.amount_ore,
        "payment_notes": json.dumps([note.as_json() for note in payment.notes], ensure_ascii=False),
        "priority_groups": json.dumps(groups),
    }


def _months(result: StayResult) -> list[tuple[str, int, int, int]]:
    """Payable days per month: (YYYY-MM, days, unpriced days, øre)."""
    months: dict[str, list[int]] = {}
    for day in result.payment.days:
        month = months.setdefault(f"{day.date:%Y-%m}", [0, 0, 0])
        month[0] += 1
        if day.ore is None:
            month[1] += 1
        else:
            month[2] += day.ore
    return [(month, c[0], c[1], c[2]) for month, c in sorted(months.items())]


def write_projection(session: Session, result: StayResult, *, now: dt.datetime,
                     expected_discharge: dt.date | None = None, parties: dict[str, str] | None = None,
                     groups: list[str] | None = None, row: StayRow | None = None, loaded: bool = False) -> bool:
    """Replace the stay's projection rows (stay, obligations, payable months; alerts upserted by stable id).
    Nothing is written when the stay's projection is unchanged (its fingerprint is the same): returns whether
    anything was. `loaded`: the caller already loaded the stay's row (`row`, None when there is none yet)."""
    projected = project(session, result, parties={} if parties is None else parties,
                        groups=priority_groups(result.projection) if groups is None else groups,
                        expected_discharge=expected_discharge)
    if not loaded:
        row = session.get(StayRow, result.stay_id)
    if row is not None and row.fingerprint == projected.fingerprint:
        return False
    new = row is None  # a stay without a row has no projection rows yet: nothing to replace
    row = set_stay_row(session, row, projected, now)
    if not new:
        session.execute(delete(ObligationRow).where(ObligationRow.stay_id == result.stay_id))
        session.execute(delete(PayableMonthRow).where(PayableMonthRow.stay_id == result.stay_id))
    if projected.obligations:  # one multi-row INSERT, not one per row
        session.execute(insert(OBLIGATIONS), projected.obligations)
    if projected.months:
        session.execute(insert(PAYABLE_MONTHS), projected.months)
    write_alerts(session, result, projected.hospital_party, projected.municipality_party, now, new=new)
    return True


class Projected(NamedTuple):
    """What a stay's result is written as: the stay row's values, its obligation and payable-month rows, and the
    fingerprint of all of them with its alerts (an unchanged fingerprint: nothing to write)."""

    result: StayResult
    values: dict[str, Any]
    obligations: list[dict[str, Any]]
    months: list[dict[str, Any]]
    hospital_party: str | None
    municipality_party: str | None
    fingerprint: str


def project(session: Session, result: StayResult, *, parties: dict[str, str], groups: list[str],
            expected_discharge: dt.date | None) -> Projected:
    stay, payment = result.projection, result.payment
    hospital_party = _party(session, stay.hospital, parties)
    municipality_party = municipality_address(stay.municipality) if stay.municipality else None
    values = _stay_values(result, hospital_party, municipality_party, expected_discharge, groups)
    obligations = [(str(o.kind), str(o.party), o.organisation,
                    hospital_party if o.party is Party.hospital else municipality_party, aware(o.due_at),
                    maybe_aware(o.met_at)) for o in result.obligations]
    months = _months(result) if payment.municipality and stay.hospital else []
    alerts = [(alert_subject(a), a) for a in result.alerts]
    fingerprint = hashlib.sha256(json.dumps(
        [values, obligations, months, [(s, *a) for s, a in alerts]], default=str).encode()).hexdigest()
    trust = health_trust_of(stay.hospital or "") if months else ""
    return Projected(
        result, values,
        [{"stay_id": stay.stay_id, "patient": stay.patient, "kind": kind, "party": party,
          "organisation": organisation, "party_address": party_address, "due_at": due, "met_at": met}
         for kind, party, organisation, party_address, due, met in obligations],
        [{"stay_id": stay.stay_id, "municipality": payment.municipality, "health_trust": trust,
          "hospital_party": hospital_party, "month": month, "payable_days": days, "unpriced_days": unpriced,
          "amount_ore": ore} for month, days, unpriced, ore in months],
        hospital_party, municipality_party, fingerprint)


def set_stay_row(session: Session, row: StayRow | None, projected: Projected, now: dt.datetime) -> StayRow:
    """The stay's row (created when there is none) set to the projected values."""
    if row is None:
        row = StayRow(stay_id=projected.result.stay_id, **projected.values)
    else:
        for name, value in projected.values.items():
            if getattr(row, name) != value:  # (setting an instrumented attribute costs more than reading it)
                setattr(row, name, value)
    row.fingerprint, row.evaluated_at = projected.fingerprint, aware(now)
    session.add(row)
    return row


def write_alerts(session: Session, result: StayResult, hospital_party: str | None, municipality_party: str | None,
                 now: dt.datetime, *, new: bool = False, existing: dict[str, AlertRow] | None = None) -> None:
    """Write the stay's derived alerts to its alert rows: upsert each by its stable id (addressed to the hospital's
    or the municipality's party), resolve as of `now` the open ones no longer derived (their workflow is kept).
    `new`: the stay has no rows yet (nothing to read). `existing`: the stay's alert rows, already loaded by the
    caller (a batch), who gets the new rows added to it."""
    if existing is None:
        existing = {} if new else {
            row.id: row for row in session.scalars(select(AlertRow).where(AlertRow.stay_id == result.stay_id))}
    seen: set[str] = set()
    added: dict[str, AlertRow] = {}
    for alert in result.alerts:
        subject = alert_subject(alert)
        key = alert_id(alert.stay_id, alert.rule_id, subject)
        if key in seen:
            continue
        seen.add(key)
        row = existing.get(key) or AlertRow(id=key, stay_id=alert.stay_id, rule_id=alert.rule_id, subject=subject)
        row.patient = result.projection.patient
        row.party, row.organisation = str(alert.party), alert.organisation
        row.party_address = hospital_party if alert.party is Party.hospital else municipality_party
        if row.raised_at is None or aware(row.raised_at) != aware(alert.at):  # SQLite reads it back naive
            row.raised_at = aware(alert.at)
        row.detail, row.resolved_at = alert.detail, None
        row.detail_note = json.dumps({"code": alert.note.code, "params": alert.note.values}, ensure_ascii=False)
        session.add(row)
        added[key] = row
    existing.update(added)
    for key, row in existing.items():
        if key not in seen and row.resolved_at is None:
            row.resolved_at = aware(now)  # no longer derived: resolved (its workflow row is kept)


def _grant_relations(session: Session, stay: StayProjection, messages: list[Message]) -> None:
    grants = relation_grants(stay, messages)
    if grants:
        access.grant_care_relations(session, stay.patient, grants)


def relation_grants(stay: StayProjection, messages: list[Message]) -> list[access.RelationGrant]:
    """Care relations (tjenstlig behov) that the pathway gives: the hospital for the stay (with the access
    policy's grace after discharge), the paying municipality while the stay is open, the GP office the
    discharge summary is addressed to."""
    admission = stay.admission
    if admission is None:
        return []
    start = admission.admitted_at
    end = stay.discharge.discharged_at if stay.discharge else None
    if end is not None and end < start:
        end = start
    grants: list[access.RelationGrant] = [
        (admission.sender, CareRelationKind.HOSPITAL_STAY, stay.stay_id, start, end),
        (municipality_address(admission.municipality), CareRelationKind.MUNICIPAL_SERVICE, stay.stay_id, start, end)]
    # The GP's relation is with the office the epikrise is addressed to (its recipient): the message's `gp` may be
    # the GP's HPR number, a person, while care relations are held by organisations (docs/access.md).
    grants.extend((message.recipient, CareRelationKind.GP, stay.stay_id, message.sent_at, None)
                  for message in messages
                  if isinstance(message, DischargeSummary) and message.patient == stay.patient)
    return grants


def oslo_days_since(moment: dt.datetime | None, now: dt.datetime) -> int | None:
    return (oslo_date(now) - oslo_date(moment)).days if moment is not None else None
