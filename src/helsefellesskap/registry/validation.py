"""Consistency rules of the register's data files; each failure names the file and the fault."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from helsefellesskap.errors import InvalidIdentifier
from helsefellesskap.identity.municipality_number import validate_district_number, validate_municipality_number
from helsefellesskap.identity.orgnr import validate_orgnr
from helsefellesskap.registry.model import (
    Community,
    District,
    Forum,
    ForumLevel,
    HealthTrust,
    Membership,
    Municipality,
    NationalFigures,
    RegionalHealthAuthority,
    RegisterDataError,
    municipality_address,
)


def _unique(file: str, what: str, values: Iterable[str]) -> set[str]:
    counts = Counter(values)
    duplicates = sorted(value for value, count in counts.items() if count > 1)
    if duplicates:
        raise RegisterDataError(f"{file}: duplicate {what}: {', '.join(duplicates)}.")
    return set(counts)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise RegisterDataError(message)


def _check_identifiers(municipalities: list[Municipality], trusts: list[HealthTrust],
                       districts: list[District]) -> None:
    try:
        for municipality in municipalities:
            validate_municipality_number(municipality.number)
            _require(municipality.county_number == municipality.number[:2],
                     f"municipalities.csv: {municipality.number} has county number {municipality.county_number}.")
        for district in districts:
            validate_district_number(district.number)
        for trust in trusts:
            if trust.orgnr is not None:
                validate_orgnr(trust.orgnr)
    except InvalidIdentifier as exc:
        raise RegisterDataError(f"Register data: {exc.detail}") from None


def _check_organisations(rhas: list[RegionalHealthAuthority], trusts: list[HealthTrust],
                         communities: list[Community], municipalities: list[Municipality]) -> None:
    rha_ids = _unique("health_trusts.json", "regional health authority ids", (r.id for r in rhas))
    trust_ids = _unique("health_trusts.json", "health trust ids", (t.id for t in trusts))
    _unique("health_trusts.json", "hospital ids", (h.id for t in trusts for h in t.hospitals))
    addresses = [t.address for t in trusts] + [h.address for t in trusts for h in t.hospitals]
    addresses += [municipality_address(m.number) for m in municipalities]
    _unique("health_trusts.json", "addresses", addresses)
    _require(all(a.isdigit() for a in addresses), "health_trusts.json: addresses must be digits.")
    for trust in trusts:
        _require(trust.regional_health_authority in rha_ids,
                 f"health_trusts.json: {trust.id} names an unknown RHA {trust.regional_health_authority}.")
    _unique("communities.json", "community ids", (c.id for c in communities))
    for community in communities:
        _require(community.regional_health_authority in rha_ids,
                 f"communities.json: {community.id} names an unknown RHA.")
        unknown = set(community.health_trusts) - trust_ids
        _require(not unknown, f"communities.json: {community.id} names unknown health trusts {sorted(unknown)}.")


def _check_memberships(national: NationalFigures, municipalities: list[Municipality], memberships: list[Membership],
                       communities: list[Community], trust_ids: set[str], district_owners: set[str]) -> None:
    numbers = {m.number for m in municipalities}
    community_ids = {c.id for c in communities}
    for item in memberships:
        where = f"memberships.csv ({item.municipality_number})"
        _require(item.municipality_number in numbers, f"{where}: not in municipalities.csv.")
        _require(item.community_id in community_ids, f"{where}: unknown community {item.community_id}.")
        _require(item.valid_to is None or item.valid_from <= item.valid_to, f"{where}: valid_to before valid_from.")
        if item.health_trust_id is None:
            _require(item.municipality_number in district_owners,
                     f"{where}: no health trust, and no districts in oslo_districts.csv to serve it.")
        else:
            _require(item.health_trust_id in trust_ids, f"{where}: unknown health trust {item.health_trust_id}.")
    for first in memberships:
        for second in memberships:
            if first is not second and first.municipality_number == second.municipality_number:
                overlap = (second.valid_to is None or first.valid_from <= second.valid_to) and (
                    first.valid_to is None or second.valid_from <= first.valid_to)
                _require(not overlap, f"memberships.csv: overlapping memberships for {first.municipality_number}.")
    day = national.population_date
    for municipality in municipalities:
        if municipality.valid_from <= day and (municipality.valid_to is None or day <= municipality.valid_to):
            _require(any(m.municipality_number == municipality.number and m.valid_on(day) for m in memberships),
                     f"memberships.csv: municipality {municipality.number} {municipality.name} is in no community "
                     f"on {day}.")
    empty = community_ids - {m.community_id for m in memberships}
    _require(not empty, f"communities.json: communities without municipalities: {sorted(empty)}.")


def _check_populations(national: NationalFigures, municipalities: list[Municipality],
                       districts: list[District], trust_ids: set[str]) -> None:
    day = national.population_date
    current = [m for m in municipalities if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)]
    total = sum(m.population for m in current)
    _require(total == national.population_total,
             f"municipalities.csv: populations sum to {total}, national.json says {national.population_total}.")
    by_number = {m.number: m for m in municipalities}
    _unique("oslo_districts.csv", "district numbers", (d.number for d in districts))
    for district in districts:
        where = f"oslo_districts.csv ({district.number})"
        _require(district.municipality_number in by_number, f"{where}: unknown municipality.")
        _require(district.number.startswith(district.municipality_number), f"{where}: not in its municipality.")
        _require(district.health_trust_id in trust_ids, f"{where}: unknown health trust {district.health_trust_id}.")
    if national.district_population_date != day or national.district_population_source != national.population_source:
        return  # figures of different dates or sources are not comparable (districts are not refreshed from SSB)
    for number in {d.municipality_number for d in districts}:
        summed = sum(d.population for d in districts if d.municipality_number == number)
        _require(summed == by_number[number].population,
                 f"oslo_districts.csv: districts of {number} sum to {summed}, "
                 f"municipalities.csv says {by_number[number].population}.")


def _check_forums(levels: list[ForumLevel], forums: list[Forum], communities: list[Community]) -> None:
    level_ids = _unique("forums.json", "level ids", (level.id for level in levels))
    by_id = {f.id: f for f in forums}
    _unique("forums.json", "forum ids", (f.id for f in forums))
    community_ids = {c.id for c in communities}
    for forum in forums:
        _require(forum.level in level_ids, f"forums.json: {forum.id} has unknown level {forum.level}.")
        _require(forum.community_id in community_ids, f"forums.json: {forum.id} has an unknown community.")
        seen = {forum.id}
        parent = forum.parent_id
        while parent is not None:
            _require(parent in by_id and parent not in seen, f"forums.json: {forum.id} has a broken parent chain.")
            _require(by_id[parent].community_id == forum.community_id,
                     f"forums.json: {forum.id} has a parent in another community.")
            seen.add(parent)
            parent = by_id[parent].parent_id


def validate_reference(national: NationalFigures, rhas: list[RegionalHealthAuthority], trusts: list[HealthTrust],
                       communities: list[Community], municipalities: list[Municipality],
                       memberships: list[Membership], districts: list[District], levels: list[ForumLevel],
                       forums: list[Forum]) -> None:
    """Raise ``RegisterDataError`` on the first inconsistency."""
    _unique("municipalities.csv", "municipality numbers", (m.number for m in municipalities))
    _check_identifiers(municipalities, trusts, districts)
    _check_organisations(rhas, trusts, communities, municipalities)
    trust_ids = {t.id for t in trusts}
    _check_memberships(national, municipalities, memberships, communities, trust_ids,
                       {d.municipality_number for d in districts})
    _check_populations(national, municipalities, districts, trust_ids)
    _check_forums(levels, forums, communities)
