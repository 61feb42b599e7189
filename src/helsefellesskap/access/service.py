"""Use cases of access control that other capabilities call: authorise (and audit) an access to a person's data,
grant and end care relations, audit other actions, authorise aggregate views.

Every route, page and command that touches a person's data calls ``authorize_person`` in the same transaction
as the read or write: the policy decides, the audit entry is written, and both commit (or roll back) together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.model import (
    AccessBasis,
    AccessRequest,
    Action,
    CareRelation,
    CareRelationKind,
    EmergencyGrant,
    PartyRelation,
    Principal,
    Resource,
    Subject,
)
from helsefellesskap.access.policy import NO_ACCESS, decide
from helsefellesskap.access.store import CareRelationRow, EmergencyGrantRow
from helsefellesskap.db import settings_of
from helsefellesskap.errors import DomainError, Forbidden, InvalidInput, NotFound
from helsefellesskap.identity.national_id import parse_national_id
from helsefellesskap.registry import service as registry_service


class AccessDenied(Forbidden):
    """A refused access to person data. It carries the audit record of the refusal, which the edge writes in
    its own transaction (the request's transaction is rolled back)."""

    def __init__(self, detail: str, record: audit_log.AuditRecord) -> None:
        super().__init__(detail)
        self.record = record


def party_of(session: Session, address: str) -> str:
    """The top-level legal party (health trust, municipality, GP office) of an organisation unit, so that every
    unit of a party shares its care relations (the party is the data controller). An address the registry does
    not know is its own party."""
    try:
        return registry_service.party_of(session, address)
    except NotFound:
        return address


def require_registered(session: Session, organisation_address: str) -> None:
    """Refuse (InvalidInput, 422 / exit 2) an organisation the register does not know: a user or a care relation
    given by hand to such an address grants access to nothing real and hides a typo. The pathway's own grants
    do not ask this (`grant_care_relations`): a message may name an organisation outside the register."""
    try:
        registry_service.organisation_kind(session, organisation_address)
    except NotFound:
        raise InvalidInput(f"No organisation with address {organisation_address!r} in the register.") from None


def normalise_national_id(text: str) -> str:
    """The national id in its 11-digit form; raises InvalidIdentifier (422) for anything else."""
    return parse_national_id(text).value


def default_grace(session: Session) -> timedelta:
    """How long a hospital stay's care relation outlives the discharge: ``care_relation_grace_days`` of the
    settings the session was opened under (the app's for a route or page, the process's for a command)."""
    return timedelta(days=settings_of(session).care_relation_grace_days)


def _relation(row: CareRelationRow | SimpleNamespace) -> CareRelation:
    return CareRelation(row.national_id, row.organisation_address, CareRelationKind(row.kind), row.reference,
                        audit_log.utc(row.valid_from), audit_log.utc(row.valid_to) if row.valid_to else None)


def _grant(row: EmergencyGrantRow) -> EmergencyGrant:
    return EmergencyGrant(row.id, row.user_id, row.national_id, row.reason, audit_log.utc(row.starts_at),
                          audit_log.utc(row.expires_at))


def care_relations_of(session: Session, national_id: str) -> list[CareRelation]:
    rows = session.scalars(select(CareRelationRow).where(CareRelationRow.national_id == national_id)
                           .order_by(CareRelationRow.valid_from, CareRelationRow.id))
    return [_relation(row) for row in rows]


def persons_related_to_party(session: Session, party: str, kind: CareRelationKind, *, now: datetime,
                             grace: timedelta | None = None) -> set[str]:
    """The persons with an active care relation of ``kind`` to an organisation of ``party`` (its own address or a
    unit under it): the persons whose data that party may see on that ground (a GP office's list). One query,
    and one party look-up per distinct address, whatever the number of persons."""
    rows = session.execute(select(CareRelationRow.national_id, CareRelationRow.organisation_address,
                                  CareRelationRow.reference, CareRelationRow.valid_from,
                                  CareRelationRow.valid_to).where(CareRelationRow.kind == kind.value)).all()
    grace = default_grace(session) if grace is None else grace
    parties = {address: party_of(session, address) for address in {row.organisation_address for row in rows}}
    return {row.national_id for row in rows if parties[row.organisation_address] == party
            and CareRelation(row.national_id, row.organisation_address, kind, row.reference,
                             audit_log.utc(row.valid_from), audit_log.utc(row.valid_to) if row.valid_to else None)
            .is_active(now, grace)}


def load_subject(session: Session, principal: Principal, national_id: str) -> Subject:
    """The facts the policy needs about one person: care relations (with parties) and this user's grants."""
    parties: dict[str, str] = {}
    relations = []
    for relation in care_relations_of(session, national_id):
        address = relation.organisation_address
        if address not in parties:
            parties[address] = party_of(session, address)
        relations.append(PartyRelation(relation, parties[address]))
    grants = session.scalars(select(EmergencyGrantRow).where(
        EmergencyGrantRow.national_id == national_id, EmergencyGrantRow.user_id == principal.user_id))
    return Subject(national_id, tuple(relations), tuple(_grant(row) for row in grants))


def principal_party(session: Session, principal: Principal) -> str | None:
    address = principal.organisation_address
    return party_of(session, address) if address else None


def audit_record(principal: Principal, action: Action, resource: Resource | str, *, now: datetime,
                 national_id: str | None, basis: AccessBasis | None, reason: str | None = None,
                 source: str | None = None) -> audit_log.AuditRecord:
    return audit_log.AuditRecord(
        at=now, user_id=principal.user_id, username=principal.username, display_name=principal.display_name,
        organisation_address=principal.organisation_address,
        role=basis.role.value if basis else ",".join(sorted(principal.roles)),
        action=action.value, resource=str(resource), national_id=national_id,
        outcome="allowed" if basis else "denied",
        basis_kind=basis.kind.value if basis else None, basis_reference=basis.reference if basis else None,
        reason=reason or (basis.reason if basis else "refused"), source=(source or "")[:200] or None,
    )


def authorize_person(session: Session, principal: Principal, national_id: str, action: Action,
                     resource: Resource, *, now: datetime, source: str | None = None,
                     grace: timedelta | None = None, reason: str | None = None,
                     reference: str | None = None) -> AccessBasis:
    """Decide an access to one person's data and audit it in the caller's transaction. Raises AccessDenied
    (403, the same whether or not the person exists) when no basis allows it. ``reason`` and ``reference``
    replace the basis's own in the audit entry (an emergency access records the stated reason and grant)."""
    national_id = normalise_national_id(national_id)
    request = AccessRequest(principal, resource, action, now, principal_party(session, principal),
                            load_subject(session, principal, national_id),
                            hospital_stay_grace=default_grace(session) if grace is None else grace)
    decision = decide(request)
    if decision.basis is None:
        record = audit_record(principal, action, resource, now=now, national_id=national_id, basis=None,
                              reason=decision.explanation, source=source)
        raise AccessDenied(decision.explanation, record)
    basis = decision.basis
    if reason is not None or reference is not None:
        basis = replace(basis, reason=reason or basis.reason, reference=reference or basis.reference)
    audit_log.append(session, audit_record(principal, action, resource, now=now, national_id=national_id,
                                           basis=basis, source=source))
    return basis


def readable_persons(session: Session, principal: Principal, national_ids: Iterable[str], resource: Resource, *,
                     now: datetime, grace: timedelta | None = None) -> set[str]:
    """Which of the persons the principal may read as ``resource`` now, decided by the policy as `authorize_person`
    decides, but neither audited nor refused: for offering a link only where it leads (an inbox lists an alert on
    its organisation's basis, which opens no timeline). The read the link leads to is decided and audited again."""
    party = principal_party(session, principal)
    grace = default_grace(session) if grace is None else grace
    return {national_id for national_id in dict.fromkeys(national_ids)
            if decide(AccessRequest(principal, resource, Action.READ, now, party,
                                    load_subject(session, principal, national_id),
                                    hospital_stay_grace=grace)).basis is not None}


def authorize(session: Session, principal: Principal, resource: Resource, action: Action, *, now: datetime,
              organisation: str | None = None) -> AccessBasis:
    """Decide an access that concerns no single person (a work list of an organisation, administration)."""
    if resource.is_person_data:
        raise ValueError(f"{resource} is person data: use authorize_person")
    target = party_of(session, organisation) if organisation else None
    decision = decide(AccessRequest(principal, resource, action, now, principal_party(session, principal),
                                    organisation_party=target))
    if decision.basis is None:
        raise Forbidden(decision.explanation)
    return decision.basis


def submission_reference(sender: str, message_id: str | None) -> str | None:
    """The basis reference of a submitted message's audit entry: ``<sender>/<message id>``. A message id is its
    sender's own (unique per sender, docs/message-schema.json), so the id alone does not say which message."""
    return f"{sender}/{message_id}" if message_id else None


def authorize_submission(session: Session, principal: Principal, sender: str, national_id: str, *,
                         now: datetime, message_id: str | None = None, source: str | None = None) -> AccessBasis:
    """May this principal submit a message about a person as ``sender``? Only for its own party's organisations
    (a messaging system for its own organisation). A message is a write of person data: it is audited against the
    person, with ``<sender>/<message_id>`` (`submission_reference`) as the basis reference."""
    national_id = normalise_national_id(national_id)
    basis = authorize(session, principal, Resource.MESSAGES_SUBMIT, Action.WRITE, now=now, organisation=sender)
    basis = replace(basis, reference=submission_reference(sender, message_id) or basis.reference)
    audit(session, principal, action=Action.WRITE, resource=Resource.MESSAGES_SUBMIT, now=now, basis=basis,
          national_id=national_id, reason=f"message submitted as {sender}", source=source)
    return basis


def authorize_submissions(session: Session, submissions: Sequence[tuple[Principal, str, str, str | None]], *,
                          now: datetime, source: str | None = None) -> list[AccessBasis | DomainError]:
    """`authorize_submission` for many messages at once (principal, sender, national id, message id each), in
    order: the decision per principal and sender is taken once, and the audit entries — one per allowed
    message, as `authorize_submission` writes — are appended together. A refusal is returned in its place
    (nothing audited for it, as `authorize_submission` raises before auditing)."""
    decided: dict[tuple[Principal, str], AccessBasis | DomainError] = {}
    results: list[AccessBasis | DomainError] = []
    records: list[audit_log.AuditRecord] = []
    normalised: dict[str, str | DomainError] = {}
    for principal, sender, national_id, message_id in submissions:
        if national_id not in normalised:
            try:
                normalised[national_id] = normalise_national_id(national_id)
            except DomainError as error:
                normalised[national_id] = error
        checked = normalised[national_id]
        if isinstance(checked, DomainError):
            results.append(checked)
            continue
        national_id = checked
        key = (principal, sender)
        if key not in decided:
            try:
                decided[key] = authorize(session, principal, Resource.MESSAGES_SUBMIT, Action.WRITE, now=now,
                                         organisation=sender)
            except DomainError as error:
                decided[key] = error
        basis = decided[key]
        if isinstance(basis, DomainError):
            results.append(basis)
            continue
        basis = replace(basis, reference=submission_reference(sender, message_id) or basis.reference)
        records.append(audit_record(principal, Action.WRITE, Resource.MESSAGES_SUBMIT, now=now,
                                    national_id=national_id, basis=basis, reason=f"message submitted as {sender}",
                                    source=source))
        results.append(basis)
    audit_log.append_many(session, records)
    return results


def authorize_aggregate(principal: Principal, *, now: datetime) -> AccessBasis:
    """May this principal see aggregates (indicators)? Analysts see only these, always small-cell suppressed."""
    decision = decide(AccessRequest(principal, Resource.INDICATORS, Action.READ, now))
    if decision.basis is None:
        raise Forbidden(NO_ACCESS)
    return decision.basis


def audit(session: Session, principal: Principal, *, action: Action, resource: Resource | str, now: datetime,
          basis: AccessBasis, national_id: str | None = None, reason: str | None = None,
          source: str | None = None) -> None:
    """Audit another action on person data (one the capability authorised itself), in the caller's transaction."""
    audit_log.append(session, audit_record(principal, action, resource, now=now, national_id=national_id,
                                           basis=basis, reason=reason, source=source))


def audit_persons(session: Session, principal: Principal, *, action: Action, resource: Resource | str,
                  now: datetime, basis: AccessBasis, national_ids: Sequence[str], reason: str | None = None,
                  source: str | None = None) -> None:
    """`audit` of the same action on several persons (a work list shows many): one entry per person, in order,
    appended to the chain together."""
    audit_log.append_many(session, [audit_record(principal, action, resource, now=now, national_id=national_id,
                                                 basis=basis, reason=reason, source=source)
                                    for national_id in national_ids])


MAX_REFERENCE_LENGTH = 200  # access_care_relations.reference


def grant_care_relation(session: Session, national_id: str, organisation_address: str, kind: CareRelationKind,
                        reference: str, start: datetime, end: datetime | None = None) -> CareRelation:
    """Give an organisation a care relation to a person by hand (an operator, a coordinator placing it on the care
    team; idempotent: the same kind and reference again updates the period). The organisation must be in the
    register (`require_registered`), checked before anything is written, and the reference 1 to 200 characters
    (the column's; an empty one names nothing, a longer one was a database error on PostgreSQL)."""
    if not reference.strip() or len(reference) > MAX_REFERENCE_LENGTH:
        raise InvalidInput(f"A care relation's reference is 1 to {MAX_REFERENCE_LENGTH} characters.")
    require_registered(session, organisation_address)
    return grant_care_relations(session, national_id, [(organisation_address, kind, reference, start, end)])[0]


_CARE_RELATIONS = cast(Table, CareRelationRow.__table__)
RelationGrant = tuple[str, CareRelationKind, str, datetime, datetime | None]  # organisation, kind, reference, period


def grant_care_relations(session: Session, national_id: str, grants: Sequence[RelationGrant]) -> list[CareRelation]:
    """Several grants to one person, each as `grant_care_relation` in order, with one query for the existing
    relations (a refold grants the hospital, the municipality and the GP of a stay together). The pathway's
    grants: the addresses come from the messages and are not checked against the register (a discharge summary
    may be addressed to a GP office the register does not hold, and a message is never lost for that)."""
    return grant_care_relations_of_persons(session, [(national_id, grants)])[0]


def grant_care_relations_of_persons(session: Session, grants_by_person: Sequence[tuple[str, Sequence[RelationGrant]]]
                                    ) -> list[list[CareRelation]]:
    """`grant_care_relations` for several persons in order, with one query for all their existing relations
    (a batch of messages grants those of many stays)."""
    persons = [(normalise_national_id(national_id), grants) for national_id, grants in grants_by_person]
    rows: dict[tuple[str, str, str, str], CareRelationRow | SimpleNamespace] = {}
    national_ids = {national_id for national_id, grants in persons if grants}
    references = {grant[2] for _, grants in persons for grant in grants}
    if national_ids:
        for found in session.scalars(select(CareRelationRow).where(
                CareRelationRow.national_id.in_(national_ids), CareRelationRow.reference.in_(references))
                .order_by(CareRelationRow.id)):
            rows.setdefault((found.national_id, found.organisation_address, found.kind, found.reference), found)
    granted: list[list[CareRelationRow | SimpleNamespace]] = []
    new: list[SimpleNamespace] = []  # inserted together at the end (one multi-row INSERT)
    for national_id, grants in persons:
        granted.append([])
        for organisation_address, kind, reference, start, end in grants:
            kind = CareRelationKind(kind)
            if end is not None and end < start:
                raise InvalidInput("A care relation cannot end before it starts.")
            key = (national_id, organisation_address, kind.value, reference)
            row = rows.get(key)
            if row is None:
                row = SimpleNamespace(national_id=national_id, organisation_address=organisation_address,
                                      kind=kind.value, reference=reference, valid_from=audit_log.utc(start),
                                      valid_to=None)
                new.append(row)
                rows[key] = row
            _set_period(row, start, end)
            granted[-1].append(row)
    if new:
        session.execute(insert(_CARE_RELATIONS), [vars(row) for row in new])  # Core: one executemany
    session.flush()
    return [[_relation(row) for row in person] for person in granted]


def _set_period(row: CareRelationRow | SimpleNamespace, start: datetime, end: datetime | None) -> None:
    # Set only what differs (SQLite reads times back naive: assigning the same instant would write the row again).
    if audit_log.utc(row.valid_from) != audit_log.utc(start):
        row.valid_from = audit_log.utc(start)
    valid_to = audit_log.utc(end) if end else None
    if (audit_log.utc(row.valid_to) if row.valid_to else None) != valid_to:
        row.valid_to = valid_to


def end_care_relation(session: Session, national_id: str, organisation_address: str, kind: CareRelationKind,
                      reference: str, end: datetime) -> CareRelation:
    """End a care relation (discharge, service ended, GP changed); a hospital stay keeps a grace period."""
    row = _find_relation(session, normalise_national_id(national_id), organisation_address,
                         CareRelationKind(kind), reference)
    if row is None:
        raise NotFound(f"No {kind} care relation {reference!r} of {organisation_address} to that person.")
    if end < audit_log.utc(row.valid_from):
        raise InvalidInput("A care relation cannot end before it starts.")
    row.valid_to = audit_log.utc(end)
    session.flush()
    return _relation(row)


def _find_relation(session: Session, national_id: str, organisation_address: str, kind: CareRelationKind,
                   reference: str) -> CareRelationRow | None:
    return session.scalars(select(CareRelationRow).where(
        CareRelationRow.national_id == national_id, CareRelationRow.organisation_address == organisation_address,
        CareRelationRow.kind == kind.value, CareRelationRow.reference == reference)).first()
