"""HTTP routes of the transitions capability (``/api/v1``): messages in, receipts out; pathways, timelines,
boards, obligations, alerts and the payment ledger. Each route is one unit of work over the service.

`POST /messages` answers 200 with the receipt when the message is accepted (`ok`), kept but flagged
(`ok_with_errors`), or redelivered (the first receipt again, header `X-Duplicate: true`); 422 problem+json
with the receipt and its machine-readable errors when it is rejected (kept all the same); 409 problem+json
when its id was already used for another message (the conflicting message is kept too). A rejected message sent
again by its sender is answered as the first time (422 or 409, the first receipt) with `X-Duplicate: true`, and
not kept again."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from helsefellesskap.access.http import CurrentPrincipal, Now, Source
from helsefellesskap.db import Database
from helsefellesskap.deps import get_database
from helsefellesskap.moments import EARLIEST, LATEST
from helsefellesskap.problems import PROBLEM_JSON, PROBLEM_TYPE_BASE
from helsefellesskap.transitions import rates_service, service
from helsefellesskap.transitions.rates_service import DailyRateView
from helsefellesskap.transitions.views import (
    AlertView,
    BoardRow,
    LedgerRow,
    ObligationView,
    ReceiptView,
    StayView,
    TimelineEntry,
)

router = APIRouter(prefix="/api/v1", tags=["transitions"])
DatabaseDep = Annotated[Database, Depends(get_database)]
NationalIdPath = Annotated[str, Path(max_length=32, description="National identity number (11 digits).")]
AlertIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
StayIdPath = Annotated[str, Path(min_length=1, max_length=128)]
Address = Annotated[str | None, Query(pattern=r"^[0-9]{1,50}$")]
MunicipalityNumber = Annotated[str | None, Query(pattern=r"^[0-9]{4}$")]
StateQuery = Annotated[str | None, Query(max_length=40, description="A state, or 'all'; default: active stays.")]
Sort = Annotated[Literal["days_waiting", "admitted_at", "ready_at", "payable_days", "state", "stay_id", "patient",
                         "municipality", "open_alerts", "obligations_overdue"], Query()]


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class RejectedProblem(Problem):
    receipt: ReceiptView


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "content": {PROBLEM_JSON: {}}} for code in codes}


AUTHENTICATED = _problems(401, 403, 422)
MESSAGE_EXAMPLE = {
    "id": "S1-1", "type": "admission", "sent_at": "2024-03-01T10:00:00+01:00", "stay_id": "S1",
    "patient": "06813000065", "sender": "1060200", "recipient": "2340300", "admitted_at": "2024-03-01T10:00:00+01:00",
    "service": "somatic", "acute": True, "municipality": "3403", "diagnoses": ["J44.1"],
}


def _rejected(receipt: ReceiptView, instance: str) -> JSONResponse:
    conflict = any(e.code == "id-conflict" for e in receipt.errors)
    status = 409 if conflict else 422
    body = {
        "type": PROBLEM_TYPE_BASE + ("id-conflict" if conflict else "message-rejected"),
        "title": "Conflict" if conflict else "Message rejected", "status": status,
        "detail": "; ".join(e.detail for e in receipt.errors) or "The message was rejected.",
        "instance": instance,
        "errors": [{"code": e.code, "detail": e.detail, "field": e.field,
                    "pointer": "/" + e.field.replace(".", "/") if e.field else None} for e in receipt.errors],
        "receipt": receipt.model_dump(mode="json"),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


@router.post("/messages", response_model=ReceiptView, summary="Receive a care-transition message (AppRec receipt)",
             responses={**_problems(401, 403), 409: {"model": RejectedProblem, "content": {PROBLEM_JSON: {}}},
                        422: {"model": RejectedProblem, "content": {PROBLEM_JSON: {}}}})
def post_message(request: Request, response: Response, database: DatabaseDep, principal: CurrentPrincipal,
                 now: Now, source: Source,
                 payload: Annotated[dict[str, Any], Body(description="One message per the contract "
                                                                     "(docs/message-schema.json).",
                                                         examples=[MESSAGE_EXAMPLE])]) -> Any:
    with database.unit_of_work() as session:
        receipt = service.receive_message(session, principal, payload, now=now, source=source)
    if receipt.status == "rejected":
        rejected = _rejected(receipt, request.url.path)
        if receipt.duplicate:  # a rejected message sent again: the first receipt, not kept again
            rejected.headers["X-Duplicate"] = "true"
        return rejected
    if receipt.duplicate:
        response.headers["X-Duplicate"] = "true"
    return receipt


@router.get("/persons/{national_id}/pathway", response_model=list[StayView], responses=AUTHENTICATED,
            summary="A person's stays with obligations, payment and alerts")
def get_pathway(database: DatabaseDep, principal: CurrentPrincipal, now: Now, source: Source,
                national_id: NationalIdPath) -> list[StayView]:
    with database.unit_of_work() as session:
        return service.person_pathway(session, principal, national_id, now=now, source=source)


@router.get("/persons/{national_id}/timeline", response_model=list[TimelineEntry], responses=AUTHENTICATED,
            summary="A person's messages and alerts, newest first")
def get_timeline(database: DatabaseDep, principal: CurrentPrincipal, now: Now, source: Source,
                 national_id: NationalIdPath) -> list[TimelineEntry]:
    with database.unit_of_work() as session:
        return service.person_timeline(session, principal, national_id, now=now, source=source)


@router.get("/boards/hospital", response_model=list[BoardRow], responses=AUTHENTICATED,
            summary="The hospital's stays (its own party only)")
def get_hospital_board(database: DatabaseDep, principal: CurrentPrincipal, now: Now,
                       organisation: Address = None, state: StateQuery = None,
                       municipality: MunicipalityNumber = None, sort: Sort = "days_waiting",
                       descending: bool = True,
                       limit: Annotated[int | None, Query(ge=1, le=10_000, description="At most this many.")] = None,
                       offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many first.")] = 0,
                       *, response: Response) -> list[BoardRow]:
    """Sorted across all matching stays, then paged; `X-Total-Count` says how many match (only the rows returned
    are audited)."""
    with database.unit_of_work() as session:
        page = service.hospital_board_page(session, principal, now=now, organisation=organisation, state=state,
                                           municipality=municipality, sort=sort, descending=descending, limit=limit,
                                           offset=offset, page_order=False)
    response.headers["X-Total-Count"] = str(page.total)
    return page.rows


@router.get("/boards/gp", response_model=list[service.GpListRow], responses=AUTHENTICATED,
            summary="The GP's patients in hospital now or discharged in the last 30 days (its own list only)")
def get_gp_list(database: DatabaseDep, principal: CurrentPrincipal, now: Now) -> list[service.GpListRow]:
    with database.unit_of_work() as session:
        return service.gp_list(session, principal, now=now)


BoardLimit = Annotated[int | None, Query(ge=1, le=10_000, description="At most this many.")]
BoardOffset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many first.")]


@router.get("/boards/municipality", response_model=list[BoardRow], responses=AUTHENTICATED,
            summary="The municipality's residents in hospital (its own stays only)")
def get_municipality_board(database: DatabaseDep, principal: CurrentPrincipal, now: Now,
                           municipality: MunicipalityNumber = None, state: StateQuery = None,
                           sort: Sort = "days_waiting", descending: bool = True, limit: BoardLimit = None,
                           offset: BoardOffset = 0, *, response: Response) -> list[BoardRow]:
    """Sorted across all matching stays, then paged; `X-Total-Count` says how many match (only the rows returned
    are audited)."""
    with database.unit_of_work() as session:
        page = service.municipality_board_page(session, principal, now=now, municipality=municipality, state=state,
                                               sort=sort, descending=descending, limit=limit, offset=offset,
                                               page_order=False)
    response.headers["X-Total-Count"] = str(page.total)
    return page.rows


@router.get("/obligations", response_model=list[ObligationView], responses=AUTHENTICATED,
            summary="Open obligations of the principal's organisation")
def get_obligations(database: DatabaseDep, principal: CurrentPrincipal, now: Now,
                    organisation: Address = None) -> list[ObligationView]:
    with database.unit_of_work() as session:
        return service.open_obligations(session, principal, now=now, organisation=organisation)


@router.get("/alerts", response_model=list[AlertView], responses=AUTHENTICATED,
            summary="Alerts the principal's organisation must act on")
def get_alerts(database: DatabaseDep, principal: CurrentPrincipal, now: Now,
               status: Literal["open", "acknowledged", "resolved", "all"] = "open",
               rule: Annotated[str | None, Query(max_length=60)] = None,
               limit: Annotated[int | None, Query(ge=1, le=1000, description="At most this many (default: all).")]
               = None,
               offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many first.")] = 0,
               *, response: Response) -> list[AlertView]:
    """Newest first; `X-Total-Count` says how many match in all (only the alerts returned are audited)."""
    with database.unit_of_work() as session:
        page = service.alert_page(session, principal, now=now, status=status, rule=rule, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(page.total)
    return page.alerts


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(min_length=1, max_length=100)


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class MunicipalAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    can_receive: bool
    receive_from: Annotated[AwareDatetime | None, Field(ge=EARLIEST, lt=LATEST)] = None


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertView, responses=_problems(401, 403, 422),
             summary="Acknowledge an alert")
def acknowledge(database: DatabaseDep, principal: CurrentPrincipal, now: Now, alert_id: AlertIdPath) -> AlertView:
    with database.unit_of_work() as session:
        return service.acknowledge_alert(session, principal, alert_id, now=now)


@router.post("/alerts/{alert_id}/assign", response_model=AlertView, responses=_problems(401, 403, 422),
             summary="Assign an alert to a person")
def assign(database: DatabaseDep, principal: CurrentPrincipal, now: Now, alert_id: AlertIdPath,
           body: Assignment) -> AlertView:
    with database.unit_of_work() as session:
        return service.assign_alert(session, principal, alert_id, body.assignee, now=now)


@router.post("/alerts/{alert_id}/comments", response_model=AlertView, responses=_problems(401, 403, 422),
             summary="Comment on an alert")
def comment(database: DatabaseDep, principal: CurrentPrincipal, now: Now, alert_id: AlertIdPath,
            body: Comment) -> AlertView:
    with database.unit_of_work() as session:
        return service.comment_alert(session, principal, alert_id, body.text, now=now)


@router.post("/stays/{stay_id:path}/municipal-response", response_model=ReceiptView,  # a stay id may hold "/"
             responses={**_problems(401, 403), 422: {"model": RejectedProblem, "content": {PROBLEM_JSON: {}}}},
             summary="The municipality answers a readiness notice")
def municipal_response(request: Request, database: DatabaseDep, principal: CurrentPrincipal, now: Now,
                       stay_id: StayIdPath, body: MunicipalAnswer) -> Any:
    with database.unit_of_work() as session:
        receipt = service.answer_readiness(session, principal, stay_id, can_receive=body.can_receive,
                                           receive_from=body.receive_from, now=now)
    return _rejected(receipt, request.url.path) if receipt.status == "rejected" else receipt


@router.get("/ledger", response_model=list[LedgerRow], summary="Payment ledger (forskrift § 13); CSV on request",
            responses={**AUTHENTICATED, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def get_ledger(request: Request, database: DatabaseDep, principal: CurrentPrincipal, now: Now,
               municipality: MunicipalityNumber = None,
               health_trust: Annotated[str | None, Query(max_length=64)] = None,
               month: Annotated[str | None, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")] = None,
               format: Literal["json", "csv"] | None = None) -> Any:
    with database.unit_of_work() as session:
        rows = service.payment_ledger(session, principal, now=now, municipality=municipality,
                                      health_trust=health_trust, month=month)
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        return Response(service.ledger_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="ledger.csv"'})
    return rows


class DailyRateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nok_per_day: int = Field(gt=0, le=100_000, description="NOK per delayed-discharge day (whole kroner).")
    source: str = Field(min_length=1, max_length=500,
                        description="Where the figure comes from (e.g. the state budget's proposition).")


YearPath = Annotated[int, Path(ge=2012, le=2100, description="The calendar year the rate applies to.")]


@router.get("/daily-rates", response_model=list[DailyRateView], responses=AUTHENTICATED,
            summary="The daily rate (døgnpris) of each year, with its source and origin")
def get_daily_rates(database: DatabaseDep, principal: CurrentPrincipal, now: Now) -> list[DailyRateView]:
    with database.unit_of_work() as session:
        return rates_service.list_rates(session, principal, now=now)


@router.put("/daily-rates/{year}", response_model=DailyRateView, responses=AUTHENTICATED,
            summary="Administrator: set a year's daily rate (audited; the stored ledger is repriced)")
def put_daily_rate(year: YearPath, body: DailyRateIn, database: DatabaseDep, principal: CurrentPrincipal, now: Now,
                   source: Source) -> DailyRateView:
    with database.unit_of_work() as session:
        return rates_service.set_rate(session, principal, year, body.nok_per_day, body.source, now=now,
                                      request_source=source)
