"""What the transitions service returns (pydantic, so the API's OpenAPI is complete and the web pages render
the same objects). Times are UTC; pages show them in Europe/Oslo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class NoteView(BaseModel):
    """Something the service says in words, as a stable code with parameters and the English text. A client
    renders the code in its own language (the web app does, in bokmål); `text` is the English."""

    code: str | None = Field(description="Stable code, e.g. PAY-LATE-ADMISSION-NOTICE (null: stored before codes).")
    params: dict[str, str] = Field(default_factory=dict, description="The values the code's text names.")
    text: str = Field(description="The English text.")


class ReceiptErrorView(BaseModel):
    code: str = Field(description="Machine-readable reason, e.g. readiness-criteria-missing, id-conflict.")
    detail: str
    field: str | None = None
    params: dict[str, str] = Field(default_factory=dict, description="Values for rendering the code in words.")


class ReceiptView(BaseModel):
    """The application receipt (modelled on PLO AppRec): ok, ok_with_errors (kept, flagged, not applied) or
    rejected. A redelivery of the same message is answered with the very same receipt."""

    message_id: str
    stay_id: str | None
    status: str = Field(description="ok | ok_with_errors | rejected")
    apprec_code: int = Field(description="AppRec status code (kodeverk 8221 [B]): 1 OK, 2 rejected, 3 OK with errors.")
    errors: list[ReceiptErrorView] = Field(default_factory=list)
    received_at: dt.datetime
    duplicate: bool = Field(default=False, exclude=True)  # a redelivery (not serialised: the receipts are equal)


class OrganisationRef(BaseModel):
    address: str | None
    name: str | None


class MunicipalityRef(BaseModel):
    number: str | None
    name: str | None


class ObligationView(BaseModel):
    stay_id: str
    patient: str
    kind: str
    party: str = Field(description="hospital | municipality")
    organisation: str | None = Field(description="The hospital's address or the municipality's number.")
    due_at: dt.datetime
    met_at: dt.datetime | None
    status: str = Field(description="due | met | late | missing (at the time of the request)")
    source: str = Field(description="The legal source of the obligation.")


class AlertCommentView(BaseModel):
    at: dt.datetime
    author: str
    text: str


class AlertView(BaseModel):
    id: str
    rule_id: str
    severity: str
    title: str
    explanation_nb: str
    explanation_en: str
    detail: str
    detail_note: NoteView | None = Field(default=None, description="The detail as a code with parameters.")
    must_act: OrganisationRef
    stay_id: str
    patient: str
    raised_at: dt.datetime
    status: str = Field(description="open | acknowledged | resolved")
    acknowledged_by: str | None = None
    assignee: str | None = None
    comments: list[AlertCommentView] = Field(default_factory=list)



class AlertPage(BaseModel):
    """A page of the alert inbox: how many alerts match in all, where the page starts, and its alerts."""

    total: int
    offset: int
    alerts: list[AlertView]

class BoardRow(BaseModel):
    stay_id: str
    patient: str
    age: int | None
    sex: str | None
    hospital: OrganisationRef
    municipality: MunicipalityRef
    service: str | None
    state: str
    admitted_at: dt.datetime | None
    expected_discharge: dt.date | None
    ready_at: dt.datetime | None
    answer: str | None = Field(description="can | cannot | null (not answered)")
    receive_from: dt.datetime | None
    days_waiting: int | None = Field(description="Whole days since readiness (null when not ready).")
    payable_days: int
    amount_nok: Decimal
    obligations_due: int
    obligations_overdue: int
    open_alerts: int
    priority_groups: list[str]
    answer_due_at: dt.datetime | None = Field(
        default=None, description="Deadline of the municipality's answer to a readiness notice it has not answered.")



class BoardPage(BaseModel):
    """A page of a board: how many stays match in all, where the page starts, and its rows."""

    total: int
    offset: int
    rows: list[BoardRow]

class StayView(BaseModel):
    stay_id: str
    patient: str
    hospital: OrganisationRef
    municipality: MunicipalityRef
    service: str | None
    state: str
    acute: bool | None
    admitted_at: dt.datetime | None
    expected_discharge: dt.date | None
    ready_at: dt.datetime | None
    answer: str | None
    receive_from: dt.datetime | None
    discharged_at: dt.datetime | None
    destination: str | None
    readmission_of: str | None
    payable_days: int
    unpriced_days: int
    amount_ore: int
    amount_nok: Decimal
    payment_notes: list[str] = Field(description="Why days are not payable or not priced (English).")
    payment_note_details: list[NoteView] = Field(default_factory=list, description="The same notes with codes.")
    priority_groups: list[str]
    obligations: list[ObligationView]
    alerts: list[AlertView]


class TimelineEntry(BaseModel):
    at: dt.datetime
    kind: str = Field(description="message | alert")
    stay_id: str | None
    type: str = Field(description="The message type, or the alert's rule id.")
    summary: str
    note: NoteView | None = Field(default=None, description="The summary as a code with parameters.")
    sender: str | None = None
    status: str | None = Field(default=None, description="The message's status in the pathway, or the alert's.")
    errors: list[ReceiptErrorView] = Field(default_factory=list)


class LedgerRow(BaseModel):
    municipality: str
    municipality_name: str | None
    health_trust: str
    health_trust_name: str | None
    month: str = Field(description="YYYY-MM")
    payable_days: int
    unpriced_days: int
    amount_ore: int
    amount_nok: Decimal
    daily_rate_nok: int | None = Field(default=None, description="The daily rate of the month's year (null: unknown).")
    daily_rate_origin: str | None = Field(default=None, description="shipped (the official table shipped with the "
                                          "platform) or operator (set by an administrator: not from that table).")
