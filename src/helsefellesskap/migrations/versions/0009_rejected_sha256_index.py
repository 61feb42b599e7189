"""an index of the kept rejected messages by their SHA-256

A rejected message (failing the schema, or an id conflict) sent again by its sender is answered with the first
receipt and not kept again (transitions/rejected.py). The first is looked up by its SHA-256 among the messages
kept without an id; without an index that read every rejected message of the sender. A partial index: only the
rejected messages (message_id NULL), so accepting a message costs nothing more.

Revision ID: 0009_rejected_sha256_index
Revises: 0008_message_id_per_sender
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_rejected_sha256_index"
down_revision = "0008_message_id_per_sender"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transition_messages_rejected_sha256", "transition_messages", ["sha256"],
                    sqlite_where=sa.text("message_id IS NULL"), postgresql_where=sa.text("message_id IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_transition_messages_rejected_sha256", table_name="transition_messages")
