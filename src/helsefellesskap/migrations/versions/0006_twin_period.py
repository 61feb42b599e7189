"""the simulated period of the loaded synthetic twin

Revision ID: 0006_twin_period
Revises: 0005_daily_rates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_twin_period"
down_revision = "0005_daily_rates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "twin_period",
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("start", name=op.f("pk_twin_period")),
    )


def downgrade() -> None:
    op.drop_table("twin_period")
