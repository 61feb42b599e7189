"""the identifier of each load of the synthetic twin (what the results cache keys on)

Revision ID: 0007_twin_load
Revises: 0006_twin_period
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_twin_load"
down_revision = "0006_twin_period"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "twin_load",
        sa.Column("load_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("load_id", name=op.f("pk_twin_load")),
    )


def downgrade() -> None:
    op.drop_table("twin_load")
