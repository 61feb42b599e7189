"""The wire format of a care transition: one JSON object per message (contract in docs/transitions.md).

Every time carries a UTC offset (naive times are rejected). The union is discriminated on `type`, so a log
line is validated in one pass by `parse_message` (pydantic-core, no intermediate dict).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, TypeAdapter
from pydantic.dataclasses import dataclass

from helsefellesskap.errors import InvalidIdentifier
from helsefellesskap.moments import EARLIEST, LATEST
from helsefellesskap.transitions.patient_id import validate_patient


def _patient(text: str) -> str:
    try:
        return validate_patient(text)
    except InvalidIdentifier as exc:  # pydantic reports ValueError as a field error
        raise ValueError(exc.detail) from None


NationalId = Annotated[
    str, Field(pattern=r"^[0-9]{11}$", description="National identity number (11 digits)."), AfterValidator(_patient)
]
# Times from 1900 to before 3000 (UTC, `helsefellesskap.moments`): a typing error (year 0001 or 9999) is a schema
# failure, not a time the pathway could not convert to UTC or add a deadline to (it was an HTTP 500).
Moment = Annotated[AwareDatetime, Field(ge=EARLIEST, lt=LATEST,
                                        description="ISO 8601 time with a UTC offset (naive times are rejected).")]
Address = Annotated[str, Field(min_length=1, max_length=64, description="Organisation address (HER-id-like).")]
Icd10 = Annotated[str, Field(pattern=r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$", description="ICD-10 code.")]
MunicipalityNumber = Annotated[str, Field(pattern=r"^[0-9]{4}$", description="Kommunenummer (4 digits).")]
Text = Annotated[str, Field(max_length=20_000)]


class Service(StrEnum):
    """The kind of specialist care; the forskrift covers mental health care and TSB since 2019."""

    somatic = "somatic"
    mental_health = "mental_health"  # psykisk helsevern
    substance_abuse = "substance_abuse"  # tverrfaglig spesialisert rusbehandling (TSB)


class Destination(StrEnum):
    home = "home"
    home_with_services = "home_with_services"
    short_term_stay = "short_term_stay"
    nursing_home = "nursing_home"
    municipal_acute_bed = "municipal_acute_bed"
    other_hospital = "other_hospital"
    died = "died"
    other = "other"


# Slotted pydantic dataclasses rather than BaseModel: a year's replay holds millions of messages, and a
# BaseModel instance carries a __dict__ and a fields-set (about 1.2 KB together) where slots need ~150 bytes.
_CONFIG = ConfigDict(extra="ignore", str_strip_whitespace=True)
message = dataclass(config=_CONFIG, frozen=True, slots=True, kw_only=True)


@message
class MessageBase:
    # The id is the sender's own: idempotency and id conflicts are per sender (ingest, replay.deduplicate).
    id: Annotated[str, Field(min_length=1, max_length=128, description="The sender's own id, unique per sender "
                                                                       "(another sender may use the same id).")]
    sent_at: Moment
    stay_id: Annotated[str, Field(min_length=1, max_length=128, description="The hospital's id of the stay.")]
    patient: NationalId
    sender: Address
    recipient: Address


@message
class Admission(MessageBase):
    """The hospital's ADT admission event."""

    type: Literal["admission"]
    admitted_at: Moment
    service: Service
    acute: bool
    municipality: MunicipalityNumber = Field(description="Residence municipality (oppholdskommune), the payer.")
    diagnoses: list[Icd10] = Field(default_factory=list)


@message
class AdmissionNotice(MessageBase):
    """Melding om innlagt pasient (forskrift § 8)."""

    type: Literal["admission_notice"]
    expected_discharge: dt.date | None = None
    expected_needs: Text = ""


@message
class HealthInformation(MessageBase):
    """Helseopplysninger (ved søknad)."""

    type: Literal["health_information"]
    text: Text


@message
class ReadinessCriteria:
    """The documented assessments behind a readiness decision (forskrift § 9) [B on exact wording]."""

    admission_problems_clarified: bool
    other_problems_clarified: bool
    diagnosis_and_follow_up_plan: bool
    functional_level_assessed: bool

    def missing(self) -> list[str]:
        if (
            self.admission_problems_clarified
            and self.other_problems_clarified
            and self.diagnosis_and_follow_up_plan
            and self.functional_level_assessed
        ):
            return []
        return [name for name in _CRITERIA if not getattr(self, name)]


