"""HTTP: the indicator catalogue, and an indicator computed on the twin loaded in the platform database —
aggregates only, for principals the access policy lets see them, counts under the threshold suppressed. Every
request is authorised; the results come from the process's results cache while the same twin stays loaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from helsefellesskap.access.http import CurrentPrincipal, Now
from helsefellesskap.access.service import authorize_aggregate
from helsefellesskap.db import Database
from helsefellesskap.deps import get_app_settings, get_database
from helsefellesskap.indicators import service
from helsefellesskap.indicators.catalogue import CATALOGUE, definition_of
from helsefellesskap.indicators.model import IndicatorDefinition, PeriodChoice, parse_dimensions
from helsefellesskap.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["indicators"])
PROBLEM: dict[str, object] = {"content": {"application/problem+json": {}}}


class DefinitionOut(BaseModel):
    id: str
    name: str
    definition: str
    source: str
    numerator: str
    denominator: str
    exclusions: list[str]
    dimensions: list[str]
    unit: str
    multiplier: float
    basis: str
    notes: list[str]

    @classmethod
    def of(cls, d: IndicatorDefinition) -> DefinitionOut:
        return cls(id=d.id, name=d.name, definition=d.definition, source=d.source, numerator=d.numerator,
                   denominator=d.denominator, exclusions=list(d.exclusions), dimensions=[x.value for x in d.dimensions],
                   unit=d.unit, multiplier=d.multiplier, basis=d.basis, notes=list(d.notes))


class ResultOut(BaseModel):
    dimensions: dict[str, str]
    numerator: int | None
    denominator: int | None
    rate: float | None
    suppressed: bool


class IndicatorOut(BaseModel):
    definition: DefinitionOut
    by: list[str]
    community: str | None
    period: dict[str, str]
    small_cell_threshold: int
    results: list[ResultOut]


@router.get("/indicators", summary="The indicator catalogue: definitions and sources",
            responses={401: PROBLEM, 403: PROBLEM})
def catalogue(principal: CurrentPrincipal, now: Now) -> list[DefinitionOut]:
    authorize_aggregate(principal, now=now)
    return [DefinitionOut.of(d) for d in CATALOGUE]


@router.get("/indicators/{indicator_id}", summary="One indicator computed on the loaded synthetic twin",
            responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM})
def indicator(
    indicator_id: Annotated[str, Path(description="indicator id", examples=["readmission_elderly_30d"])],
    principal: CurrentPrincipal,
    now: Now,
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[Settings, Depends(get_app_settings)],
    by: Annotated[list[str] | None, Query(description="community, municipality, priority_group, month")] = None,
    community: Annotated[str | None, Query(max_length=50, description="only this helsefellesskap")] = None,
    start: Annotated[str | None, Query(alias="from", max_length=10, examples=["2024-03-01"],
                                       description="first day of the period, YYYY-MM-DD (default: the twin's)")] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10, examples=["2024-07-01"],
                                     description="day after the period, YYYY-MM-DD: the end day is excluded "
                                                 "(default: the twin's end)")] = None,
) -> IndicatorOut:
    authorize_aggregate(principal, now=now)
    definition = definition_of(indicator_id)
    dimensions = parse_dimensions(by or [])
    choice = PeriodChoice.parse(start, end)
    found = service.loaded_results(database, definition, dimensions, community=community, choice=choice,
                                   threshold=settings.small_cell_threshold)
    period = found.period
    return IndicatorOut(
        definition=DefinitionOut.of(definition), by=[d.value for d in dimensions], community=community,
        period={"start": period.start.isoformat(), "end": period.end.isoformat()},
        small_cell_threshold=settings.small_cell_threshold,
        results=[ResultOut(dimensions=r.dimensions, numerator=r.numerator, denominator=r.denominator, rate=r.rate,
                           suppressed=r.suppressed) for r in found.results],
    )
