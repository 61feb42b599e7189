"""Use cases for organisations: create hospital departments, municipal service units and GP offices under the
register's trusts, hospitals and municipalities; look them up; find the legal party behind an address."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Integer, Select, Table, bindparam, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helsefellesskap.errors import Conflict, InvalidInput, NotFound
from helsefellesskap.identity.municipality_number import validate_municipality_number
from helsefellesskap.identity.orgnr import validate_orgnr
from helsefellesskap.registry.model import (
    CREATED_ADDRESS_DIGITS,
    CREATED_ADDRESS_PREFIX,
    MUNICIPAL_UNIT_KINDS,
    PARTY_KINDS,
    Organisation,
    OrganisationKind,
    check_new_organisation,
    created_address,
    municipality_address,
)
from helsefellesskap.registry.store import MunicipalityRow, OrganisationRow

_MAX_DEPTH = 50
_MAX_ADDRESS_DIGITS = 12
_MAX_NAME = 200


def _kind(value: str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError:
        names = ", ".join(k.value for k in OrganisationKind)
        raise InvalidInput(f"Unknown organisation kind {value!r}; one of: {names}.") from None


def _row(session: Session, address: str) -> OrganisationRow:
    row = session.get(OrganisationRow, address) if address.isdigit() and address.isascii() else None
    if row is None:
        raise NotFound(f"No organisation with address {address}.")
    return row


def _parties(session: Session) -> dict[str, str | None]:
    """Parties already looked up in the session's current transaction (None: not in the register). Every
    request asks for the same few (its principal's, the sender's, a stay's hospital); organisations are only
    added by `create_organisation`, which forgets them, so within a transaction the answer cannot change."""
    transaction = session.get_transaction()
    if transaction is None:  # not begun yet (the look-up itself begins it): nothing cached belongs to it
        return {}
    cached = session.info.get("registry_parties")
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info["registry_parties"] = cached
    parties: dict[str, str | None] = cached[1]
    return parties


def party_of(session: Session, address: str) -> str:
    """The address of the top-level legal party of an organisation unit: its health trust, municipality or GP office."""
    parties = _parties(session)
    if address not in parties:
        try:
            party: str | None = _walk_up(session, address)
        except NotFound:
            party = None
        parties = _parties(session)  # the transaction the look-up ran in
        parties[address] = party
    party = parties[address]
    if party is None:
        raise NotFound(f"No organisation with address {address}.")
    return party


def _ancestry_query() -> Select[Any]:
    """The unit at `:address` and the units above it, nearest first, in one recursive query (at most
    `_MAX_DEPTH` + 1 rows). Built once: constructing a CTE costs far more than running it."""
    table = cast(Table, OrganisationRow.__table__)
    up = (select(table.c.address, table.c.kind, table.c.parent_address, literal(0, Integer).label("depth"))
          .where(table.c.address == bindparam("address")).cte("ancestry", recursive=True))
    parent = table.alias("parent")
    up = up.union_all(select(parent.c.address, parent.c.kind, parent.c.parent_address, up.c.depth + 1)
                      .where(parent.c.address == up.c.parent_address, up.c.depth < _MAX_DEPTH))
    return select(up.c.address, up.c.kind, up.c.parent_address).order_by(up.c.depth)


_ANCESTRY = _ancestry_query()


def _ancestry(session: Session, address: str) -> list[tuple[str, str, str | None]]:
    return [(row[0], row[1], row[2]) for row in session.execute(_ANCESTRY, {"address": address})]


def _walk_up(session: Session, address: str) -> str:
    if not (address.isdigit() and address.isascii()):
        raise NotFound(f"No organisation with address {address}.")
    rows = _ancestry(session, address)
    for depth, (found, kind, parent_address) in enumerate(rows[:_MAX_DEPTH]):
        if not (found.isdigit() and found.isascii()):
            break
        if OrganisationKind(kind) in PARTY_KINDS or parent_address is None:
            return str(found)
        if depth + 1 == len(rows):  # the parent is not in the register
            raise NotFound(f"No organisation with address {parent_address}.")
    if not rows or len(rows) <= _MAX_DEPTH:
        raise NotFound(f"No organisation with address {address}.")
    raise InvalidInput(f"The organisation tree above {address} is too deep.")  # pragma: no cover


def organisation_kind(session: Session, address: str) -> OrganisationKind:
    return OrganisationKind(_row(session, address).kind)


def _view(session: Session, row: OrganisationRow) -> Organisation:
    return Organisation(
        address=row.address, kind=OrganisationKind(row.kind), name=row.name, orgnr=row.orgnr,
        parent_address=row.parent_address, municipality_number=row.municipality_number,
        health_trust_id=row.health_trust_id, hospital_id=row.hospital_id, party_address=party_of(session, row.address))


def get_organisation(session: Session, address: str) -> Organisation:
    return _view(session, _row(session, address))


def list_organisations(session: Session, *, kind: str | None = None, municipality: str | None = None,
                       parent: str | None = None) -> list[Organisation]:
    query = select(OrganisationRow).order_by(OrganisationRow.address)
    if kind is not None:
        query = query.where(OrganisationRow.kind == _kind(kind).value)
    if municipality is not None:
        query = query.where(OrganisationRow.municipality_number == validate_municipality_number(municipality))
    if parent is not None:
        query = query.where(OrganisationRow.parent_address == (parent if parent.isdigit() else ""))
    return [_view(session, row) for row in session.scalars(query)]


def _next_address(session: Session) -> str:
    """The address after the highest allocated one; when that is the top of the range (an organisation was created
    with its own HER-id there, e.g. 3999999), the lowest free one. Counting on past the top gave an 8-digit address,
    and every later creation computed that same one again: a 409 'taken meanwhile' for good."""
    length = len(CREATED_ADDRESS_PREFIX) + CREATED_ADDRESS_DIGITS
    in_range = (OrganisationRow.address.like(f"{CREATED_ADDRESS_PREFIX}%"),
                func.length(OrganisationRow.address) == length)
    highest = session.scalar(select(func.max(OrganisationRow.address)).where(*in_range))
    sequence = int(highest[len(CREATED_ADDRESS_PREFIX):]) + 1 if highest else 1
    if sequence < 10 ** CREATED_ADDRESS_DIGITS:
        return created_address(sequence)
    taken = set(session.scalars(select(OrganisationRow.address).where(*in_range)))
    free = next((n for n in range(1, 10 ** CREATED_ADDRESS_DIGITS) if created_address(n) not in taken), None)
    if free is None:
        raise Conflict(f"No address is left to allocate among {created_address(1)}-"
                       f"{created_address(10 ** CREATED_ADDRESS_DIGITS - 1)}: give the organisation its own address.")
    return created_address(free)


def _checked_address(session: Session, address: str | None) -> str:
    if address is None:
        return _next_address(session)
    address = address.strip()
    if not address.isdigit() or not address.isascii() or len(address) > _MAX_ADDRESS_DIGITS:
        raise InvalidInput(f"An address is 1 to {_MAX_ADDRESS_DIGITS} digits (HER-id style), not {address!r}.")
    if session.get(OrganisationRow, address) is not None:
        raise Conflict(f"The address {address} is already taken.")
    return address


def _placement(session: Session, kind: OrganisationKind, parent_address: str | None,
               municipality_number: str | None) -> OrganisationRow | None:
    """The parent row (a municipal unit without a parent goes directly under its municipality)."""
    if municipality_number is not None:
        municipality_number = validate_municipality_number(municipality_number)
        if session.get(MunicipalityRow, municipality_number) is None:
            raise InvalidInput(f"Municipality {municipality_number} is not in the register.")
    parent = None
    if parent_address is not None:
        parent = session.get(OrganisationRow, parent_address) if parent_address.isdigit() else None
        if parent is None:
            raise InvalidInput(f"No parent organisation with address {parent_address}.")
    check_new_organisation(kind, OrganisationKind(parent.kind) if parent else None, municipality_number)
    if parent is None and kind in MUNICIPAL_UNIT_KINDS and municipality_number is not None:
        parent = _row(session, municipality_address(municipality_number))
    if parent is not None and municipality_number is not None and parent.municipality_number != municipality_number:
        raise InvalidInput(f"The parent organisation is not in municipality {municipality_number}.")
    return parent


def create_organisation(session: Session, *, kind: str, name: str, parent_address: str | None = None,
                        municipality_number: str | None = None, orgnr: str | None = None,
                        address: str | None = None, now: dt.datetime) -> Organisation:
    """Create a hospital department, municipal service unit or GP office; ``address`` is allocated when not given."""
    organisation_kind_ = _kind(kind)
    name = name.strip()
    if not name or len(name) > _MAX_NAME or not name.isprintable():
        raise InvalidInput(f"An organisation needs a name of 1 to {_MAX_NAME} printable characters.")
    orgnr = validate_orgnr(orgnr) if orgnr else None
    parent = _placement(session, organisation_kind_, parent_address, municipality_number)
    row = OrganisationRow(
        address=_checked_address(session, address), kind=organisation_kind_.value, name=name, orgnr=orgnr,
        parent_address=parent.address if parent else None,
        municipality_number=parent.municipality_number if parent else municipality_number,
        health_trust_id=parent.health_trust_id if parent else None,
        hospital_id=parent.hospital_id if parent else None, created_at=now)
    session.add(row)
    session.info.pop("registry_parties", None)  # an address looked up as unknown may be this one now
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"The address {row.address} was taken meanwhile; try again.") from None
    return _view(session, row)
