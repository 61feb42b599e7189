"""Tables of the transitions capability.

`transition_messages` keeps every message received (also rejected and flagged ones): it is the source of
truth. The other tables are a projection, recomputed by folding a patient's stored messages after each new
one (`ingest.refold_patient`), except `transition_alert_workflow` / `transition_alert_comments`, which hold
what people did with an alert (keyed by the alert's stable id), so that it survives every refold.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from helsefellesskap.db import Base


class MessageRow(Base):
    """One received message. `message_id` is the sender's own id (docs/message-schema.json: "Unique id, the
    sender's"), unique per sender: (sender, message_id) is the idempotency guard (migration 0008); another
    sender may use the same id for another message. A message that failed the schema, or reused its sender's id
    for other content, is kept with `message_id` NULL (`raw_id` says which id it claimed) and is never folded."""

    __tablename__ = "transition_messages"
    __table_args__ = (
        UniqueConstraint("sender", "message_id", name="uq_transition_messages_sender_message_id"),
        # The kept rejected messages by content: a rejected message sent again is found by its SHA-256
        # (`rejected.first_kept`, `kept_rejections`), not by reading all its sender's rejections (migration 0009).
        Index("ix_transition_messages_rejected_sha256", "sha256", sqlite_where=text("message_id IS NULL"),
              postgresql_where=text("message_id IS NULL")),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str | None] = mapped_column(String(128))
    raw_id: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[str | None] = mapped_column(String(40))
    stay_id: Mapped[str | None] = mapped_column(String(128), index=True)
    patient: Mapped[str | None] = mapped_column(String(11), index=True)
    sender: Mapped[str | None] = mapped_column(String(64))
    recipient: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of a valid message; the raw text otherwise
    sha256: Mapped[str] = mapped_column(String(64))
    # The receipt answered on reception (a redelivery gets the same one back) ...
    receipt_status: Mapped[str] = mapped_column(String(20))
    receipt_errors: Mapped[str] = mapped_column(Text)  # JSON list of {code, detail, field}
    # ... and what the latest fold of its stay says of it (a late admission can change it).
    pathway_status: Mapped[str] = mapped_column(String(20))
    pathway_errors: Mapped[str] = mapped_column(Text)


class StayRow(Base):
    """The projection of one stay: state, key times, payment and counts for the boards."""

    __tablename__ = "transition_stays"
    __table_args__ = (
        Index("ix_transition_stays_hospital_party_state", "hospital_party", "state"),
        Index("ix_transition_stays_municipality_party_state", "municipality_party", "state"),
    )

    stay_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    patient: Mapped[str] = mapped_column(String(11), index=True)
    hospital: Mapped[str | None] = mapped_column(String(64))
    hospital_party: Mapped[str | None] = mapped_column(String(64))
    municipality: Mapped[str | None] = mapped_column(String(4))
    municipality_party: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), index=True)
    acute: Mapped[bool | None] = mapped_column(Boolean)
    admitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expected_discharge: Mapped[dt.date | None] = mapped_column(Date)
    ready_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(String(10))  # can / cannot / None (not answered)
    receive_from: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    discharged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    destination: Mapped[str | None] = mapped_column(String(30))
    readmission_of: Mapped[str | None] = mapped_column(String(128))
    payable_days: Mapped[int] = mapped_column(Integer)
    unpriced_days: Mapped[int] = mapped_column(Integer)
    amount_ore: Mapped[int] = mapped_column(Integer)
    payment_notes: Mapped[str] = mapped_column(Text)  # JSON list
    priority_groups: Mapped[str] = mapped_column(Text)  # JSON list
    evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the projection rows: unchanged stays are not rewritten


class ObligationRow(Base):
    __tablename__ = "transition_obligations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stay_id: Mapped[str] = mapped_column(String(128), index=True)
    patient: Mapped[str] = mapped_column(String(11))
    kind: Mapped[str] = mapped_column(String(30))
    party: Mapped[str] = mapped_column(String(20))  # hospital / municipality
    organisation: Mapped[str | None] = mapped_column(String(64))  # hospital address or municipality number
    party_address: Mapped[str | None] = mapped_column(String(64), index=True)  # the legal party that owes it
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    met_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertRow(Base):
    """A derived alert. `id` is stable (a hash of stay, rule and subject): a refold that derives the same
    alert keeps it; one that no longer derives it marks it resolved."""

    __tablename__ = "transition_alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stay_id: Mapped[str] = mapped_column(String(128), index=True)
    patient: Mapped[str] = mapped_column(String(11))
    rule_id: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(64))
    party_address: Mapped[str | None] = mapped_column(String(64), index=True)
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str] = mapped_column(Text)  # English
    # {"code", "params"} of the detail (transitions.notes), so a page can say it in its language; null: stored
    # before codes (migration 0005)
    detail_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertWorkflowRow(Base):
    """What people did with an alert; never touched by a refold."""

    __tablename__ = "transition_alert_workflow"

    alert_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[str | None] = mapped_column(String(100))


class AlertCommentRow(Base):
    __tablename__ = "transition_alert_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)


class PayableMonthRow(Base):
    """A stay's payable days (forskrift § 13) in one month, for the ledger per municipality x health trust x
    month."""

    __tablename__ = "transition_payable_months"
    __table_args__ = (Index("ix_transition_payable_months_municipality_month", "municipality", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stay_id: Mapped[str] = mapped_column(String(128), index=True)
    municipality: Mapped[str] = mapped_column(String(4))
    health_trust: Mapped[str] = mapped_column(String(64))  # trust id (or the hospital address if unknown)
    hospital_party: Mapped[str | None] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    payable_days: Mapped[int] = mapped_column(Integer)
    unpriced_days: Mapped[int] = mapped_column(Integer)
    amount_ore: Mapped[int] = mapped_column(Integer)


class DailyRateRow(Base):
    """A year's daily rate (døgnpris, forskrift § 13) set by an administrator: overrides or extends the shipped
    table `transitions/data/daily_rates.csv` (migration 0005). Every change is audited."""

    __tablename__ = "daily_rates"
    __table_args__ = (CheckConstraint("nok_per_day > 0", name="positive"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    nok_per_day: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)  # where the figure comes from (required)
    set_by: Mapped[str] = mapped_column(String(100))  # the user (or CLI operator) who set it
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# The tables themselves, for Core statements (multi-row INSERT/UPDATE in ingest, projection and batch).
MESSAGES = cast(Table, MessageRow.__table__)
STAYS = cast(Table, StayRow.__table__)
OBLIGATIONS = cast(Table, ObligationRow.__table__)
PAYABLE_MONTHS = cast(Table, PayableMonthRow.__table__)
