"""CLI commands of the access capability: `audit verify|query`, `dev token|seed`, `users create|list`,
`care-relations grant|end|list`. The operator of the CLI has the database itself, so commands act as the
system; person data read here (the audit log) is audited with the operator's OS user as the principal."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import platform
import sys
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from helsefellesskap.access.model import AccessBasis, Action, BasisKind, CareRelationKind, Principal, Resource, Role
from helsefellesskap.errors import DomainError, InvalidInput
from helsefellesskap.moments import check_moment

if TYPE_CHECKING:  # the database, the settings and the services are imported by the commands that use them
    from sqlalchemy.orm import Session

    from helsefellesskap.db import Database

audit_app = typer.Typer(help="The audit log: verify the hash chain, query accesses.", no_args_is_help=True)
dev_app = typer.Typer(help="The development identity provider: demo users and bearer tokens.", no_args_is_help=True)
users_app = typer.Typer(help="Users of the development identity provider.", no_args_is_help=True)
relations_app = typer.Typer(help="Care relations (tjenstlig behov) of organisations to persons.",
                            no_args_is_help=True)
OSLO = ZoneInfo("Europe/Oslo")  # times are stored in UTC and shown in Norwegian time
apps: dict[str, typer.Typer] = {"audit": audit_app, "dev": dev_app, "users": users_app,
                                "care-relations": relations_app}


def _database() -> Database:
    from helsefellesskap.db import Database
    from helsefellesskap.settings import get_settings

    return Database(get_settings().database_url)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _operator() -> Principal:
    """The CLI acts as the local operator, named by the OS account, for the audit log."""
    name = f"cli:{getpass.getuser()}"
    return Principal(name, name, f"CLI operator {getpass.getuser()}", None,
                     frozenset({Role.ADMINISTRATOR, Role.COMPLIANCE_OFFICER}))


def _audit_operator(session: Session, action: Action, resource: Resource, national_id: str | None,
                    reason: str, role: Role = Role.ADMINISTRATOR) -> None:
    """Audit what the operator does to person data: the command line is a path like any other."""
    from helsefellesskap.access.service import audit

    audit(session, _operator(), action=action, resource=resource, now=_now(), national_id=national_id,
          basis=AccessBasis(BasisKind.ROLE, role, reason), source=f"cli {platform.node()}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole hash chain; exit 1 naming the first broken entry if any was altered or removed."""
    from helsefellesskap.access import audit as audit_log

    with _database().reading() as session:
        result = audit_log.verify(session)
    if not result.intact:
        sys.stderr.write(f"audit chain BROKEN at entry {result.broken_seq}: {result.problem}\n")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {result.entries} entries, head {result.head_hash}")


