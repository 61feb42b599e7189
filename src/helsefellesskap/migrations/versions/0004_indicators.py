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


TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "twin_municipalities",
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("community", sa.String(50), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("municipality", name=op.f("pk_twin_municipalities")),
    )
    op.create_table(
        "twin_persons",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("community", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_twin_persons")),
    )
    op.create_table(
        "twin_conditions",
        sa.Column("row_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_twin_conditions")),
    )
    op.create_index(op.f("ix_twin_conditions_person_id"), "twin_conditions", ["person_id"])
    op.create_table(
        "twin_stays",
        sa.Column("stay_id", sa.String(40), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("service", sa.String(20), nullable=False),
        sa.Column("acute", sa.Boolean(), nullable=False),
        sa.Column("admitted_at", TIME, nullable=False),
        sa.Column("ready_at", TIME, nullable=True),
        sa.Column("withdrawn_at", TIME, nullable=True),
        sa.Column("ready_again_at", TIME, nullable=True),
        sa.Column("discharged_at", TIME, nullable=False),
        sa.Column("destination", sa.String(30), nullable=False),
        sa.Column("primary_diagnosis", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("stay_id", name=op.f("pk_twin_stays")),
    )
    op.create_index(op.f("ix_twin_stays_person_id"), "twin_stays", ["person_id"])
    op.create_table(
        "twin_stay_diagnoses",
        sa.Column("stay_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("stay_id", "position", name=op.f("pk_twin_stay_diagnoses")),
    )
    op.create_table(
        "twin_messages",
        sa.Column("id", sa.String(60), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("stay_id", sa.String(40), nullable=False),
        sa.Column("sent_at", TIME, nullable=False),
        sa.Column("can_receive", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twin_messages")),
    )
    op.create_index(op.f("ix_twin_messages_stay_id"), "twin_messages", ["stay_id"])
    op.create_table(
        "twin_services",
        sa.Column("service_id", sa.String(40), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("stay_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_twin_services")),
    )
    op.create_index(op.f("ix_twin_services_person_id"), "twin_services", ["person_id"])
    op.create_table(
        "twin_gp_contacts",
        sa.Column("row_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("icpc2", sa.String(10), nullable=True),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_twin_gp_contacts")),
    )
    op.create_index(op.f("ix_twin_gp_contacts_person_id"), "twin_gp_contacts", ["person_id"])
    op.create_table(
        "twin_deaths",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("died_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_twin_deaths")),
    )


def downgrade() -> None:
    for index, table in (
        ("ix_twin_gp_contacts_person_id", "twin_gp_contacts"), ("ix_twin_services_person_id", "twin_services"),
        ("ix_twin_messages_stay_id", "twin_messages"), ("ix_twin_stays_person_id", "twin_stays"),
        ("ix_twin_conditions_person_id", "twin_conditions"),
    ):
        op.drop_index(op.f(index), table_name=table)
    for table in (
        "twin_deaths", "twin_gp_contacts", "twin_services", "twin_messages", "twin_stay_diagnoses", "twin_stays",
        "twin_conditions", "twin_persons", "twin_municipalities",
    ):
        op.drop_table(table)
