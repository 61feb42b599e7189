"""Application receipts, modelled on PLO AppRec (HIS 80415:2012; status codes of kodeverk 8221 are [B]).

Every message gets one: `ok` (received and applied, or a redelivery acknowledged and not applied again),
`rejected` (not applied, with machine-readable reasons), or `ok_with_errors` (kept, but it contradicts the
pathway, so it does not change it; the errors say how).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from helsefellesskap.transitions.messages import Message, ReadyForDischarge
from helsefellesskap.transitions.notes import Note


class ReceiptStatus(StrEnum):
    ok = "ok"
    rejected = "rejected"
    ok_with_errors = "ok_with_errors"

    @property
    def apprec_code(self) -> int:
        """The AppRec v1.1 status code (kodeverk 8221: 1 OK, 2 Avvist, 3 OK with errors) [B]."""
        return {"ok": 1, "rejected": 2, "ok_with_errors": 3}[self.value]


class ErrorCode(StrEnum):
    """Machine-readable reasons in a receipt."""

    invalid_message = "invalid-message"  # fails the message schema
    readiness_criteria_missing = "readiness-criteria-missing"  # forskrift § 9
    id_conflict = "id-conflict"  # same sender and id, different content
    patient_mismatch = "patient-mismatch"  # another patient than the stay's
    before_admission = "before-admission"
    admission_repeated = "admission-repeated"
    already_ready = "already-ready"
    not_ready = "not-ready"  # withdrawal without a standing readiness notice
    no_readiness_notice = "no-readiness-notice"  # municipal answer without a standing readiness notice
    after_discharge = "after-discharge"
    already_discharged = "already-discharged"


class ReceiptError(NamedTuple):
    code: ErrorCode
    detail: str  # English, for the sender (API, CLI)
    field: str | None = None
    params: tuple[tuple[str, str], ...] = ()  # the placeholders of the code's template (notes.TEMPLATES)

    @property
    def note(self) -> Note:
        """The error as a note (code and parameters) for a page to render in its own language."""
        params = dict(self.params)
        if self.field is not None:
            params.setdefault("field", self.field)
        return Note.of(str(self.code), **params)


MessageKey = tuple[str, str]  # (sender, id): a message's id is its sender's own (docs/message-schema.json)


def message_key(message: Message) -> MessageKey:
    """What identifies a message: its sender and the sender's id for it. Two senders may use the same id (each
    numbers its own messages), so the id alone says nothing of which message is meant."""
    return (message.sender, message.id)


class Receipt(NamedTuple):
    message_id: str
    stay_id: str | None
    status: ReceiptStatus
    errors: tuple[ReceiptError, ...] = ()
    duplicate: bool = False
    sender: str | None = None  # whose id `message_id` is (None: a message failing the schema, its sender unknown)

    @property
    def key(self) -> MessageKey:
        return (self.sender or "", self.message_id)

    @property
    def applied(self) -> bool:
        """Whether the message changed the pathway (a duplicate or a rejected message did not)."""
        return self.status is not ReceiptStatus.rejected and not self.duplicate and not self.errors


def ok(message: Message) -> Receipt:
    return Receipt(message.id, message.stay_id, ReceiptStatus.ok, sender=message.sender)


def rejected(message_id: str, stay_id: str | None, *errors: ReceiptError, sender: str | None = None) -> Receipt:
    return Receipt(message_id, stay_id, ReceiptStatus.rejected, errors, sender=sender)


def rejected_message(message: Message, *errors: ReceiptError) -> Receipt:
    return rejected(message.id, message.stay_id, *errors, sender=message.sender)


def id_conflict(message: Message) -> Receipt:
    """The sender used this id before for another message: rejected, the first one stands."""
    conflict = ReceiptError(ErrorCode.id_conflict, f"id {message.id} was already used for another message")
    return rejected_message(message, conflict)


def flagged(message: Message, code: ErrorCode, detail: str, **params: str) -> Receipt:
    """Kept but contradicting the pathway: OK with errors, not applied."""
    error = ReceiptError(code, detail, params=tuple(sorted(params.items())))
    return Receipt(message.id, message.stay_id, ReceiptStatus.ok_with_errors, (error,), sender=message.sender)


def duplicate(message: Message) -> Receipt:
    return Receipt(message.id, message.stay_id, ReceiptStatus.ok, duplicate=True, sender=message.sender)


def rule_errors(message: Message) -> tuple[ReceiptError, ...]:
    """Checks on one message alone, beyond its schema: they make it rejected wherever it arrives."""
    if isinstance(message, ReadyForDischarge):
        missing = message.criteria.missing()
        if missing:
            # forskrift § 9: readiness rests on documented assessments; without them there is no readiness.
            return tuple(
                ReceiptError(
                    ErrorCode.readiness_criteria_missing,
                    f"forskrift § 9: the assessment '{name}' is not documented, so the patient cannot be "
                    "declared ready for discharge",
                    f"criteria.{name}",
                    (("criterion", name),),
                )
                for name in missing
            )
    return ()
