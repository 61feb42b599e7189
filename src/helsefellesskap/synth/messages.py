"""Care-transition messages built from stays, exactly in the platform's message contract
(/work/shared/domain/README.md § Message contract; the workflow of forskrift 2011-11-18-1115 §§ 8–13 as
summarised in the fact sheet § 4.1 [B on exact wording]).

Per stay: `admission` and `discharge` (hospital ADT events) and `discharge_summary` (epikrise, to the GP) for
every stay; for stays where the hospital presumes municipal needs also `admission_notice` (mostly within
24 hours, some late, some missing), `ready_for_discharge` with the § 9 criteria, the municipality's
`municipal_response` (can receive / cannot yet, then can), rare `ready_for_discharge_withdrawn` followed by a
renewed readiness, and the `discharge_report` (utskrivningsrapport) on the day of discharge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsefellesskap.synth.chunk import DESTINATIONS, DIED, SERVICE_NAMES, SOMATIC, Stays
from helsefellesskap.synth.tables import MESSAGES_SCHEMA, dates, timestamps

CRITERIA = ("admission_problems_clarified", "other_problems_clarified", "diagnosis_and_follow_up_plan",
            "functional_level_assessed")  # fmt: skip
CRITERIA_MET = 0.96  # share of readiness notices with every § 9 assessment documented [B]
EXPECTED_NEEDS = {
    "home": "Antatt behov for oppfølging fra hjemmetjenesten etter utskrivning",
    "home_with_services": "Antatt behov for hjemmesykepleie etter utskrivning",
    "short_term_stay": "Antatt behov for korttidsopphold i sykehjem",
    "nursing_home": "Antatt behov for langtidsplass i sykehjem",
    "municipal_acute_bed": "Antatt behov for kommunal akutt døgnplass",
}
WITHDRAWAL_REASON = "Ny akutt forverring, ikke lenger utskrivningsklar"
HOUR = 1 / 24
COMMON_FIELDS = ("id", "type", "sent_at", "stay_id", "patient", "sender", "recipient")
# The fields of each message type in the contract, in its order.
CONTRACT_FIELDS: dict[str, tuple[str, ...]] = {
    "admission": ("admitted_at", "service", "acute", "municipality", "diagnoses"),
    "admission_notice": ("expected_discharge", "expected_needs"),
    "ready_for_discharge": ("ready_at", "criteria"),
    "ready_for_discharge_withdrawn": ("withdrawn_at", "reason"),
    "municipal_response": ("can_receive", "receive_from"),
    "discharge": ("discharged_at", "destination", "diagnoses"),
    "discharge_report": ("text",),
    "discharge_summary": ("text", "gp"),
}
# Optional fields (contract extensions of the transitions engine), written only when set: the 2019 process
# conditions for mental health care and TSB [B].
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "ready_for_discharge": ("planning_meeting_called", "own_follow_up_clarified"),
    "discharge": ("to_hospital",),
}
PSYCHIATRY_CONDITIONS_MET = 0.95  # share of mental health / TSB readiness notices meeting both [B]


@dataclass
class StayParties:
    """Who the messages of each stay are about and between (arrays aligned with the stays)."""

    stay_id: np.ndarray
    patient: np.ndarray
    hospital: np.ndarray  # hospital address
    municipality_address: np.ndarray
    municipality: np.ndarray  # kommunenummer
    gp_hpr: np.ndarray
    gp_office: np.ndarray
    diagnoses: pa.ListArray
    transfer_to: str | None = None  # address of the hospital that receives transfers


def _part(stays: Stays, parties: StayParties, index: np.ndarray, kind: str, sent: np.ndarray, start: np.datetime64,
          *, to_municipality: bool = True, **columns: object) -> pa.Table:  # fmt: skip
    n = index.size
    sender = parties.hospital[index]
    recipient = parties.municipality_address[index]
    if not to_municipality:
        sender, recipient = recipient, sender
    data: dict[str, object] = {
        "id": pa.nulls(n, pa.string()), "type": pa.array(np.full(n, kind)), "sent_at": timestamps(sent, start),
        "stay_id": parties.stay_id[index], "patient": parties.patient[index], "sender": sender,
        "recipient": recipient, **columns,
    }  # fmt: skip
    arrays = [data.get(f.name, pa.nulls(n, f.type)) for f in MESSAGES_SCHEMA]
    return pa.Table.from_arrays([_arrow(a, f.type) for a, f in zip(arrays, MESSAGES_SCHEMA, strict=True)],
                                schema=MESSAGES_SCHEMA)  # fmt: skip


def _arrow(values: object, kind: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array):
        return values.cast(kind)
    if isinstance(values, np.ndarray) and values.size == 0:
        return pa.array([], type=kind)
    return pa.array(values, type=kind)


def _transfers(destination: np.ndarray, to: str | None) -> pa.Array:
    values = np.full(destination.size, None, dtype=object)
    if to is not None:
        values[destination == "other_hospital"] = to
    return pa.array(values, pa.string())


def _criteria(rng: np.random.Generator, n: int) -> pa.StructArray:
    values = np.ones((n, 4), dtype=bool)
    missing = rng.random(n) >= CRITERIA_MET
    values[np.flatnonzero(missing), rng.integers(0, 4, int(missing.sum()))] = False
    return pa.StructArray.from_arrays([pa.array(values[:, i]) for i in range(4)], names=list(CRITERIA))


def _readiness(rng: np.random.Generator, stays: Stays, parties: StayParties, start: np.datetime64,
               ready: np.ndarray, refused: np.ndarray, period_end: np.ndarray) -> list[pa.Table]:  # fmt: skip
    """The readiness notice and the municipality's answers for stays with a finite `ready` time; the readiness
    lasts until `period_end` (the discharge, or its withdrawal — then no later "can receive" follows)."""
    index = np.flatnonzero(np.isfinite(ready))
    end = period_end[index]
    notice_at = np.minimum(ready[index] + rng.uniform(0.1, 2, index.size) * HOUR, end - 0.5 * HOUR)
    psychiatry = stays.service[index] != SOMATIC
    met = rng.random(index.size) < PSYCHIATRY_CONDITIONS_MET
    conditions = pa.array(np.where(psychiatry, met, False), mask=~psychiatry)
    parts = [_part(stays, parties, index, "ready_for_discharge", notice_at, start,
                   ready_at=timestamps(ready[index], start), criteria=_criteria(rng, index.size),
                   planning_meeting_called=conditions, own_follow_up_clarified=conditions)]  # fmt: skip
    answer = stays.answered[index]
    first_at = np.minimum(notice_at + rng.uniform(0.5, 6, index.size) * HOUR, end - 0.25 * HOUR)
    can = ~refused[index]
    receive_from = np.where(can, np.maximum(notice_at, np.floor(end + HOUR) + 8 * HOUR - HOUR), np.nan)
    parts.append(_part(stays, parties, index[answer], "municipal_response", first_at[answer], start,
                       to_municipality=False, can_receive=can[answer],
                       receive_from=timestamps(receive_from[answer], start)))  # fmt: skip
    later = answer & ~can & (end == stays.discharged[index])
    later_at = np.maximum(np.floor(end + HOUR) - 10 * HOUR - HOUR, first_at + HOUR)[later]
    later_at = np.minimum(later_at, end[later] - 0.1 * HOUR)
    parts.append(_part(stays, parties, index[later], "municipal_response", later_at, start, to_municipality=False,
                       can_receive=np.ones(int(later.sum()), bool),
                       receive_from=timestamps(np.floor(end[later] + HOUR) + 7 * HOUR, start)))  # fmt: skip
    return parts


def build_messages(rng: np.random.Generator, stays: Stays, parties: StayParties, start: np.datetime64) -> pa.Table:
    every = np.arange(len(stays))
    service = np.array(SERVICE_NAMES)[stays.service]
    destination = np.array(DESTINATIONS)[stays.destination]
    has = rng.random(len(stays)) < 0.8  # the admission diagnosis is often not yet set [B]
    admission_lists = pa.ListArray.from_arrays(pa.array(np.r_[0, np.cumsum(has)], pa.int32()),
                                               pa.array(stays.code[has], pa.string()))  # fmt: skip
    parts = [
        _part(stays, parties, every, "admission", stays.admitted + rng.uniform(1, 10, len(stays)) / 1440, start,
              admitted_at=timestamps(stays.admitted, start), service=service, acute=stays.acute,
              municipality=parties.municipality, diagnoses=admission_lists),
        _part(stays, parties, every, "discharge", stays.discharged + rng.uniform(1, 30, len(stays)) / 1440, start,
              discharged_at=timestamps(stays.discharged, start), destination=destination,
              diagnoses=parties.diagnoses, to_hospital=_transfers(destination, parties.transfer_to)),
    ]  # fmt: skip
    summary_at = stays.discharged + np.minimum(rng.exponential(1.5, len(stays)), 14)
    parts.append(_part(stays, parties, every, "discharge_summary", summary_at, start,
                       text=np.char.add("Epikrise. Hoveddiagnose ", stays.code), gp=parties.gp_hpr))  # fmt: skip
    parts[-1] = parts[-1].set_column(parts[-1].schema.get_field_index("recipient"), "recipient",
                                     pa.array(parties.gp_office, pa.string()))  # fmt: skip
    notified = np.flatnonzero(stays.needs & np.isfinite(stays.notice_delay))
    notice_at = stays.admitted[notified] + stays.notice_delay[notified] * HOUR
    on_time = notice_at < stays.discharged[notified] - HOUR
    notified, notice_at = notified[on_time], notice_at[on_time]
    expected = stays.admitted[notified] + stays.expected[notified] + 1
    expected_date = pc.if_else(pa.array(rng.random(notified.size) < 0.9), dates(expected, start),
                               pa.nulls(notified.size, pa.date32()))  # fmt: skip
    needs_text = np.array([EXPECTED_NEEDS.get(d, "Behov for kommunale tjenester vurderes") for d in destination])
    parts.append(_part(stays, parties, notified, "admission_notice", notice_at, start,
                       expected_discharge=expected_date, expected_needs=needs_text[notified]))  # fmt: skip
    first_end = np.where(np.isfinite(stays.withdrawn), stays.withdrawn, stays.discharged)
    parts += _readiness(rng, stays, parties, start, stays.ready, stays.refused, first_end)
    parts += _readiness(rng, stays, parties, start, stays.ready_again, stays.refused_again, stays.discharged)
    withdrawn = np.flatnonzero(np.isfinite(stays.withdrawn))
    parts.append(_part(stays, parties, withdrawn, "ready_for_discharge_withdrawn",
                       stays.withdrawn[withdrawn] + rng.uniform(0.1, 1, withdrawn.size) * HOUR, start,
                       withdrawn_at=timestamps(stays.withdrawn[withdrawn], start),
                       reason=np.full(withdrawn.size, WITHDRAWAL_REASON)))  # fmt: skip
    reported = np.flatnonzero(stays.needs & (stays.destination != DIED))
    parts.append(_part(stays, parties, reported, "discharge_report",
                       stays.discharged[reported] + rng.uniform(0, 2, reported.size) * HOUR, start,
                       text=np.char.add("Utskrivningsrapport. Hoveddiagnose ", stays.code[reported])))  # fmt: skip
    return _order_and_number(pa.concat_tables(parts))


def _order_and_number(table: pa.Table) -> pa.Table:
    """Order by stay, then time; ids `<stay_id>-<n>` numbered in that order."""
    table = table.sort_by([("stay_id", "ascending"), ("sent_at", "ascending"), ("type", "ascending")])
    stay = table.column("stay_id").to_numpy(zero_copy_only=False).astype(str)
    first = np.r_[True, stay[1:] != stay[:-1]] if stay.size else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    sizes = np.diff(np.r_[starts, stay.size])
    number = np.arange(stay.size) - np.repeat(starts, sizes) + 1
    ids = np.char.add(np.char.add(stay, "-"), number.astype(str))
    return table.set_column(0, "id", pa.array(ids, pa.string()))
