"""HTTP routes of the access capability: tokens, me, the patient's access log, compliance queries, emergency
access and its review, users, care relations. Parse, call the service, render; no rule lives here."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.compliance import access_log_of_patient, compliance_query, organisation_name
from helsefellesskap.access.emergency import emergency_grants, open_emergency_access, review_emergency_access
from helsefellesskap.access.http import CurrentPrincipal, Now, Source, check_credentials
from helsefellesskap.access.model import Action, CareRelationKind, Principal, Resource, Role
from helsefellesskap.access.service import (
    audit,
    authorize,
    authorize_person,
    care_relations_of,
    grant_care_relation,
)
from helsefellesskap.access.store import AuditEntryRow, EmergencyGrantRow
from helsefellesskap.access.tokens import JWKS_PATH, dev_jwks, issue_dev_token
from helsefellesskap.access.users import NewUser, create_user, list_users
from helsefellesskap.db import Database
from helsefellesskap.deps import get_app_settings, get_database
from helsefellesskap.errors import NotFound
from helsefellesskap.identity.types import HprStr, NationalIdStr
from helsefellesskap.moments import EARLIEST, LATEST
from helsefellesskap.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["access"])
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SYNTHETIC_EXAMPLE = "17854101463"  # a synthetic (Tenor) number: never a real person
NationalIdPath = Annotated[NationalIdStr, Path(description="national identity number", examples=[SYNTHETIC_EXAMPLE])]


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "content": {"application/problem+json": {}}} for code in codes}


AUTHENTICATED = _problems(401, 403, 422)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class PrincipalOut(BaseModel):
    user_id: str
    username: str
    display_name: str
    organisation_address: str | None
    roles: list[Role]
    national_id: str | None = None
    hpr: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> PrincipalOut:
        return cls(user_id=principal.user_id, username=principal.username, display_name=principal.display_name,
                   organisation_address=principal.organisation_address, roles=sorted(principal.roles),
                   national_id=principal.national_id, hpr=principal.hpr)


class AccessLogEntryOut(BaseModel):
    """One access to the patient's data: who, from which organisation, in which role, when, what and why."""

    at: datetime
    name: str
    organisation_address: str | None
    organisation_name: str | None = None
    role: str | None
    action: str
    resource: str
    basis: str | None
    reason: str


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    user_id: str
    username: str
    display_name: str
    organisation_address: str | None
    role: str | None
    action: str
    resource: str
    national_id: str | None
    outcome: str
    basis_kind: str | None
    basis_reference: str | None
    reason: str
    source: str | None
    hash: str

    @classmethod
    def of(cls, row: AuditEntryRow) -> AuditEntryOut:
        record = audit_log.record_of(row)
        return cls(seq=row.seq, hash=row.hash, **record.__dict__)


class EmergencyAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    national_id: Annotated[NationalIdStr, Field(examples=[SYNTHETIC_EXAMPLE])]
    reason: str = Field(min_length=10, max_length=2000, description="Why the data is needed now.")
    duration_minutes: int | None = Field(default=None, ge=1, description="Default and maximum: see settings.")


class EmergencyGrantOut(BaseModel):
    id: str
    user_id: str
    username: str
    organisation_address: str | None = None
    national_id: str
    reason: str
    starts_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    review_outcome: str | None = None
    review_note: str | None = None

    @classmethod
    def of(cls, row: EmergencyGrantRow) -> EmergencyGrantOut:
        return cls(id=row.id, user_id=row.user_id, username=row.username,
                   organisation_address=row.organisation_address, national_id=row.national_id, reason=row.reason,
                   starts_at=audit_log.utc(row.starts_at), expires_at=audit_log.utc(row.expires_at),
                   reviewed_at=audit_log.utc(row.reviewed_at) if row.reviewed_at else None,
                   reviewed_by=row.reviewed_by, review_outcome=row.review_outcome, review_note=row.review_note)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["justified", "unjustified"]
    note: str = Field(default="", max_length=2000)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")
    display_name: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1)
    organisation_address: str | None = Field(default=None, min_length=1, max_length=50, pattern=r"^[0-9]+$")
    national_id: NationalIdStr | None = None
    hpr: HprStr | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200)


