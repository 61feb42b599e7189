"""Use cases of the register: load the shipped data into the database (idempotent) and answer questions about
communities and municipalities. Organisations: ``registry.organisations`` (re-exported here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, false, func, select
from sqlalchemy.orm import Session

from helsefellesskap.db import Base, Database
from helsefellesskap.errors import NotFound
from helsefellesskap.identity.municipality_number import validate_municipality_number
from helsefellesskap.registry.model import (
    CommunityRef,
    CommunityView,
    DistrictView,
    ForumView,
    HealthTrust,
    Hospital,
    MunicipalitySummary,
    MunicipalityView,
    OrganisationKind,
    municipality_address,
)
from helsefellesskap.registry.organisations import (
    create_organisation,
    get_organisation,
    list_organisations,
    organisation_kind,
    party_of,
)
from helsefellesskap.registry.reference import Reference, load_reference
from helsefellesskap.registry.store import (
    CommunityRow,
    CommunityTrustRow,
    DistrictRow,
    ForumLevelRow,
    ForumRow,
    HealthTrustRow,
    HospitalRow,
    MembershipRow,
    MunicipalityRow,
    OrganisationRow,
)

__all__ = ["create_organisation", "get_community", "get_municipality", "get_organisation", "list_communities",
           "list_organisations", "load_register", "organisation_kind", "party_of"]


def _upsert(session: Session, table: type[Base], key: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert new rows, update existing ones (by primary key ``key``); one SELECT per table."""
    existing = {getattr(row, key): row for row in session.scalars(select(table))}
    count = 0
    for values in rows:
        row = existing.get(values[key])
        if row is None:
            session.add(table(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
        count += 1
    session.flush()
    return count


def _forum_depth(reference: Reference, forum_id: str) -> int:
    depth, parent = 0, reference.forums[forum_id].parent_id
    while parent is not None:
        depth, parent = depth + 1, reference.forums[parent].parent_id
    return depth


def _load_structure(session: Session, reference: Reference) -> None:
    _upsert(session, CommunityRow, "id", (
        {"id": c.id, "name": c.name, "regional_health_authority": c.regional_health_authority, "position": i}
        for i, c in enumerate(reference.communities.values())))
    _upsert(session, HealthTrustRow, "id", (
        {"id": t.id, "name": t.name, "legal_form": t.legal_form, "orgnr": t.orgnr,
         "regional_health_authority": t.regional_health_authority} for t in reference.health_trusts.values()))
    session.execute(delete(CommunityTrustRow))
    session.add_all(CommunityTrustRow(community_id=c.id, health_trust_id=t, position=i)
                    for c in reference.communities.values() for i, t in enumerate(c.health_trusts))
    _upsert(session, HospitalRow, "id", (
        {"id": h.id, "name": h.name, "health_trust_id": reference.hospital_trust[h.id],
         "local_hospital": h.local_hospital} for h in reference.hospitals.values()))
    day = reference.national.population_date
    _upsert(session, MunicipalityRow, "number", (
        {**m.model_dump(), "population_date": day, "population_source": reference.national.population_source}
        for m in reference.municipalities.values()))
    session.execute(delete(MembershipRow))
    session.add_all(MembershipRow(**m.model_dump()) for m in reference.memberships)
    _upsert(session, DistrictRow, "number", (d.model_dump() for d in reference.districts.values()))
    _upsert(session, ForumLevelRow, "id", (level.model_dump() for level in reference.forum_levels.values()))
    forums = sorted(reference.forums.values(), key=lambda f: _forum_depth(reference, f.id))
    _upsert(session, ForumRow, "id", (f.model_dump() for f in forums))


def _register_organisations(reference: Reference) -> Iterable[dict[str, Any]]:
    none = {"orgnr": None, "parent_address": None, "municipality_number": None, "health_trust_id": None,
            "hospital_id": None}
    for trust in reference.health_trusts.values():
        yield {**none, "address": trust.address, "kind": OrganisationKind.HEALTH_TRUST.value, "name": trust.name,
               "orgnr": trust.orgnr, "health_trust_id": trust.id}
    for trust in reference.health_trusts.values():
        for hospital in trust.hospitals:
            yield {**none, "address": hospital.address, "kind": OrganisationKind.HOSPITAL.value,
                   "name": hospital.name, "parent_address": trust.address, "health_trust_id": trust.id,
                   "hospital_id": hospital.id}
    for municipality in reference.municipalities.values():
        yield {**none, "address": municipality_address(municipality.number),
               "kind": OrganisationKind.MUNICIPALITY.value, "name": municipality.name,
               "municipality_number": municipality.number}


REGISTER_LOCK = 0x72656769  # the PostgreSQL advisory lock that serialises loads of the register ("regi")


def _one_load_at_a_time(session: Session) -> None:
    """Two loads at once both found no rows, both inserted, and the second failed on the first's keys (an
    IntegrityError: a traceback at the CLI). PostgreSQL: an advisory lock held to the end of the transaction.
    SQLite: a write that changes nothing takes the database's write lock before the first read (pysqlite begins the
    transaction only at the first write, so the reads ran before it, outside the other load's lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(REGISTER_LOCK)))
    else:
        session.execute(delete(CommunityTrustRow).where(false()))


def load_register(database: Database, reference: Reference | None = None, *,
                  now: dt.datetime | None = None) -> dict[str, int]:
    """Load (or reload) the register into the database in one transaction; idempotent. Returns counts."""
    reference = reference or load_reference()
    now = now or dt.datetime.now(dt.UTC)
    with database.unit_of_work() as session:
        _one_load_at_a_time(session)
        _load_structure(session, reference)
        existing = set(session.scalars(select(OrganisationRow.address)))
        organisations = list(_register_organisations(reference))
        _upsert(session, OrganisationRow, "address", (
            o if o["address"] in existing else {**o, "created_at": now} for o in organisations))
    return {"communities": len(reference.communities), "health_trusts": len(reference.health_trusts),
            "hospitals": len(reference.hospitals), "municipalities": len(reference.municipalities),
            "districts": len(reference.districts), "forums": len(reference.forums),
            "organisations": len(organisations)}


def _trusts(session: Session, community_id: str) -> list[HealthTrust]:
    trust_rows = session.execute(
        select(HealthTrustRow).join(CommunityTrustRow, CommunityTrustRow.health_trust_id == HealthTrustRow.id)
        .where(CommunityTrustRow.community_id == community_id).order_by(CommunityTrustRow.position)).scalars().all()
    addresses = {(o.kind, o.health_trust_id, o.hospital_id): o.address for o in session.scalars(
        select(OrganisationRow).where(OrganisationRow.kind.in_(["health_trust", "hospital"])))}
    result = []
    for trust in trust_rows:
        hospitals = session.scalars(select(HospitalRow).where(HospitalRow.health_trust_id == trust.id)
                                    .order_by(HospitalRow.id)).all()
        result.append(HealthTrust(
            id=trust.id, name=trust.name, legal_form=trust.legal_form, orgnr=trust.orgnr,
            regional_health_authority=trust.regional_health_authority,
            address=addresses.get(("health_trust", trust.id, None), ""),
            hospitals=[Hospital(id=h.id, name=h.name, local_hospital=h.local_hospital,
                                address=addresses.get(("hospital", trust.id, h.id), "")) for h in hospitals]))
    return result


def _forums(session: Session, community_id: str) -> list[ForumView]:
    levels = {level.id: level for level in session.scalars(select(ForumLevelRow))}
    rows = session.scalars(select(ForumRow).where(ForumRow.community_id == community_id).order_by(ForumRow.id))
    return [ForumView(id=f.id, name=f.name, level=f.level, parent_id=f.parent_id, note=f.note,
                      member_kinds=list(levels[f.level].member_kinds),
                      observer_kinds=list(levels[f.level].observer_kinds)) for f in rows]


def _community_view(session: Session, row: CommunityRow) -> CommunityView:
    members = session.execute(
        select(MunicipalityRow, MembershipRow.health_trust_id)
        .join(MembershipRow, MembershipRow.municipality_number == MunicipalityRow.number)
        .where(MembershipRow.community_id == row.id, MembershipRow.valid_to.is_(None))
        .order_by(MunicipalityRow.number)).all()
    municipalities = [MunicipalitySummary(number=m.number, name=m.name, population=m.population,
                                          health_trust_id=trust) for m, trust in members]
    return CommunityView(id=row.id, name=row.name, regional_health_authority=row.regional_health_authority,
                         population=sum(m.population for m in municipalities), health_trusts=_trusts(session, row.id),
                         municipalities=municipalities, forums=_forums(session, row.id))


def list_communities(session: Session) -> list[CommunityView]:
    rows = session.scalars(select(CommunityRow).order_by(CommunityRow.position, CommunityRow.id))
    return [_community_view(session, row) for row in rows]


def get_community(session: Session, community_id: str) -> CommunityView:
    row = session.get(CommunityRow, community_id) if community_id.isprintable() else None
    if row is None:
        raise NotFound(f"No helsefellesskap with id {community_id!r}.")
    return _community_view(session, row)


def get_municipality(session: Session, number: str, on: dt.date | None = None) -> MunicipalityView:
    """A municipality with its community and serving trust on ``on`` (default: its current membership)."""
    number = validate_municipality_number(number)
    row = session.get(MunicipalityRow, number)
    query = select(MembershipRow).where(MembershipRow.municipality_number == number)
    if on is None:
        query = query.where(MembershipRow.valid_to.is_(None))
    else:
        query = query.where(MembershipRow.valid_from <= on,
                            (MembershipRow.valid_to.is_(None)) | (MembershipRow.valid_to >= on))
    membership = session.scalars(query).first()
    if row is None or membership is None:
        raise NotFound(f"Municipality {number} is not in the register" + (f" on {on}." if on else "."))
    community = session.get(CommunityRow, membership.community_id)
    assert community is not None  # foreign key
    districts = session.scalars(select(DistrictRow).where(DistrictRow.municipality_number == number)
                                .order_by(DistrictRow.number))
    return MunicipalityView(
        number=row.number, name=row.name, county_number=row.county_number, county=row.county,
        population=row.population, population_date=row.population_date,
        population_source=row.population_source, valid_from=row.valid_from,
        valid_to=row.valid_to, address=municipality_address(row.number),
        community=CommunityRef(id=community.id, name=community.name), health_trust_id=membership.health_trust_id,
        districts=[DistrictView(number=d.number, name=d.name, population=d.population,
                                health_trust_id=d.health_trust_id) for d in districts])
