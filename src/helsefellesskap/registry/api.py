"""HTTP routes of the registry capability: communities, municipalities and organisations (``/api/v1``).

The register is reference data, not person data; reading is open. Creating organisations is for administrators
(access policy: ``organisations.write``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from helsefellesskap.access.http import CurrentPrincipal, Now
from helsefellesskap.access.model import Action, Resource
from helsefellesskap.access.service import authorize
from helsefellesskap.db import Database
from helsefellesskap.deps import get_database
from helsefellesskap.identity.types import MunicipalityNumberStr, OrgnrStr
from helsefellesskap.registry import service
from helsefellesskap.registry.model import CommunityView, MunicipalityView, Organisation, OrganisationKind

router = APIRouter(prefix="/api/v1", tags=["registry"])
DatabaseDep = Annotated[Database, Depends(get_database)]
ADDRESS_PATTERN = r"^[0-9]{1,50}$"
_CALENDAR_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _calendar_date(value: object) -> object:
    # pydantic's lax date also takes a datetime at midnight ("2024-01-01T00:00") and a Unix timestamp ("0"):
    # a day parameter takes the ISO 8601 calendar date YYYY-MM-DD only.
    if isinstance(value, str) and not _CALENDAR_DATE.fullmatch(value):
        raise ValueError("Expected a date as YYYY-MM-DD")
    return value


CalendarDate = Annotated[dt.date, BeforeValidator(_calendar_date)]


class NewOrganisation(BaseModel):
    """A hospital department, municipal service unit or GP office."""

    model_config = ConfigDict(extra="forbid")

    kind: OrganisationKind
    name: str = Field(min_length=1, max_length=200)
    parent_address: str | None = Field(default=None, pattern=ADDRESS_PATTERN,
                                       description="The address of the organisation it belongs to.")
    municipality_number: MunicipalityNumberStr | None = Field(
        default=None, description="For GP offices, and municipal units placed directly under their municipality.")
    orgnr: OrgnrStr | None = None
    address: str | None = Field(default=None, pattern=r"^[0-9]{1,12}$",
                                description="A HER-id if it has one; allocated when left out.")


@router.get("/communities", summary="The 19 helsefellesskap")
def list_communities(database: DatabaseDep) -> list[CommunityView]:
    with database.reading() as session:
        return service.list_communities(session)


@router.get("/communities/{community_id}", summary="One helsefellesskap: trusts, municipalities, forums")
def get_community(database: DatabaseDep,
                  community_id: Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$")]) -> CommunityView:
    with database.reading() as session:
        return service.get_community(session, community_id)


@router.get("/municipalities/{number}", summary="A municipality, its community and the trust that serves it")
def get_municipality(database: DatabaseDep, number: Annotated[str, Path(max_length=8)],
                     on: Annotated[CalendarDate | None,
                                   Query(description="Membership on this day (YYYY-MM-DD).")] = None,
                     ) -> MunicipalityView:
    with database.reading() as session:
        return service.get_municipality(session, number, on)


@router.post("/organisations", status_code=status.HTTP_201_CREATED, summary="Create an organisation (administrator)")
def create_organisation(database: DatabaseDep, body: NewOrganisation, principal: CurrentPrincipal,
                        now: Now) -> Organisation:
    with database.unit_of_work() as session:
        # Organisations decide which units share a party's care relations: administrators only.
        authorize(session, principal, Resource.ORGANISATIONS_WRITE, Action.WRITE, now=now)
        return service.create_organisation(session, **body.model_dump(), now=now)


@router.get("/organisations", summary="Organisations, filtered by kind, municipality or parent")
def list_organisations(
    database: DatabaseDep,
    kind: OrganisationKind | None = None,
    municipality: Annotated[str | None, Query(max_length=8)] = None,
    parent: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
) -> list[Organisation]:
    with database.reading() as session:
        return service.list_organisations(session, kind=kind.value if kind else None, municipality=municipality,
                                          parent=parent)


@router.get("/organisations/{address}", summary="An organisation by its messaging address")
def get_organisation(database: DatabaseDep, address: Annotated[str, Path(pattern=ADDRESS_PATTERN)]) -> Organisation:
    with database.reading() as session:
        return service.get_organisation(session, address)
