"""care-transition messages, stays, obligations, alerts

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
    pass


def downgrade() -> None:
    pass