class CareRelationOut(BaseModel):
    organisation_address: str
    kind: CareRelationKind
    reference: str
    valid_from: datetime
    valid_to: datetime | None


class CareTeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_address: str = Field(min_length=1, max_length=50, pattern=r"^[0-9]+$")
    reference: str = Field(min_length=1, max_length=200, description="The care plan or decision behind it.")
    valid_to: Annotated[AwareDatetime | None, Field(ge=EARLIEST, lt=LATEST)] = None


@router.post("/auth/token", response_model=TokenOut, responses=_problems(401, 404, 422, 429),
             summary="Development provider: password grant (demo and tests)")
def token(
    request: Request,
    settings: SettingsDep,
    now: Now,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    grant_type: Annotated[Literal["password"] | None, Form()] = None,
) -> TokenOut:
    principal = check_credentials(request, username, password)
    return TokenOut(access_token=issue_dev_token(principal, settings, now),
                    expires_in=settings.token_lifetime_minutes * 60)


@router.get(JWKS_PATH.removeprefix("/api/v1"), responses=_problems(404),
            summary="Development provider: public signing keys (JWKS)")
def jwks(settings: SettingsDep) -> dict[str, Any]:
    if not settings.dev_identity_provider:
        raise NotFound("The development identity provider is disabled.")
    return dev_jwks(settings)


@router.get("/me", response_model=PrincipalOut, responses=_problems(401), summary="Who am I")
def me(principal: CurrentPrincipal) -> PrincipalOut:
    return PrincipalOut.of(principal)


@router.get("/me/access-log", response_model=list[AccessLogEntryOut], responses=AUTHENTICATED,
            summary="Patient: who has looked at my data")
def my_access_log(principal: CurrentPrincipal, database: DatabaseDep, now: Now, source: Source,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AccessLogEntryOut]:
    with database.unit_of_work() as session:
        rows = access_log_of_patient(session, principal, now=now, source=source, limit=limit)
        names = {a: organisation_name(session, a) for a in {r.organisation_address for r in rows} if a}
        return [AccessLogEntryOut(at=audit_log.utc(r.at), name=r.display_name,
                                  organisation_address=r.organisation_address,
                                  organisation_name=names.get(r.organisation_address or ""), role=r.role,
                                  action=r.action, resource=r.resource, basis=r.basis_kind, reason=r.reason)
                for r in rows]


@router.get("/audit", response_model=list[AuditEntryOut], responses=AUTHENTICATED,
            summary="Compliance: query the audit log")
