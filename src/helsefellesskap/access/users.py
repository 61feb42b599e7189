"""Users of the development identity provider (and of web login): create, list, authenticate, seed the demo."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access.model import CARE_ROLES, Principal, Role
from helsefellesskap.access.passwords import hash_password, verify_password
from helsefellesskap.access.service import require_registered
from helsefellesskap.access.store import UserRoleRow, UserRow
from helsefellesskap.errors import Conflict, InvalidInput, NotFound
from helsefellesskap.identity.hpr import validate_hpr
from helsefellesskap.identity.national_id import make_synthetic_national_id, parse_national_id

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # what the sign-in forms and the token grant take (pages.login_submit, api.token)
MAX_DISPLAY_NAME_LENGTH = 200  # access_users.display_name
# The demo users' password (development provider only; stored as an argon2 hash like any other).
DEMO_PASSWORD = "helsefellesskap-demo"  # noqa: S105 - documented demo credential, dev provider only
# Roles that act for an organisation and therefore need one.
ORGANISATION_ROLES = CARE_ROLES | {Role.MESSAGING_SYSTEM, Role.ANALYST}


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    roles: frozenset[Role]
    organisation_address: str | None = None
    national_id: str | None = None
    hpr: str | None = None
    password: str | None = None


def _principal(row: UserRow, roles: Iterable[str]) -> Principal:
    return Principal(row.id, row.username, row.display_name, row.organisation_address,
                     frozenset(Role(r) for r in roles), row.national_id, row.hpr)


def _validated(user: NewUser) -> NewUser:
    if not USERNAME.match(user.username):
        raise InvalidInput("A username is 2-100 characters: lower-case letters, digits, '.', '_' or '-'.")
    if not user.display_name.strip():
        raise InvalidInput("A user needs a display name.")
    if len(user.display_name.strip()) > MAX_DISPLAY_NAME_LENGTH:  # the column's (a database error on PostgreSQL)
        raise InvalidInput(f"A display name is at most {MAX_DISPLAY_NAME_LENGTH} characters.")
    if not user.roles:
        raise InvalidInput("A user needs at least one role.")
    if user.roles & ORGANISATION_ROLES and not user.organisation_address:
        raise InvalidInput("Staff, analysts and messaging systems belong to an organisation: give its address.")
    if Role.PATIENT in user.roles and not user.national_id:
        raise InvalidInput("A patient user needs the national identity number of their own record.")
    if user.password is not None and len(user.password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password has at least {MIN_PASSWORD_LENGTH} characters.")
    if user.password is not None and len(user.password) > MAX_PASSWORD_LENGTH:
        # sign-in (web and token) takes at most this many characters: a longer password could never be used
        raise InvalidInput(f"A password has at most {MAX_PASSWORD_LENGTH} characters.")
    national_id = parse_national_id(user.national_id).value if user.national_id else None
    hpr = validate_hpr(user.hpr) if user.hpr else None
    return NewUser(user.username, user.display_name.strip(), user.roles, user.organisation_address or None,
                   national_id, hpr, user.password)


def create_user(session: Session, user: NewUser, *, now: dt.datetime) -> Principal:
    """Create a user; its organisation, if any, must be in the register. Everything is checked before a write."""
    user = _validated(user)
    if user.organisation_address is not None:
        require_registered(session, user.organisation_address)
    if session.scalars(select(UserRow.id).where(UserRow.username == user.username)).first() is not None:
        raise Conflict(f"A user named {user.username!r} already exists.")
    row = UserRow(id=str(uuid.uuid4()), username=user.username, display_name=user.display_name,
                  organisation_address=user.organisation_address, national_id=user.national_id, hpr=user.hpr,
                  password_hash=hash_password(user.password) if user.password else None, active=True,
                  created_at=now)
    session.add(row)
    session.flush()  # the user row first: the role rows refer to it
    session.add_all(UserRoleRow(user_id=row.id, role=role.value) for role in sorted(user.roles))
    session.flush()
    return _principal(row, (role.value for role in user.roles))


def _roles_of(session: Session, user_ids: list[str]) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {user_id: [] for user_id in user_ids}
    for row in session.scalars(select(UserRoleRow).where(UserRoleRow.user_id.in_(user_ids))):
        roles[row.user_id].append(row.role)
    return roles


def list_users(session: Session) -> list[Principal]:
    rows = list(session.scalars(select(UserRow).order_by(UserRow.username)))
    roles = _roles_of(session, [row.id for row in rows])
    return [_principal(row, roles[row.id]) for row in rows]


def get_user(session: Session, username: str) -> Principal:
    row = session.scalars(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True))).first()
    if row is None:
        raise NotFound(f"No active user named {username!r}.")
    return _principal(row, _roles_of(session, [row.id])[row.id])


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    """The user if the password matches; None otherwise (same work, same answer, whether or not they exist)."""
    row = session.scalars(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True))).first()
    if not verify_password(row.password_hash if row else None, password) or row is None:
        return None
    return _principal(row, _roles_of(session, [row.id])[row.id])


@dataclass(frozen=True)
class DemoOrganisations:
    """The organisations the demo users belong to (addresses from the registry's reference data)."""

    hospital: str
    municipality: str
    gp_office: str
    analytics: str  # where the analyst and the administrators sit (the health trust, say)


# Synthetic patients of the demo; numbers are Tenor-style test numbers (never real).
DEMO_PATIENT_BIRTH = dt.date(1941, 5, 17)


def demo_patient_national_id() -> str:
    return make_synthetic_national_id(DEMO_PATIENT_BIRTH, "female", 7)


def demo_users(organisations: DemoOrganisations, password: str | None) -> list[NewUser]:
    o = organisations
    staff = [
        ("lege", "Lege Lise Sykehus", Role.HOSPITAL_PHYSICIAN, o.hospital, "9144900"),
        ("sykepleier", "Sykepleier Siri Sykehus", Role.HOSPITAL_NURSE, o.hospital, None),
        ("utskrivning", "Koordinator Ulla Utskrivning", Role.DISCHARGE_COORDINATOR, o.hospital, None),
        ("tildeling", "Saksbehandler Tor Tildeling", Role.ALLOCATION_OFFICER, o.municipality, None),
        ("koordinator", "Koordinator Kari Kommune", Role.MUNICIPAL_COORDINATOR, o.municipality, None),
        ("hjemmesykepleier", "Sykepleier Hanne Hjemme", Role.MUNICIPAL_NURSE, o.municipality, None),
        ("fastlege", "Fastlege Frode Fjell", Role.GP, o.gp_office, None),
        ("analytiker", "Analytiker Anne Tall", Role.ANALYST, o.analytics, None),
        ("admin", "Administrator Arne Drift", Role.ADMINISTRATOR, o.analytics, None),
        ("personvern", "Personvernombud Pia Logg", Role.COMPLIANCE_OFFICER, o.analytics, None),
        ("integrasjon", "Sykehusets EPJ (integrasjon)", Role.MESSAGING_SYSTEM, o.hospital, None),
    ]
    users = [NewUser(name, display, frozenset({role}), org, None, hpr, password)
             for name, display, role, org, hpr in staff]
    users.append(NewUser("pasient", "Pasient Petra Prøve", frozenset({Role.PATIENT}), None,
                         demo_patient_national_id(), None, password))
    return users


def seed_demo_users(session: Session, organisations: DemoOrganisations, *, now: dt.datetime,
                    password: str | None = DEMO_PASSWORD) -> list[Principal]:
    """One user per role, tied to the given organisations; idempotent (existing usernames are kept)."""
    existing = {p.username: p for p in list_users(session)}
    seeded = []
    for user in demo_users(organisations, password):
        seeded.append(existing.get(user.username) or create_user(session, user, now=now))
    return seeded
