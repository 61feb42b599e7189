"""a message's id is unique per sender, not across all senders

The message contract (docs/message-schema.json) makes `id` the sender's own: two systems numbering their messages
with counters use the same ids. The idempotency guard was a unique constraint on `message_id` alone, so another
sender's message with an id already stored was refused as an id-conflict (a message lost); it becomes a unique
constraint on (sender, message_id). Stored rows keep their values: ids unique across all senders are unique per
sender. Going back fails if two senders' messages now share an id (they cannot both be kept under the old rule).

Revision ID: 0008_message_id_per_sender
Revises: 0007_twin_load
"""

from __future__ import annotations

from alembic import op

revision = "0008_message_id_per_sender"
down_revision = "0007_twin_load"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transition_messages") as batch:  # SQLite rebuilds the table; PostgreSQL alters it
        batch.drop_constraint("uq_transition_messages_message_id", type_="unique")
        batch.create_unique_constraint("uq_transition_messages_sender_message_id", ["sender", "message_id"])


def downgrade() -> None:
    with op.batch_alter_table("transition_messages") as batch:
        batch.drop_constraint("uq_transition_messages_sender_message_id", type_="unique")
        batch.create_unique_constraint("uq_transition_messages_message_id", ["message_id"])
