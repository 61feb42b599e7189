"""register of communities, trusts, municipalities, organisations and forums

Revision ID: 0001_registry
Revises: None
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    target_table, target_column = target.split(".")
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target_table}"))


def upgrade() -> None:
    op.create_table(
        "registry_communities",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("regional_health_authority", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_communities")),
    )
    op.create_table(
        "registry_health_trusts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("legal_form", sa.String(8), nullable=False),
        sa.Column("orgnr", sa.String(9), nullable=True),
        sa.Column("regional_health_authority", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_health_trusts")),
    )
    op.create_table(
        "registry_community_trusts",
        sa.Column("community_id", sa.String(64), nullable=False),
        sa.Column("health_trust_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("registry_community_trusts", "community_id", "registry_communities.id"),
        _fk("registry_community_trusts", "health_trust_id", "registry_health_trusts.id"),
        sa.PrimaryKeyConstraint("community_id", "health_trust_id", name=op.f("pk_registry_community_trusts")),
    )
    op.create_table(
        "registry_hospitals",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("health_trust_id", sa.String(64), nullable=False),
        sa.Column("local_hospital", sa.Boolean(), nullable=False),
        _fk("registry_hospitals", "health_trust_id", "registry_health_trusts.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_hospitals")),
    )
    op.create_table(
        "registry_municipalities",
        sa.Column("number", sa.String(4), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("county_number", sa.String(2), nullable=False),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("population_date", sa.Date(), nullable=False),
        sa.Column("population_source", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_registry_municipalities")),
    )
    op.create_table(
        "registry_memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_number", sa.String(4), nullable=False),
        sa.Column("community_id", sa.String(64), nullable=False),
        sa.Column("health_trust_id", sa.String(64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        _fk("registry_memberships", "municipality_number", "registry_municipalities.number"),
        _fk("registry_memberships", "community_id", "registry_communities.id"),
        _fk("registry_memberships", "health_trust_id", "registry_health_trusts.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_memberships")),
    )
    op.create_index(op.f("ix_registry_memberships_municipality_number"), "registry_memberships",
                    ["municipality_number"])
    op.create_index(op.f("ix_registry_memberships_community_id"), "registry_memberships", ["community_id"])
    op.create_table(
        "registry_districts",
        sa.Column("number", sa.String(6), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("municipality_number", sa.String(4), nullable=False),
        sa.Column("health_trust_id", sa.String(64), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        _fk("registry_districts", "municipality_number", "registry_municipalities.number"),
        _fk("registry_districts", "health_trust_id", "registry_health_trusts.id"),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_registry_districts")),
    )
    op.create_table(
        "registry_forum_levels",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("member_kinds", sa.JSON(), nullable=False),
        sa.Column("observer_kinds", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_forum_levels")),
    )
    op.create_table(
        "registry_forums",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("community_id", sa.String(64), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("registry_forums", "community_id", "registry_communities.id"),
        _fk("registry_forums", "parent_id", "registry_forums.id"),
        _fk("registry_forums", "level", "registry_forum_levels.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_forums")),
    )
    op.create_index(op.f("ix_registry_forums_community_id"), "registry_forums", ["community_id"])
    op.create_table(
        "registry_organisations",
        sa.Column("address", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("orgnr", sa.String(9), nullable=True),
        sa.Column("parent_address", sa.String(50), nullable=True),
        sa.Column("municipality_number", sa.String(4), nullable=True),
        sa.Column("health_trust_id", sa.String(64), nullable=True),
        sa.Column("hospital_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("registry_organisations", "parent_address", "registry_organisations.address"),
        _fk("registry_organisations", "municipality_number", "registry_municipalities.number"),
        _fk("registry_organisations", "health_trust_id", "registry_health_trusts.id"),
        _fk("registry_organisations", "hospital_id", "registry_hospitals.id"),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_registry_organisations")),
    )
    op.create_index(op.f("ix_registry_organisations_kind"), "registry_organisations", ["kind"])
    op.create_index(op.f("ix_registry_organisations_parent_address"), "registry_organisations", ["parent_address"])
    op.create_index(op.f("ix_registry_organisations_municipality_number"), "registry_organisations",
                    ["municipality_number"])


def downgrade() -> None:
    for index, table in [
        ("ix_registry_organisations_municipality_number", "registry_organisations"),
        ("ix_registry_organisations_parent_address", "registry_organisations"),
        ("ix_registry_organisations_kind", "registry_organisations"),
        ("ix_registry_forums_community_id", "registry_forums"),
        ("ix_registry_memberships_community_id", "registry_memberships"),
        ("ix_registry_memberships_municipality_number", "registry_memberships"),
    ]:
        op.drop_index(op.f(index), table_name=table)
    for table in ["registry_organisations", "registry_forums", "registry_forum_levels", "registry_districts",
                  "registry_memberships", "registry_municipalities", "registry_hospitals",
                  "registry_community_trusts", "registry_health_trusts", "registry_communities"]:
        op.drop_table(table)
