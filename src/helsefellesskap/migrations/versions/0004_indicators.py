"""the analytic data set the indicators run on (a loaded synthetic twin)

Revision ID: 0004_indicators
Revises: 0003_transitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_indicators"
down_revision = "0003_transitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
