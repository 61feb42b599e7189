"""The register's domain types: communities, health trusts, hospitals, municipalities, districts, forums and
organisations, and the rules for organisation addresses and parties. Pure: no I/O, no database."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from helsefellesskap.errors import DomainError, InvalidInput


class RegisterDataError(DomainError):
    """The shipped (or refreshed) data files are inconsistent; the message names the file and the fault."""

    status = 500
    code = "register-data"


class SourceUnavailable(DomainError):
    """Statistics Norway could not be reached or answered with something unusable (CLI: exit 2, one line)."""

    status = 502
    code = "source-unavailable"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegionalHealthAuthority(_Frozen):
    id: str
    name: str


class Hospital(_Frozen):
    id: str
    name: str
    local_hospital: bool = Field(description="Has local-hospital responsibility (lokalsykehusansvar) for an area.")
    address: str


class HealthTrust(_Frozen):
    """A health trust (HF), or a non-profit hospital company (AS) with the same role under its RHA's agreement."""

    id: str
    name: str
    legal_form: str = Field(description="HF (health trust) or AS (non-profit hospital company).")
    orgnr: str | None
    regional_health_authority: str
    address: str
    hospitals: list[Hospital]


# The largest population a municipality or district row holds (a 32-bit integer column on PostgreSQL): a larger
# figure in a data file or from SSB is an error, refused when read rather than a database error when loaded.
MAX_POPULATION = 2**31 - 1


class Municipality(_Frozen):
    number: str
    name: str
    county_number: str
    county: str
    population: int = Field(ge=0, le=MAX_POPULATION)
    valid_from: dt.date
    valid_to: dt.date | None = None


class Membership(_Frozen):
    """Municipality ``municipality_number`` belongs to ``community_id`` in [valid_from, valid_to]; its residents are
    served by ``health_trust_id`` — or, where that is None, per city district (Oslo)."""

    municipality_number: str
    community_id: str
    health_trust_id: str | None
    valid_from: dt.date
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class District(_Frozen):
    number: str
    name: str
    municipality_number: str
    health_trust_id: str
    population: int = Field(ge=0, le=MAX_POPULATION)


class ForumLevel(_Frozen):
    id: str
    rank: int
    name: str
    member_kinds: list[str]
    observer_kinds: list[str]
    source: str


class Forum(_Frozen):
    id: str
    community_id: str
    parent_id: str | None
    level: str
    name: str
    note: str | None = None


class Community(_Frozen):
    id: str
    name: str
    regional_health_authority: str
    health_trusts: list[str]
    municipality_numbers: list[str] = Field(default_factory=list)


class NationalFigures(_Frozen):
    population_date: dt.date
    population_total: int
    population_source: str
    district_population_date: dt.date
    district_population_source: str
    municipality_numbering: int
    population_retrieved_at: dt.datetime | None = None


class OrganisationKind(StrEnum):
    HEALTH_TRUST = "health_trust"
    HOSPITAL = "hospital"
    HOSPITAL_DEPARTMENT = "hospital_department"
    MUNICIPALITY = "municipality"
    ALLOCATION_OFFICE = "allocation_office"
    HOME_CARE = "home_care"
    SHORT_TERM_STAY = "short_term_stay"
    NURSING_HOME = "nursing_home"
    MUNICIPAL_ACUTE_BED = "municipal_acute_bed"
    GP_OFFICE = "gp_office"


