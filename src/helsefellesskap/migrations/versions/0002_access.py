"""users, roles, care relations and the audit log

Revision ID: 0002_access
Revises: '0001_registry'
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_access"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_users",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("organisation_address", sa.String(50), nullable=True),
        sa.Column("national_id", sa.String(11), nullable=True),
        sa.Column("hpr", sa.String(20), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_users")),
        sa.UniqueConstraint("username", name=op.f("uq_access_users_username")),
    )
    op.create_table(
        "access_user_roles",
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["access_users.id"], ondelete="CASCADE",
                                name=op.f("fk_access_user_roles_user_id_access_users")),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_access_user_roles")),
    )
    op.create_table(
        "access_care_relations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("national_id", sa.String(11), nullable=False),
        sa.Column("organisation_address", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_care_relations")),
    )
    op.create_index(op.f("ix_access_care_relations_national_id"), "access_care_relations", ["national_id"])
    op.create_table(
        "access_emergency_grants",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("organisation_address", sa.String(50), nullable=True),
        sa.Column("national_id", sa.String(11), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(100), nullable=True),
        sa.Column("review_outcome", sa.String(20), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_emergency_grants")),
    )
    op.create_index(op.f("ix_access_emergency_grants_national_id"), "access_emergency_grants", ["national_id"])
    op.create_table(
        "access_audit_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("organisation_address", sa.String(50), nullable=True),
        sa.Column("role", sa.String(40), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("resource", sa.String(60), nullable=False),
        sa.Column("national_id", sa.String(11), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("basis_kind", sa.String(20), nullable=True),
        sa.Column("basis_reference", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_access_audit_entries")),
    )
    op.create_index(op.f("ix_access_audit_entries_user_id"), "access_audit_entries", ["user_id"])
    op.create_index(op.f("ix_access_audit_entries_organisation_address"), "access_audit_entries",
                    ["organisation_address"])
    op.create_index(op.f("ix_access_audit_entries_national_id"), "access_audit_entries", ["national_id"])
    op.create_table(
        "access_audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_audit_head")),
    )


def downgrade() -> None:
    op.drop_table("access_audit_head")
    op.drop_index(op.f("ix_access_audit_entries_national_id"), table_name="access_audit_entries")
    op.drop_index(op.f("ix_access_audit_entries_organisation_address"), table_name="access_audit_entries")
    op.drop_index(op.f("ix_access_audit_entries_user_id"), table_name="access_audit_entries")
    op.drop_table("access_audit_entries")
    op.drop_index(op.f("ix_access_emergency_grants_national_id"), table_name="access_emergency_grants")
    op.drop_table("access_emergency_grants")
    op.drop_index(op.f("ix_access_care_relations_national_id"), table_name="access_care_relations")
    op.drop_table("access_care_relations")
    op.drop_table("access_user_roles")
    op.drop_table("access_users")
