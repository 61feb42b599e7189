"""The twin's table schemas (documented in docs/synth.md) and the conversion of the generator's float days."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

TIME = pa.timestamp("us", tz="UTC")
CODES = pa.list_(pa.string())
CRITERIA_TYPE = pa.struct([(name, pa.bool_()) for name in (
    "admission_problems_clarified", "other_problems_clarified", "diagnosis_and_follow_up_plan",
    "functional_level_assessed")])  # fmt: skip

MUNICIPALITIES_SCHEMA = pa.schema([
    ("municipality", pa.string()), ("name", pa.string()), ("community", pa.string()),
    ("regional_health_authority", pa.string()), ("health_trust", pa.string()), ("population", pa.int64()),
    ("persons", pa.int64()), ("capacity", pa.float64()),
])  # fmt: skip
GPS_SCHEMA = pa.schema([("gp_hpr", pa.string()), ("gp_office", pa.string()), ("municipality", pa.string())])
PERSONS_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("national_id", pa.string()), ("birth_date", pa.date32()), ("sex", pa.string()),
    ("municipality", pa.string()), ("district", pa.string()), ("community", pa.string()), ("gp_hpr", pa.string()),
    ("gp_office", pa.string()), ("hfrs", pa.float64()),
])  # fmt: skip
CONDITIONS_SCHEMA = pa.schema([("person_id", pa.int64()), ("code", pa.string()), ("onset_date", pa.date32())])
STAYS_SCHEMA = pa.schema([
    ("stay_id", pa.string()), ("person_id", pa.int64()), ("municipality", pa.string()),
    ("health_trust", pa.string()), ("hospital", pa.string()), ("service", pa.string()), ("acute", pa.bool_()),
    ("admitted_at", TIME), ("ready_at", TIME), ("withdrawn_at", TIME), ("ready_again_at", TIME),
    ("discharged_at", TIME), ("destination", pa.string()), ("primary_diagnosis", pa.string()),
    ("diagnoses", CODES), ("diagnosis_group", pa.string()), ("municipal_needs", pa.bool_()),
    ("delayed_discharge_days", pa.int32()), ("early_discharge", pa.bool_()), ("hfrs", pa.float64()),
    ("readmission_of", pa.string()),
])  # fmt: skip
MESSAGES_SCHEMA = pa.schema([
    ("id", pa.string()), ("type", pa.string()), ("sent_at", TIME), ("stay_id", pa.string()),
    ("patient", pa.string()), ("sender", pa.string()), ("recipient", pa.string()), ("admitted_at", TIME),
    ("service", pa.string()), ("acute", pa.bool_()), ("municipality", pa.string()), ("diagnoses", CODES),
    ("expected_discharge", pa.date32()), ("expected_needs", pa.string()), ("ready_at", TIME),
    ("criteria", CRITERIA_TYPE), ("planning_meeting_called", pa.bool_()), ("own_follow_up_clarified", pa.bool_()),
    ("withdrawn_at", TIME), ("reason", pa.string()), ("can_receive", pa.bool_()),
    ("receive_from", TIME), ("discharged_at", TIME), ("destination", pa.string()), ("to_hospital", pa.string()),
    ("text", pa.string()),
    ("gp", pa.string()),
])  # fmt: skip
SERVICES_SCHEMA = pa.schema([
    ("service_id", pa.string()), ("person_id", pa.int64()), ("municipality", pa.string()), ("kind", pa.string()),
    ("start", pa.date32()), ("end", pa.date32()), ("origin", pa.string()), ("stay_id", pa.string()),
])  # fmt: skip
GP_CONTACTS_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("gp_hpr", pa.string()), ("contact_date", pa.date32()), ("kind", pa.string()),
    ("icpc2", pa.string()),
])  # fmt: skip
DEATHS_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("died_on", pa.date32()), ("place", pa.string()), ("stay_id", pa.string()),
])  # fmt: skip

SCHEMAS: dict[str, pa.Schema] = {
    "municipalities": MUNICIPALITIES_SCHEMA, "gps": GPS_SCHEMA, "persons": PERSONS_SCHEMA,
    "conditions": CONDITIONS_SCHEMA, "stays": STAYS_SCHEMA, "messages": MESSAGES_SCHEMA,
    "services": SERVICES_SCHEMA, "gp_contacts": GP_CONTACTS_SCHEMA, "deaths": DEATHS_SCHEMA,
}  # fmt: skip
UTC_OFFSET_DAYS = 1 / 24  # local dates taken as UTC+1 (see waits.py)


def padded(numbers: np.ndarray, width: int) -> np.ndarray:
    """Integers as zero-padded digit strings (numpy's zfill fails on empty arrays)."""
    numbers = np.asarray(numbers)
    if numbers.size == 0:
        return np.zeros(0, dtype=f"U{width}")
    return np.char.zfill(numbers.astype(str), width)


def timestamps(days: np.ndarray, start: np.datetime64) -> pa.Array:
    """Float days from the start (UTC midnight of the start date) → UTC timestamps rounded to the second;
    nan → null."""
    days = np.asarray(days, dtype=np.float64)
    finite = np.isfinite(days)
    seconds = np.round(np.where(finite, days, 0.0) * 86_400).astype(np.int64)
    values = start.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return pa.array(values.astype("datetime64[us]"), type=pa.timestamp("us"), mask=~finite).cast(TIME)


def dates(days: np.ndarray, start: np.datetime64) -> pa.Array:
    """Float days → local dates (nan → null)."""
    days = np.asarray(days, dtype=np.float64)
    finite = np.isfinite(days)
    whole = np.floor(np.where(finite, days, 0.0) + UTC_OFFSET_DAYS).astype(np.int64)
    return pa.array(start.astype("datetime64[D]") + whole.astype("timedelta64[D]"), type=pa.date32(), mask=~finite)
