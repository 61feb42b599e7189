"""Tables of the registry capability: the register loaded from the data files, and the organisations created later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helsefellesskap.db import Base


class CommunityRow(Base):
    __tablename__ = "registry_communities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    regional_health_authority: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)  # order of communities.json (grouped by RHA)


class HealthTrustRow(Base):
    __tablename__ = "registry_health_trusts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(8))
    orgnr: Mapped[str | None] = mapped_column(String(9))
    regional_health_authority: Mapped[str] = mapped_column(String(64))


class CommunityTrustRow(Base):
    __tablename__ = "registry_community_trusts"

    community_id: Mapped[str] = mapped_column(String(64), ForeignKey("registry_communities.id"), primary_key=True)
    health_trust_id: Mapped[str] = mapped_column(String(64), ForeignKey("registry_health_trusts.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class HospitalRow(Base):
    __tablename__ = "registry_hospitals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    health_trust_id: Mapped[str] = mapped_column(String(64), ForeignKey("registry_health_trusts.id"))
    local_hospital: Mapped[bool] = mapped_column(Boolean)


class MunicipalityRow(Base):
    __tablename__ = "registry_municipalities"

    number: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    county_number: Mapped[str] = mapped_column(String(2))
    county: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)
    population_date: Mapped[date] = mapped_column(Date)
    # "memory" until `registry refresh` has replaced the figures with Statistics Norway's (PROVENANCE.md)
    population_source: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class MembershipRow(Base):
    """Versioned: a municipality belongs to a community (served by a trust, or per district) from/to a date."""

    __tablename__ = "registry_memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_number: Mapped[str] = mapped_column(
        String(4), ForeignKey("registry_municipalities.number"), index=True)
    community_id: Mapped[str] = mapped_column(String(64), ForeignKey("registry_communities.id"), index=True)
    health_trust_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("registry_health_trusts.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class DistrictRow(Base):
    __tablename__ = "registry_districts"

    number: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality_number: Mapped[str] = mapped_column(String(4), ForeignKey("registry_municipalities.number"))
    health_trust_id: Mapped[str] = mapped_column(String(64), ForeignKey("registry_health_trusts.id"))
    population: Mapped[int] = mapped_column(Integer)


class ForumLevelRow(Base):
    __tablename__ = "registry_forum_levels"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    member_kinds: Mapped[list[Any]] = mapped_column(JSON)
    observer_kinds: Mapped[list[Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)


class ForumRow(Base):
    """A forum of a community; ``parent_id`` makes an arbitrary hierarchy (partnership meeting > SSU > FSU > …)."""

    __tablename__ = "registry_forums"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[str] = mapped_column(String(64), ForeignKey("registry_communities.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("registry_forums.id"))
    level: Mapped[str] = mapped_column(String(40), ForeignKey("registry_forum_levels.id"))
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class OrganisationRow(Base):
    """Every addressable organisation: the register's trusts, hospitals and municipalities, and the units created
    later. ``address`` is the HER-id-like messaging address."""

    __tablename__ = "registry_organisations"

    address: Mapped[str] = mapped_column(String(50), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    orgnr: Mapped[str | None] = mapped_column(String(9))
    parent_address: Mapped[str | None] = mapped_column(
        String(50), ForeignKey("registry_organisations.address"), index=True)
    municipality_number: Mapped[str | None] = mapped_column(
        String(4), ForeignKey("registry_municipalities.number"), index=True)
    health_trust_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("registry_health_trusts.id"))
    hospital_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("registry_hospitals.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