def audit_query(
    principal: CurrentPrincipal, database: DatabaseDep, now: Now, source: Source,
    person: Annotated[NationalIdStr | None, Query(description="national identity number")] = None,
    user: Annotated[str | None, Query(max_length=100, description="user id or username")] = None,
    organisation: Annotated[str | None, Query(max_length=50)] = None,
    emergency: Annotated[bool | None, Query(description="only (true) or no (false) emergency accesses")] = None,
    since: Annotated[AwareDatetime | None, Query(ge=EARLIEST, lt=LATEST)] = None,
    until: Annotated[AwareDatetime | None, Query(ge=EARLIEST, lt=LATEST)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryOut]:
    criteria = audit_log.AuditFilter(person, user, organisation, emergency, since, until, limit)
    with database.unit_of_work() as session:
        return [AuditEntryOut.of(row) for row in compliance_query(session, principal, criteria, now=now,
                                                                  source=source)]


@router.post("/emergency-access", response_model=EmergencyGrantOut, status_code=status.HTTP_201_CREATED,
             responses=AUTHENTICATED, summary="Break the glass: time-limited access with a stated reason")
def emergency_access(body: EmergencyAccessIn, principal: CurrentPrincipal, database: DatabaseDep,
                     settings: SettingsDep, now: Now, source: Source) -> EmergencyGrantOut:
    minutes = body.duration_minutes or settings.emergency_access_default_minutes
    with database.unit_of_work() as session:
        grant = open_emergency_access(
            session, principal, body.national_id, body.reason, timedelta(minutes=minutes), now=now,
            maximum=timedelta(minutes=settings.emergency_access_max_minutes), source=source)
        row = session.get(EmergencyGrantRow, grant.id)
        assert row is not None
        return EmergencyGrantOut.of(row)


@router.get("/emergency-access/review", response_model=list[EmergencyGrantOut], responses=AUTHENTICATED,
            summary="Compliance: emergency accesses to review")
def emergency_review_list(principal: CurrentPrincipal, database: DatabaseDep, now: Now,
                          include_reviewed: bool = False) -> list[EmergencyGrantOut]:
    with database.unit_of_work() as session:
        rows = emergency_grants(session, principal, now=now, pending_only=not include_reviewed)
        return [EmergencyGrantOut.of(row) for row in rows]


@router.post("/emergency-access/{grant_id}/review", response_model=EmergencyGrantOut,
             responses=_problems(401, 403, 404, 409, 422), summary="Compliance: record the review of one")
def emergency_review(grant_id: Annotated[str, Path(max_length=36)], body: ReviewIn, principal: CurrentPrincipal,
                     database: DatabaseDep, now: Now) -> EmergencyGrantOut:
    with database.unit_of_work() as session:
        return EmergencyGrantOut.of(review_emergency_access(session, principal, grant_id, body.outcome, body.note,
                                                            now=now))


@router.get("/users", response_model=list[PrincipalOut], responses=AUTHENTICATED, summary="Administrator: users")
def users(principal: CurrentPrincipal, database: DatabaseDep, now: Now) -> list[PrincipalOut]:
    with database.unit_of_work() as session:
        authorize(session, principal, Resource.USERS_ADMIN, Action.READ, now=now)
        return [PrincipalOut.of(user) for user in list_users(session)]


@router.post("/users", response_model=PrincipalOut, status_code=status.HTTP_201_CREATED,
             responses=_problems(401, 403, 409, 422), summary="Administrator: create a user")
def create(body: UserIn, principal: CurrentPrincipal, database: DatabaseDep, now: Now, source: Source) -> PrincipalOut:
    with database.unit_of_work() as session:
        basis = authorize(session, principal, Resource.USERS_ADMIN, Action.WRITE, now=now)
        user = NewUser(body.username, body.display_name, frozenset(body.roles), body.organisation_address,
                       body.national_id, body.hpr, body.password)
        created = create_user(session, user, now=now)
        if created.national_id:
            # A user tied to a national id sees that person's record as their own: the person sees who made it.
            audit(session, principal, action=Action.WRITE, resource=Resource.USERS_ADMIN, now=now, basis=basis,
                  national_id=created.national_id, source=source,
                  reason=f"created user {created.username} with access to this person's own record")
        return PrincipalOut.of(created)


@router.get("/persons/{national_id}/care-relations", response_model=list[CareRelationOut],
            responses=AUTHENTICATED, summary="The organisations with a care relation to a person")
def person_care_relations(national_id: NationalIdPath, principal: CurrentPrincipal, database: DatabaseDep,
                          now: Now, source: Source) -> list[CareRelationOut]:
    with database.unit_of_work() as session:
        authorize_person(session, principal, national_id, Action.READ, Resource.PERSON_CARE_RELATIONS, now=now,
                         source=source)
        return [CareRelationOut(**{k: v for k, v in r.__dict__.items() if k != "national_id"})
                for r in care_relations_of(session, national_id)]


@router.post("/persons/{national_id}/care-relations", response_model=CareRelationOut,
             status_code=status.HTTP_201_CREATED, responses=AUTHENTICATED,
             summary="Coordinator: place an organisation on the person's care team")
def add_to_care_team(national_id: NationalIdPath, body: CareTeamIn, principal: CurrentPrincipal,
                     database: DatabaseDep, now: Now, source: Source) -> CareRelationOut:
    with database.unit_of_work() as session:
        authorize_person(session, principal, national_id, Action.WRITE, Resource.PERSON_CARE_RELATIONS, now=now,
                         source=source)
        relation = grant_care_relation(session, national_id, body.organisation_address, CareRelationKind.CARE_TEAM,
                                       body.reference, now, body.valid_to)
        return CareRelationOut(**{k: v for k, v in relation.__dict__.items() if k != "national_id"})