REGISTER_KINDS = frozenset({OrganisationKind.HEALTH_TRUST, OrganisationKind.HOSPITAL, OrganisationKind.MUNICIPALITY})
# The legal parties of the cooperation agreement (hol §§ 6-1, 6-2) and GP offices: what `party_of` walks up to.
PARTY_KINDS = frozenset({OrganisationKind.HEALTH_TRUST, OrganisationKind.MUNICIPALITY, OrganisationKind.GP_OFFICE})
MUNICIPAL_UNIT_KINDS = frozenset({
    OrganisationKind.ALLOCATION_OFFICE, OrganisationKind.HOME_CARE, OrganisationKind.SHORT_TERM_STAY,
    OrganisationKind.NURSING_HOME, OrganisationKind.MUNICIPAL_ACUTE_BED,
})
_PARENT_KINDS: dict[OrganisationKind, frozenset[OrganisationKind]] = {
    OrganisationKind.HOSPITAL_DEPARTMENT: frozenset({OrganisationKind.HOSPITAL, OrganisationKind.HOSPITAL_DEPARTMENT}),
    **{kind: MUNICIPAL_UNIT_KINDS | {OrganisationKind.MUNICIPALITY} for kind in MUNICIPAL_UNIT_KINDS},
}

# Addresses are synthetic HER-id-like digit strings, stable for the shipped register:
# 1TT0000 health trust TT, 1TTHH00 its hospital HH (both in health_trusts.json), 2KKKK00 municipality KKKK,
# 3NNNNNN organisations created later (hospital departments, municipal units, GP offices), in sequence.
CREATED_ADDRESS_PREFIX = "3"
CREATED_ADDRESS_DIGITS = 6


def municipality_address(number: str) -> str:
    return f"2{number}00"


def created_address(sequence: int) -> str:
    return f"{CREATED_ADDRESS_PREFIX}{sequence:0{CREATED_ADDRESS_DIGITS}d}"


def check_new_organisation(kind: OrganisationKind, parent_kind: OrganisationKind | None,
                           municipality_number: str | None) -> None:
    """Which organisations may be created, and under what: register kinds come only from the register."""
    if kind in REGISTER_KINDS:
        raise InvalidInput(f"A {kind.value} comes from the register and cannot be created; load the register instead.")
    if kind is OrganisationKind.GP_OFFICE:
        if parent_kind is not None:
            raise InvalidInput("A GP office is a party of its own and has no parent organisation.")
        if municipality_number is None:
            raise InvalidInput("A GP office needs the municipality it is in (municipality_number).")
        return
    allowed = _PARENT_KINDS[kind]
    if kind in MUNICIPAL_UNIT_KINDS and parent_kind is None and municipality_number is not None:
        return  # placed directly under its municipality
    if parent_kind not in allowed:
        names = ", ".join(sorted(k.value for k in allowed))
        raise InvalidInput(f"A {kind.value} must have a parent organisation of kind: {names}.")


# Read models: what the service returns and the API and CLI render.


class MunicipalitySummary(_Frozen):
    number: str
    name: str
    population: int
    health_trust_id: str | None = Field(description="The trust serving it; null where it is served per district.")


class ForumView(_Frozen):
    id: str
    name: str
    level: str
    parent_id: str | None
    member_kinds: list[str]
    observer_kinds: list[str]
    note: str | None = None


class CommunityView(_Frozen):
    id: str
    name: str
    regional_health_authority: str
    population: int
    health_trusts: list[HealthTrust]
    municipalities: list[MunicipalitySummary]
    forums: list[ForumView]


class CommunityRef(_Frozen):
    id: str
    name: str


class DistrictView(_Frozen):
    number: str
    name: str
    population: int
    health_trust_id: str


class MunicipalityView(_Frozen):
    number: str
    name: str
    county_number: str
    county: str
    population: int
    population_date: dt.date
    population_source: str = Field(description="'memory' (approximate, see PROVENANCE.md) or the SSB table.")
    valid_from: dt.date
    valid_to: dt.date | None
    address: str
    community: CommunityRef
    health_trust_id: str | None = Field(description="The trust serving it; null where it is served per district.")
    districts: list[DistrictView]


class Organisation(_Frozen):
    address: str
    kind: OrganisationKind
    name: str
    orgnr: str | None
    parent_address: str | None
    municipality_number: str | None
    health_trust_id: str | None
    hospital_id: str | None
    party_address: str = Field(description="The top-level legal party: its health trust, municipality or GP office.")
