"""care-transition messages, stays, obligations, alerts and their workflow, payable months

Revision ID: 0003_transitions
Revises: 0002_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_transitions"
down_revision = "0002_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transition_alert_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_alert_comments")),
    )
    op.create_index(op.f("ix_transition_alert_comments_alert_id"), "transition_alert_comments", ["alert_id"])
    op.create_table(
        "transition_alert_workflow",
        sa.Column("alert_id", sa.String(32), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(100), nullable=True),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_transition_alert_workflow")),
    )
    op.create_table(
        "transition_alerts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("stay_id", sa.String(128), nullable=False),
        sa.Column("patient", sa.String(11), nullable=False),
        sa.Column("rule_id", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("party_address", sa.String(64), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_alerts")),
    )
    op.create_index(op.f("ix_transition_alerts_party_address"), "transition_alerts", ["party_address"])
    op.create_index(op.f("ix_transition_alerts_stay_id"), "transition_alerts", ["stay_id"])
    op.create_table(
        "transition_messages",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=True),
        sa.Column("raw_id", sa.String(128), nullable=True),
        sa.Column("type", sa.String(40), nullable=True),
        sa.Column("stay_id", sa.String(128), nullable=True),
        sa.Column("patient", sa.String(11), nullable=True),
        sa.Column("sender", sa.String(64), nullable=True),
        sa.Column("recipient", sa.String(64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("receipt_status", sa.String(20), nullable=False),
        sa.Column("receipt_errors", sa.Text(), nullable=False),
        sa.Column("pathway_status", sa.String(20), nullable=False),
        sa.Column("pathway_errors", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_transition_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_transition_messages_message_id")),
    )
    op.create_index(op.f("ix_transition_messages_patient"), "transition_messages", ["patient"])
    op.create_index(op.f("ix_transition_messages_stay_id"), "transition_messages", ["stay_id"])
    op.create_table(
        "transition_obligations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stay_id", sa.String(128), nullable=False),
        sa.Column("patient", sa.String(11), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("party_address", sa.String(64), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_obligations")),
    )
    op.create_index(op.f("ix_transition_obligations_party_address"), "transition_obligations", ["party_address"])
    op.create_index(op.f("ix_transition_obligations_stay_id"), "transition_obligations", ["stay_id"])
    op.create_table(
        "transition_payable_months",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stay_id", sa.String(128), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("health_trust", sa.String(64), nullable=False),
        sa.Column("hospital_party", sa.String(64), nullable=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("payable_days", sa.Integer(), nullable=False),
        sa.Column("unpriced_days", sa.Integer(), nullable=False),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_payable_months")),
    )
    op.create_index(op.f("ix_transition_payable_months_hospital_party"), "transition_payable_months",
                    ["hospital_party"])
    op.create_index("ix_transition_payable_months_municipality_month", "transition_payable_months",
                    ["municipality", "month"])
    op.create_index(op.f("ix_transition_payable_months_stay_id"), "transition_payable_months", ["stay_id"])
    op.create_table(
        "transition_stays",
        sa.Column("stay_id", sa.String(128), nullable=False),
        sa.Column("patient", sa.String(11), nullable=False),
        sa.Column("hospital", sa.String(64), nullable=True),
        sa.Column("hospital_party", sa.String(64), nullable=True),
        sa.Column("municipality", sa.String(4), nullable=True),
        sa.Column("municipality_party", sa.String(64), nullable=True),
        sa.Column("service", sa.String(20), nullable=True),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("acute", sa.Boolean(), nullable=True),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_discharge", sa.Date(), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(10), nullable=True),
        sa.Column("receive_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destination", sa.String(30), nullable=True),
        sa.Column("readmission_of", sa.String(128), nullable=True),
        sa.Column("payable_days", sa.Integer(), nullable=False),
        sa.Column("unpriced_days", sa.Integer(), nullable=False),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("payment_notes", sa.Text(), nullable=False),
        sa.Column("priority_groups", sa.Text(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("stay_id", name=op.f("pk_transition_stays")),
    )
    op.create_index("ix_transition_stays_hospital_party_state", "transition_stays", ["hospital_party", "state"])
    op.create_index("ix_transition_stays_municipality_party_state", "transition_stays", ["municipality_party", "state"])
    op.create_index(op.f("ix_transition_stays_patient"), "transition_stays", ["patient"])
    op.create_index(op.f("ix_transition_stays_state"), "transition_stays", ["state"])


def downgrade() -> None:
    op.drop_table("transition_stays")
    op.drop_table("transition_payable_months")
    op.drop_table("transition_obligations")
    op.drop_table("transition_messages")
    op.drop_table("transition_alerts")
    op.drop_table("transition_alert_workflow")
    op.drop_table("transition_alert_comments")
