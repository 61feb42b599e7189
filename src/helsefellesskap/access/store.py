"""Tables of the access capability: users and their roles, care relations, emergency grants, the audit chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helsefellesskap.db import Base


class UserRow(Base):
    __tablename__ = "access_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_address: Mapped[str | None] = mapped_column(String(50))
    national_id: Mapped[str | None] = mapped_column(String(11))
    hpr: Mapped[str | None] = mapped_column(String(20))
    # argon2id hash (PHC string); None for users who sign in only through the external identity provider.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRoleRow(Base):
    __tablename__ = "access_user_roles"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("access_users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class CareRelationRow(Base):
    __tablename__ = "access_care_relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    national_id: Mapped[str] = mapped_column(String(11), index=True)
    organisation_address: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmergencyGrantRow(Base):
    __tablename__ = "access_emergency_grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(100))
    organisation_address: Mapped[str | None] = mapped_column(String(50))
    national_id: Mapped[str] = mapped_column(String(11), index=True)
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    review_outcome: Mapped[str | None] = mapped_column(String(20))
    review_note: Mapped[str | None] = mapped_column(Text)


class AuditEntryRow(Base):
    """One audited access. Append-only: ``hash`` = sha256 over the canonical JSON of the fields and
    ``prev_hash``, so altering or removing an entry breaks the chain (``helsefellesskap audit verify``)."""

    __tablename__ = "access_audit_entries"

    # BigInteger: every person-data access in a country's worth of care is an entry, for years.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    username: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_address: Mapped[str | None] = mapped_column(String(50), index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(10))
    resource: Mapped[str] = mapped_column(String(60))
    national_id: Mapped[str | None] = mapped_column(String(11), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    basis_kind: Mapped[str | None] = mapped_column(String(20))
    basis_reference: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The head of the audit chain: one row, locked by every append so appends are serialised."""

    __tablename__ = "access_audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