_CRITERIA = ("admission_problems_clarified", "other_problems_clarified", "diagnosis_and_follow_up_plan",
             "functional_level_assessed")


@message
class ReadyForDischarge(MessageBase):
    """Melding om utskrivningsklar pasient (forskrift §§ 9-10)."""

    type: Literal["ready_for_discharge"]
    ready_at: Moment
    criteria: ReadinessCriteria
    # Extra conditions for mental health care and TSB since 2019 (forskrift, 2019 change) [B]:
    planning_meeting_called: bool | None = Field(
        default=None, description="Mental health/TSB: relevant partners called to a planning meeting."
    )
    own_follow_up_clarified: bool | None = Field(
        default=None, description="Mental health/TSB: the hospital's own further follow-up clarified."
    )


@message
class ReadyForDischargeWithdrawn(MessageBase):
    """Avmelding av utskrivningsklar pasient."""

    type: Literal["ready_for_discharge_withdrawn"]
    withdrawn_at: Moment
    reason: Text = ""


@message
class MunicipalResponse(MessageBase):
    """The municipality's answer to the readiness notice."""

    type: Literal["municipal_response"]
    can_receive: bool
    receive_from: Moment | None = Field(default=None, description="Can receive from this time; null: at once.")


@message
class Discharge(MessageBase):
    """Melding om utskrevet pasient; `other_hospital` is a transfer, `died` a death in hospital."""

    type: Literal["discharge"]
    discharged_at: Moment
    destination: Destination
    diagnoses: list[Icd10] = Field(default_factory=list)
    to_hospital: Address | None = Field(default=None, description="On transfer: the receiving hospital.")


@message
class DischargeReport(MessageBase):
    """Utskrivningsrapport to municipal nursing (HIS 1148:2014)."""

    type: Literal["discharge_report"]
    text: Text


@message
class DischargeSummary(MessageBase):
    """Epikrise to the GP."""

    type: Literal["discharge_summary"]
    text: Text
    gp: Address = Field(description="HPR number or GP office address.")


Message = Annotated[
    Admission
    | AdmissionNotice
    | HealthInformation
    | ReadyForDischarge
    | ReadyForDischargeWithdrawn
    | MunicipalResponse
    | Discharge
    | DischargeReport
    | DischargeSummary,
    Field(discriminator="type"),
]

MESSAGE_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)
MESSAGE_LIST_ADAPTER: TypeAdapter[list[Message]] = TypeAdapter(list[Message])

MESSAGE_TYPES: tuple[str, ...] = (
    "admission",
    "admission_notice",
    "health_information",
    "ready_for_discharge",
    "ready_for_discharge_withdrawn",
    "municipal_response",
    "discharge",
    "discharge_report",
    "discharge_summary",
)


def parse_message(data: str | bytes) -> Message:
    """Validate one JSON message; raises `pydantic.ValidationError`."""
    return MESSAGE_ADAPTER.validate_json(data)


_EVENT_FIELD: dict[str, str] = {
    "admission": "admitted_at",
    "ready_for_discharge": "ready_at",
    "ready_for_discharge_withdrawn": "withdrawn_at",
    "discharge": "discharged_at",
}


def event_time(message: Message) -> dt.datetime:
    """When the event happened: the type's own time field, else when the message was sent."""
    moment: dt.datetime = getattr(message, _EVENT_FIELD.get(message.type, "sent_at"))
    return moment


def fold_key(message: Message) -> tuple[dt.datetime, dt.datetime, str, str]:
    """The deterministic order in which a stay's messages are folded: event time, sent_at, id, sender (two
    senders may use the same id: it is each sender's own)."""
    sent_at = message.sent_at
    return (getattr(message, _EVENT_FIELD.get(message.type, "sent_at")), sent_at, message.id, message.sender)


def message_json_schema() -> dict[str, object]:
    """The JSON Schema of one message (the published contract, docs/message-schema.json)."""
    schema = MESSAGE_ADAPTER.json_schema()
    schema["title"] = "helsefellesskap care-transition message"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