@audit_app.command("query")
def audit_query(
    person: Annotated[str | None, typer.Option(help="national identity number")] = None,
    user: Annotated[str | None, typer.Option(help="user id or username")] = None,
    organisation: Annotated[str | None, typer.Option(help="organisation address")] = None,
    emergency: Annotated[bool, typer.Option("--emergency", help="only emergency accesses")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Compliance query over the audit log, newest first (the query itself is audited)."""
    from helsefellesskap.access import audit as audit_log
    from helsefellesskap.access.compliance import describe
    from helsefellesskap.access.service import normalise_national_id

    criteria = audit_log.AuditFilter(normalise_national_id(person) if person else None, user, organisation,
                                     True if emergency else None, limit=limit)
    with _database().unit_of_work() as session:
        rows = audit_log.query(session, criteria)
        _audit_operator(session, Action.READ, Resource.AUDIT_COMPLIANCE, criteria.person,
                        f"compliance query {describe(criteria)} from the command line", Role.COMPLIANCE_OFFICER)
    for row in rows:
        record = audit_log.record_of(row)
        if as_json:
            typer.echo(json.dumps({"seq": row.seq, **record.__dict__, "at": record.at.isoformat()},
                                  ensure_ascii=False))
        else:
            typer.echo(f"{row.seq:>6} {record.at.astimezone(OSLO):%Y-%m-%d %H:%M:%S} {record.outcome:<7} "
                       f"{record.username:<16} "
                       f"{record.organisation_address or '-':<10} {record.role or '-':<22} {record.action:<5} "
                       f"{record.resource:<22} {record.national_id or '-':<11} {record.reason}")


@audit_app.command("emergencies")
def audit_emergencies(
    include_reviewed: Annotated[bool, typer.Option("--all", help="reviewed ones too")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Emergency accesses ("break the glass") waiting for review, newest first."""
    from helsefellesskap.access import audit as audit_log
    from helsefellesskap.access.emergency import emergency_grants

    with _database().unit_of_work() as session:
        grants = emergency_grants(session, _operator(), now=_now(), pending_only=not include_reviewed)
        rows = [{"id": g.id, "username": g.username, "organisation_address": g.organisation_address,
                 "national_id": g.national_id, "reason": g.reason, "starts_at": audit_log.utc(g.starts_at).isoformat(),
                 "expires_at": audit_log.utc(g.expires_at).isoformat(), "review_outcome": g.review_outcome}
                for g in grants]
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            starts = dt.datetime.fromisoformat(row["starts_at"] or "").astimezone(OSLO)
            typer.echo(f"{starts:%Y-%m-%d %H:%M} {row['username']:<16} {row['national_id']} "
                       f"{row['review_outcome'] or 'to review':<12} {row['id']} {row['reason']}")


@dev_app.command("token")
def dev_token(user: Annotated[str, typer.Option("--user", help="username of a seeded or created user")]) -> None:
    """Print a bearer token for a user (only when the development identity provider is enabled)."""
    from helsefellesskap.access.tokens import issue_dev_token
    from helsefellesskap.access.users import get_user
    from helsefellesskap.settings import get_settings

    settings = get_settings()
    if not settings.dev_identity_provider:
        raise DomainError("the development identity provider is disabled (HELSEFELLESSKAP_DEV_IDENTITY_PROVIDER)")
    with _database().reading() as session:
        principal = get_user(session, user)
    typer.echo(issue_dev_token(principal, settings, _now()))


@dev_app.command("seed")
def dev_seed() -> None:
    """Create the demo users (one per role, password as documented in docs/access.md); idempotent."""
    from helsefellesskap.access.seeding import seed_demo
    from helsefellesskap.access.users import DEMO_PASSWORD
    from helsefellesskap.settings import get_settings

    if not get_settings().dev_identity_provider:
        raise DomainError("the development identity provider is disabled (HELSEFELLESSKAP_DEV_IDENTITY_PROVIDER)")
    with _database().unit_of_work() as session:
        users = seed_demo(session, now=_now())
    for principal in users:
        typer.echo(f"{principal.username:<18} {','.join(sorted(principal.roles)):<24} "
                   f"{principal.organisation_address or principal.national_id or ''}")
    typer.echo(f"password of every demo user: {DEMO_PASSWORD}")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Option(help="display name")],
    role: Annotated[list[Role], typer.Option(help="a role (repeat for several)")],
    organisation: Annotated[str | None, typer.Option(help="organisation address")] = None,
    national_id: Annotated[str | None, typer.Option(help="patients: their national identity number")] = None,
    hpr: Annotated[str | None, typer.Option(help="health personnel: HPR number")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read a password from stdin")] = False,
) -> None:
    """Create a user. Without --password-stdin the user signs in only with tokens (`dev token`)."""
    from helsefellesskap.access.users import NewUser, create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with _database().unit_of_work() as session:
        principal = create_user(session, NewUser(username, name, frozenset(role), organisation, national_id, hpr,
                                                 password), now=_now())
        if principal.national_id:
            _audit_operator(session, Action.WRITE, Resource.USERS_ADMIN, principal.national_id,
                            f"created user {principal.username} with access to this person's own record")
    typer.echo(f"created {principal.username} ({principal.user_id})")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the users."""
    from helsefellesskap.access.users import list_users

    with _database().reading() as session:
        users = list_users(session)
    for p in users:
        if as_json:
            typer.echo(json.dumps({"user_id": p.user_id, "username": p.username, "display_name": p.display_name,
                                   "organisation_address": p.organisation_address, "roles": sorted(p.roles),
                                   "national_id": p.national_id, "hpr": p.hpr}, ensure_ascii=False))
        else:
            typer.echo(f"{p.username:<18} {','.join(sorted(p.roles)):<24} {p.organisation_address or '-':<10} "
                       f"{p.display_name}")


def _moment(text: str | None, default: dt.datetime) -> dt.datetime:
    if text is None:
        return default
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:  # a wall-clock time is ambiguous (Oslo or UTC?): say which, as the other commands ask
        raise InvalidInput(f"{text!r} needs a UTC offset, e.g. 2026-03-01T08:00:00+01:00")
    try:
        return check_moment(moment, repr(text))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


@relations_app.command("grant")
def relations_grant(
    national_id: Annotated[str, typer.Argument()],
    organisation: Annotated[str, typer.Option(help="organisation address")],
    kind: Annotated[CareRelationKind, typer.Option()],
    reference: Annotated[str, typer.Option(help="stay id, service decision, GP list, care plan")],
    start: Annotated[str | None, typer.Option(help="ISO 8601 (default now)")] = None,
    end: Annotated[str | None, typer.Option(help="ISO 8601 (default open)")] = None,
) -> None:
    """Give an organisation a care relation to a person (what source systems do through the service)."""
    from helsefellesskap.access.service import grant_care_relation

    now = _now()
    with _database().unit_of_work() as session:
        relation = grant_care_relation(session, national_id, organisation, kind, reference, _moment(start, now),
                                       _moment(end, now) if end else None)
        _audit_operator(session, Action.WRITE, Resource.PERSON_CARE_RELATIONS, relation.national_id,
                        f"granted {kind.value} relation {reference} to {organisation} from the command line")
    typer.echo(f"{relation.organisation_address} has a {relation.kind} relation to {relation.national_id}")


@relations_app.command("end")
def relations_end(
    national_id: Annotated[str, typer.Argument()],
    organisation: Annotated[str, typer.Option()],
    kind: Annotated[CareRelationKind, typer.Option()],
    reference: Annotated[str, typer.Option()],
    end: Annotated[str | None, typer.Option(help="ISO 8601 (default now)")] = None,
) -> None:
    """End a care relation (a hospital stay keeps its grace period)."""
    from helsefellesskap.access.service import end_care_relation

    with _database().unit_of_work() as session:
        relation = end_care_relation(session, national_id, organisation, kind, reference, _moment(end, _now()))
        _audit_operator(session, Action.WRITE, Resource.PERSON_CARE_RELATIONS, relation.national_id,
                        f"ended {kind.value} relation {reference} of {organisation} from the command line")
    typer.echo(f"ended: {relation.organisation_address} {relation.kind} {relation.reference} at {relation.valid_to}")


@relations_app.command("list")
def relations_list(national_id: Annotated[str, typer.Argument()]) -> None:
    """The care relations of one person."""
    from helsefellesskap.access.service import care_relations_of as relations_of
    from helsefellesskap.access.service import normalise_national_id

    national_id = normalise_national_id(national_id)
    with _database().unit_of_work() as session:
        relations = relations_of(session, national_id)
        _audit_operator(session, Action.READ, Resource.PERSON_CARE_RELATIONS, national_id,
                        "listed care relations from the command line")
    for r in relations:
        typer.echo(f"{r.organisation_address:<10} {r.kind:<18} {r.reference:<20} {r.valid_from.isoformat()} "
                   f"{r.valid_to.isoformat() if r.valid_to else 'open'}")
