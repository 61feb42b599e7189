"""Reading the audit log: the patient's own view ("who has looked at my data") and compliance queries.
Both readings are themselves audited: the log of a person's accesses is that person's data too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.model import Action, Principal, Resource
from helsefellesskap.access.service import audit, authorize, authorize_person, normalise_national_id
from helsefellesskap.access.store import AuditEntryRow
from helsefellesskap.errors import Forbidden, NotFound
from helsefellesskap.registry import service as registry_service


def access_log_of_patient(session: Session, principal: Principal, *, now: datetime, source: str | None = None,
                          limit: int = 1000) -> list[AuditEntryRow]:
    """Who has read or written the patient's data, when and why (pasientjournalloven § 18 [B]); the patient's
    own look-ups are left out."""
    if principal.national_id is None:
        raise Forbidden("Only a patient can see the access log of their own record.")
    authorize_person(session, principal, principal.national_id, Action.READ, Resource.AUDIT_PERSON, now=now,
                     source=source)
    stmt = (select(AuditEntryRow)
            .where(AuditEntryRow.national_id == principal.national_id, AuditEntryRow.outcome == "allowed",
                   AuditEntryRow.user_id != principal.user_id)
            .order_by(AuditEntryRow.seq.desc()).limit(limit))
    return list(session.scalars(stmt))


def compliance_query(session: Session, principal: Principal, criteria: audit_log.AuditFilter, *, now: datetime,
                     source: str | None = None) -> list[AuditEntryRow]:
    """Audit entries by person, user, organisation or emergency basis: for oversight roles; audited."""
    basis = authorize(session, principal, Resource.AUDIT_COMPLIANCE, Action.READ, now=now)
    person = normalise_national_id(criteria.person) if criteria.person else None
    criteria = audit_log.AuditFilter(person, criteria.user, criteria.organisation, criteria.emergency,
                                     criteria.since, criteria.until, criteria.limit)
    rows = audit_log.query(session, criteria)
    audit(session, principal, action=Action.READ, resource=Resource.AUDIT_COMPLIANCE, now=now, basis=basis,
          national_id=person, reason=f"compliance query {describe(criteria)}", source=source)
    return rows


def describe(criteria: audit_log.AuditFilter) -> str:
    parts = [f"{name}={value}" for name, value in (("person", criteria.person), ("user", criteria.user),
             ("organisation", criteria.organisation), ("emergency", criteria.emergency)) if value is not None]
    return "(" + ", ".join(parts) + ")" if parts else "(all)"


def organisation_name(session: Session, address: str) -> str | None:
    """The registry's name of an organisation, for people reading the log (None if the registry does not know it)."""
    try:
        return registry_service.get_organisation(session, address).name
    except NotFound:
        return None
