"""The geography the twin is generated over: municipalities with their population, community, trust,
hospitals and message addresses, read from the registry's reference data (`load_reference()`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from helsefellesskap.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class District:
    number: str  # 6-digit bydel number
    population: int
    health_trust: str
    hospitals: tuple[str, ...] = ()
    hospital_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """One municipality as the generator needs it."""

    index: int  # position in the national order (by kommunenummer); part of every chunk's random stream
    number: str
    name: str
    population: int
    community: str
    regional_health_authority: str
    health_trust: str
    hospitals: tuple[str, ...]
    hospital_addresses: tuple[str, ...]
    address: str
    districts: tuple[District, ...] = ()
    transfer_address: str | None = None  # a hospital of the trust without local responsibility (transfers)


def _values(collection: Any) -> list[Any]:
    if isinstance(collection, Mapping):
        return list(collection.values())
    return list(collection)


def _ident(item: Any) -> str:
    return str(item if isinstance(item, str) else getattr(item, "id", item))


def _trust_hospitals(reference: Any, trust_id: str, *, local: bool = True) -> tuple[str, ...]:
    """The trust's hospitals with local-hospital responsibility (all of them when none is marked), or with
    `local=False` those without it (regional functions: where transfers go)."""
    for trust in _values(reference.health_trusts):
        if _ident(trust) == trust_id:
            hospitals = list(getattr(trust, "hospitals", ()) or ())
            marked = [h for h in hospitals if getattr(h, "local_hospital", True) == local]
            return tuple(_ident(h) for h in (marked if marked or not local else hospitals))
    return ()


def _transfer_address(reference: Any, trust_id: str) -> str | None:
    regional = _trust_hospitals(reference, trust_id, local=False)
    return str(reference.hospital_address(regional[0])) if regional else None


def _hospital_addresses(reference: Any, trust_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    hospitals = _trust_hospitals(reference, trust_id)
    if hospitals:
        return hospitals, tuple(str(reference.hospital_address(h)) for h in hospitals)
    # A trust without listed hospitals: the trust itself is the sending party.
    return (trust_id,), (str(reference.health_trust_address(trust_id)),)


def _districts(reference: Any, number: str) -> tuple[District, ...]:
    rows = getattr(reference, "districts", None) or getattr(reference, "oslo_districts", None) or ()
    found = []
    for row in _values(rows):
        district = str(getattr(row, "number", ""))
        if district.startswith(number) and int(getattr(row, "population", 0) or 0) > 0:
            trust = str(reference.health_trust_for(number, district))
            hospitals, addresses = _hospital_addresses(reference, trust)
            found.append(District(district, int(row.population), trust, hospitals, addresses))
    return tuple(sorted(found, key=lambda d: d.number))


def _community_rows(reference: Any) -> dict[str, Any]:
    return {_ident(c): c for c in _values(reference.communities)}


def places_from_reference(reference: Any, community: str | None = None) -> list[Place]:
    """Every municipality of the register (or of one community), in kommunenummer order.

    The index of a municipality is its position in the national order, so a community's run draws the
    same random streams as the same municipalities in a national run.
    """
    communities = _community_rows(reference)
    if community is not None and community not in communities:
        known = ", ".join(sorted(communities))
        raise NotFound(f"unknown community {community!r} (known: {known})")
    municipalities = sorted((m for m in _values(reference.municipalities) if getattr(m, "valid_to", None) is None),
                            key=lambda m: str(m.number))  # fmt: skip
    places = []
    for index, row in enumerate(municipalities):
        number = str(row.number)
        member_of = str(reference.community_of_municipality(number))
        if community is not None and member_of != community:
            continue
        trust = str(reference.health_trust_for(number))
        hospitals, addresses = _hospital_addresses(reference, trust)
        places.append(
            Place(
                index=index,
                number=number,
                name=str(row.name),
                population=int(row.population or 0),
                community=member_of,
                regional_health_authority=str(getattr(communities.get(member_of), "regional_health_authority", "")),
                health_trust=trust,
                hospitals=hospitals,
                hospital_addresses=addresses,
                address=str(reference.municipality_address(number)),
                districts=_districts(reference, number),
                transfer_address=_transfer_address(reference, trust),
            )
        )
    if not places or sum(p.population for p in places) <= 0:
        raise InvalidInput("the register holds no municipality with a population to generate from")
    return places


def load_places(community: str | None = None) -> list[Place]:
    """The places of the shipped register (`helsefellesskap.registry.reference.load_reference()`)."""
    from helsefellesskap.registry.reference import load_reference

    return places_from_reference(load_reference(), community)


def total_population(places: Iterable[Place]) -> int:
    return sum(p.population for p in places)
