"""Tables of the loaded synthetic twin (`helsefellesskap load-twin`): the columns of the twin's Parquet tables
(docs/synth.md) that the indicators read, so the same Ibis expressions run on the platform database."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, String, Table, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from helsefellesskap.db import Base


class TwinMunicipalityRow(Base):
    __tablename__ = "twin_municipalities"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    community: Mapped[str] = mapped_column(String(50))
    population: Mapped[int] = mapped_column(BigInteger)


class TwinPersonRow(Base):
    __tablename__ = "twin_persons"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    municipality: Mapped[str] = mapped_column(String(4))
    community: Mapped[str] = mapped_column(String(50))


class TwinConditionRow(Base):
    __tablename__ = "twin_conditions"

    row_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    code: Mapped[str] = mapped_column(String(10))
    onset_date: Mapped[date] = mapped_column(Date)


class TwinStayRow(Base):
    __tablename__ = "twin_stays"

    stay_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    municipality: Mapped[str] = mapped_column(String(4))
    service: Mapped[str] = mapped_column(String(20))
    acute: Mapped[bool] = mapped_column(Boolean)
    admitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ready_again_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discharged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    destination: Mapped[str] = mapped_column(String(30))
    primary_diagnosis: Mapped[str] = mapped_column(String(10))


class TwinStayDiagnosisRow(Base):
    """Every diagnosis of a stay (the Parquet list column `stays.diagnoses`, one row per code, main first)."""

    __tablename__ = "twin_stay_diagnoses"

    stay_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(10))


class TwinMessageRow(Base):
    __tablename__ = "twin_messages"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    stay_id: Mapped[str] = mapped_column(String(40), index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    can_receive: Mapped[bool | None] = mapped_column(Boolean)


class TwinServiceRow(Base):
    __tablename__ = "twin_services"

    service_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    municipality: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(20))
    stay_id: Mapped[str | None] = mapped_column(String(40))


class TwinGpContactRow(Base):
    __tablename__ = "twin_gp_contacts"

    row_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    contact_date: Mapped[date] = mapped_column(Date)
    icpc2: Mapped[str | None] = mapped_column(String(10))


class TwinDeathRow(Base):
    __tablename__ = "twin_deaths"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    died_on: Mapped[date] = mapped_column(Date)


class TwinPeriodRow(Base):
    """The simulated period the loaded twin records (run.json), end exclusive; no row for a twin without one."""

    __tablename__ = "twin_period"

    start: Mapped[date] = mapped_column(Date, primary_key=True)
    end: Mapped[date] = mapped_column(Date)


class TwinLoadRow(Base):
    """The load of the twin in the tables (one row, or none before any load): a new identifier every time
    `load-twin` replaces the twin, so results computed on the one before are known to be stale
    (`results_cache.loaded_twin_identity`)."""

    __tablename__ = "twin_load"

    load_id: Mapped[str] = mapped_column(String(32), primary_key=True)


def loaded_twin_identity(session: Session) -> tuple[object, ...]:
    """What identifies the loaded twin: the identifier of its load; for a twin loaded before loads were recorded
    (migration 0007), its number of stays and latest admission, which two loads may share."""
    load_id = session.scalar(select(TwinLoadRow.load_id).limit(1))
    if load_id is not None:
        return ("load", load_id)
    stays, latest = session.execute(select(func.count(), func.max(TwinStayRow.admitted_at))).one()
    return ("stays", stays, str(latest))


# In load order; `twin_stay_diagnoses` is filled from the stays' diagnosis lists.
TWIN_TABLES: dict[str, Table] = {
    name: cast(Table, row.__table__) for name, row in (
        ("municipalities", TwinMunicipalityRow), ("persons", TwinPersonRow), ("conditions", TwinConditionRow),
        ("stays", TwinStayRow), ("stay_diagnoses", TwinStayDiagnosisRow), ("messages", TwinMessageRow),
        ("services", TwinServiceRow), ("gp_contacts", TwinGpContactRow), ("deaths", TwinDeathRow),
    )
}  # fmt: skip
