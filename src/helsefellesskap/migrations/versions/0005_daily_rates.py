"""daily rates set by an operator; alert details as codes

Revision ID: 0005_daily_rates
Revises: 0004_indicators
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_daily_rates"
down_revision = "0004_indicators"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_rates",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("nok_per_day", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_daily_rates")),
        sa.CheckConstraint("nok_per_day > 0", name=op.f("ck_daily_rates_positive")),
    )
    with op.batch_alter_table("transition_alerts") as batch:
        batch.add_column(sa.Column("detail_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transition_alerts") as batch:
        batch.drop_column("detail_note")
    op.drop_table("daily_rates")
