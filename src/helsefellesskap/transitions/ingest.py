"""Receiving messages: validate, authorise the sender, store (idempotent by sender and message id), refold,
receipt.

A message's id is its sender's own (docs/message-schema.json: "The sender's own id, unique per sender"): two systems
numbering their messages with counters use the same ids, and another sender's message with an id already stored is
another message, received as any new one. Every JSON object received is kept in `transition_messages`, whatever its
fate:
- valid and new (its sender has not used its id): stored under its sender and id, its stay refolded; the receipt
  is what the fold says of it (`ok`, `ok_with_errors` when it contradicts the pathway, `rejected` when it breaks a
  rule on its own, e.g. § 9);
- the same sender's id with the same content again (a redelivery): not stored again, answered with the first
  receipt;
- the same sender's id with other content: kept without claiming the id, `rejected` with `id-conflict`;
- failing the message schema: kept without claiming the id, `rejected` with `invalid-message` reasons;
- a message kept rejected (the two cases above) sent again by the same sender (its SHA-256 and sender, or the
  submitting user when a message failing the schema names no readable sender: `rejected`): not stored again,
  answered with the first receipt as a duplicate, as an accepted redelivery is.
The unique constraint on (sender, message id) is the idempotency guard: the message is inserted first, and a
duplicate (a redelivery, or the same sender's id stored meanwhile by a concurrent request) is caught there and
answered as a redelivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helsefellesskap.access import service as access
from helsefellesskap.access.model import Action, Principal, Resource
from helsefellesskap.access.policy import NO_PERSON_ACCESS
from helsefellesskap.errors import Conflict, Forbidden, InvalidInput
from helsefellesskap.nul_guard import json_has_nul
from helsefellesskap.transitions import receipts as rc
from helsefellesskap.transitions import rejected as rejections
from helsefellesskap.transitions.messages import MESSAGE_ADAPTER, MESSAGE_TYPES, Message, parse_message
from helsefellesskap.transitions.projection import aware, errors_json, maybe_aware, refold
from helsefellesskap.transitions.receipts import Receipt, ReceiptStatus
from helsefellesskap.transitions.replay import invalid_message
from helsefellesskap.transitions.store import MESSAGES, MessageRow, StayRow
from helsefellesskap.transitions.views import ReceiptErrorView, ReceiptView

MAX_MESSAGE_BYTES = 256_000


def canonical(message: Message) -> tuple[str, str]:
    """The message as canonical JSON (defaults filled in, keys sorted) and its SHA-256: two deliveries are
    the same message when these are equal."""
    data = MESSAGE_ADAPTER.dump_python(message, mode="json")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text, hashlib.sha256(text.encode()).hexdigest()


class Receipted(Protocol):
    """What a receipt is made of: a stored message's row, or a new one's columns not yet written (a batch)."""

    @property
    def message_id(self) -> str | None: ...
    @property
    def raw_id(self) -> str | None: ...
    @property
    def stay_id(self) -> str | None: ...
    @property
    def receipt_status(self) -> str: ...
    @property
    def receipt_errors(self) -> str: ...
    @property
    def received_at(self) -> dt.datetime: ...


def receipt_view(row: Receipted, *, duplicate: bool = False) -> ReceiptView:
    return ReceiptView(
        message_id=row.message_id or row.raw_id or "(no id)", stay_id=row.stay_id, status=row.receipt_status,
        apprec_code=ReceiptStatus(row.receipt_status).apprec_code,
        errors=[ReceiptErrorView(**e) for e in json.loads(row.receipt_errors)],
        received_at=aware(row.received_at), duplicate=duplicate)


def receive_message(session: Session, principal: Principal, payload: dict[str, Any] | bytes, *,
                    now: dt.datetime, source: str | None = None) -> ReceiptView:
    """Receive one message as `principal` (a messaging system or staff of the sender's organisation)."""
    data = message_bytes(payload)
    check_storable(data)
    try:
        message = parse_message(data)
    except ValidationError as error:
        return _receive_invalid(session, principal, data, error, now=now, source=source)
    access.authorize_submission(session, principal, message.sender, message.patient, now=now,
                                message_id=message.id, source=source)
    text, digest = canonical(message)
    row = _claim(session, _row(principal, message, text, digest, now))
    if row is None:  # the sender's id is already stored (a redelivery, or a concurrent request stored it meanwhile)
        existing = _find(session, message.sender, message.id)
        if existing is None:
            raise Conflict(f"The message id {message.id} is being stored by another request; send it again.")
        return _redelivery(session, principal, existing, message, text, digest, now)
    receipts = refold(session, message.stay_id, message.patient, now=now, message_type=message.type)
    receipt = receipts.get(rc.message_key(message)) or rc.ok(message)
    row.receipt_status, row.receipt_errors = str(receipt.status), errors_json(receipt)
    row.pathway_status, row.pathway_errors = row.receipt_status, row.receipt_errors
    session.flush()
    return receipt_view(row)


def message_bytes(payload: dict[str, Any] | bytes) -> bytes:
    """The message as UTF-8 JSON. A parsed body may hold a lone surrogate (JSON's `\\ud800` escape, which Python's
    JSON reader accepts), which is no text UTF-8 can encode: refused (422), not a 500."""
    if isinstance(payload, bytes):
        return payload
    try:
        return json.dumps(payload, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise InvalidInput("A message must be text: it holds a lone UTF-16 surrogate (e.g. \\ud800).") from None


def check_storable(data: bytes) -> None:
    """Refuse (not keep) a message that no store can hold: larger than `MAX_MESSAGE_BYTES`, or with a NUL character
    (U+0000), which PostgreSQL cannot store in a text column (the id, stay or sender of a rejected message is kept
    in one): the same refusal on SQLite and PostgreSQL, as the HTTP edge's (`nul_guard`)."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise InvalidInput(f"A message is at most {MAX_MESSAGE_BYTES} bytes.")
    if json_has_nul(data):
        raise InvalidInput("A message may not contain a NUL character (U+0000).")


def _claim(session: Session, row: MessageRow) -> MessageRow | None:
    """Store a new message under its sender and id, or None when the sender's id is taken. A new message is the
    common case, so it is inserted first and the unique (sender, id) decides: `INSERT … ON CONFLICT (sender,
    message_id) DO NOTHING RETURNING` (one statement; on PostgreSQL it waits for a concurrent insert of the same
    sender's id and then does nothing), elsewhere an insert in a savepoint that catches the unique violation."""
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        values = {column.key: getattr(row, column.key) for column in MESSAGES.columns if column.key != "seq"}
        upsert = pg_insert(MessageRow) if dialect == "postgresql" else sqlite_insert(MessageRow)
        stmt = (upsert.values(values).on_conflict_do_nothing(index_elements=["sender", "message_id"])
                .returning(MessageRow))
        return session.scalars(stmt).first()
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def _find(session: Session, sender: str, message_id: str) -> MessageRow | None:
    """The stored message of this sender with this id (another sender's with the same id is another message)."""
    return session.scalars(select(MessageRow).where(MessageRow.sender == sender,
                                                    MessageRow.message_id == message_id)).first()


def _row(principal: Principal, message: Message, text: str, digest: str, now: dt.datetime) -> MessageRow:
    return MessageRow(**row_values(principal, message, text, digest, now))


def row_values(principal: Principal, message: Message, text: str, digest: str, now: dt.datetime) -> dict[str, Any]:
    """The columns of a valid message's row (its receipt still `ok`)."""
    return {"message_id": message.id, "raw_id": message.id, "type": message.type, "stay_id": message.stay_id,
            "patient": message.patient, "sender": message.sender, "recipient": message.recipient,
            "sent_at": aware(message.sent_at), "received_at": aware(now), "submitted_by": principal.username,
            "payload": text, "sha256": digest, "receipt_status": "ok", "receipt_errors": "[]",
            "pathway_status": "ok", "pathway_errors": "[]"}


def _redelivery(session: Session, principal: Principal, existing: MessageRow, message: Message, text: str,
                digest: str, now: dt.datetime) -> ReceiptView:
    if existing.sha256 == digest:
        return receipt_view(existing, duplicate=True)
    # The same sender used this id before for another message (its own id: the first message stands).
    return _keep_rejected(session, _row(principal, message, text, digest, now), rc.id_conflict(message))


def _keep_rejected(session: Session, row: MessageRow, receipt: Receipt) -> ReceiptView:
    """Keep a message that cannot claim its id (an id conflict): stored once, never folded."""
    row.message_id = None
    row.receipt_status = row.pathway_status = str(receipt.status)
    row.receipt_errors = row.pathway_errors = errors_json(receipt)
    return _keep_once(session, row)


def _keep_once(session: Session, row: MessageRow) -> ReceiptView:
    """Store a rejected message that claims no id, unless its sender sent it before: then the first receipt again,
    as a duplicate, and nothing stored (`rejected`: a sender retrying a rejected message does not grow the table)."""
    rejections.lock(session, (), [rejections.rejected_key(row)])
    first = rejections.first_kept(session, row)
    if first is not None:
        return receipt_view(first, duplicate=True)
    session.add(row)
    session.flush()
    return receipt_view(row)


def _text(raw: dict[str, Any], key: str, limit: int) -> str | None:
    value = raw.get(key)
    return value[:limit] if isinstance(value, str) and value else None


def _receive_invalid(session: Session, principal: Principal, data: bytes, error: ValidationError, *,
                     now: dt.datetime, source: str | None) -> ReceiptView:
    return _keep_once(session, rejected_message_row(session, principal, data, error, now=now))


def rejected_message_row(session: Session, principal: Principal, data: bytes, error: ValidationError, *,
                         now: dt.datetime) -> MessageRow:
    """The row that keeps a submitted message failing the message schema: stored as ``rejected`` with the schema
    errors as its receipt, never claiming its id (``message_id`` stays empty) and never folded into a stay.

    What the body still tells (id, type, stay, patient, sender, recipient) is kept where it is well-formed, cut to
    the columns' lengths; the exact bytes and their SHA-256 are kept as received. The principal must be allowed
    to submit for the sender the body claims (access control decides on that claim; the patient is not known for
    sure, so nothing is audited against a person). Raises ``InvalidInput`` when the body is not a JSON object and
    the access error when the principal may not submit. The row is not added to the session: the single
    receive adds it, the batch receive inserts its values with the rest of the batch."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The body is not valid JSON.") from None
    except RecursionError:  # nested deeper than Python's JSON reader can go (it was a traceback)
        raise InvalidInput("The body is JSON nested too deeply to be a message.") from None
    if not isinstance(raw, dict):
        raise InvalidInput("A message must be a JSON object.")
    sender = _text(raw, "sender", 64)
    # Who may submit is decided on the claimed sender; the person is not known for sure, so nothing is
    # audited against one.
    access.authorize(session, principal, Resource.MESSAGES_SUBMIT, Action.WRITE, now=now, organisation=sender)
    invalid = invalid_message(raw, error)
    patient = _text(raw, "patient", 11)
    kind = _text(raw, "type", 40)
    row = MessageRow(raw_id=_text(raw, "id", 128), type=kind if kind in MESSAGE_TYPES else None,
                     stay_id=_text(raw, "stay_id", 128),
                     patient=patient if patient and patient.isdigit() and len(patient) == 11 else None,
                     sender=sender, recipient=_text(raw, "recipient", 64), sent_at=None, received_at=aware(now),
                     submitted_by=principal.username, payload=data.decode("utf-8", "replace"),
                     sha256=hashlib.sha256(data).hexdigest(), receipt_status="rejected", receipt_errors="[]",
                     pathway_status="rejected", pathway_errors="[]")
    row.message_id = None
    row.receipt_status = row.pathway_status = str(invalid.receipt.status)
    row.receipt_errors = row.pathway_errors = errors_json(invalid.receipt)
    return row


# How far ahead a "can receive from" time may lie: a product bound against typing errors (year 9999), not a rule of
# the forskrift, which sets no limit; an answer that far out is better given as "cannot receive yet".
MAX_RECEIVE_AHEAD = dt.timedelta(days=90)


class ReceiveFromOutOfRange(InvalidInput):
    """A "can receive from" time before the readiness notice it answers, or beyond `MAX_RECEIVE_AHEAD`."""

    def __init__(self, detail: str, *, earliest: dt.datetime | None, latest: dt.datetime) -> None:
        super().__init__(detail, errors=[{"pointer": "/receive_from", "detail": detail}])
        self.earliest, self.latest = earliest, latest


def check_receive_from(receive_from: dt.datetime, ready_at: dt.datetime | None, now: dt.datetime) -> None:
    """A municipality's "can receive from" answers the readiness notice (forskrift § 11: the municipality says
    whether it can receive the patient once notified), so it cannot lie before that notice; no slack: an earlier
    time already means "at once" in the pathway (`MunicipalAnswer.can_receive_from`), so nothing is lost by
    asking for a time from the notice on."""
    latest = now + MAX_RECEIVE_AHEAD
    if ready_at is not None and receive_from < ready_at:
        raise ReceiveFromOutOfRange(
            f"receive_from {receive_from.isoformat()} is before the readiness notice it answers "
            f"({ready_at.isoformat()}).", earliest=ready_at, latest=latest)
    if receive_from > latest:
        raise ReceiveFromOutOfRange(
            f"receive_from {receive_from.isoformat()} is more than {MAX_RECEIVE_AHEAD.days} days ahead "
            f"(latest {latest.isoformat()}); answer 'cannot receive yet' instead.", earliest=ready_at, latest=latest)


def answer_readiness(session: Session, principal: Principal, stay_id: str, *, can_receive: bool,
                     receive_from: dt.datetime | None, now: dt.datetime) -> ReceiptView:
    """The municipality answers a readiness notice from its board: a `municipal_response` from the
    principal's organisation, received like any other message."""
    stay = session.get(StayRow, stay_id)
    if stay is None:  # the same refusal as a stay of a person without a care relation: stay ids are guessable
        raise Forbidden(NO_PERSON_ACCESS)
    if principal.organisation_address is None:
        raise Forbidden("Only staff of an organisation can answer for it.")
    access.authorize_person(session, principal, stay.patient, Action.WRITE, Resource.PERSON_PATHWAY, now=now)
    if receive_from is not None and receive_from.tzinfo is None:
        raise InvalidInput("receive_from needs a UTC offset.")
    if receive_from is not None:
        check_receive_from(receive_from, maybe_aware(stay.ready_at), now)
    payload = {
        "id": f"{principal.organisation_address}-mr-{uuid.uuid4().hex}", "type": "municipal_response",
        "sent_at": now.isoformat(), "stay_id": stay.stay_id, "patient": stay.patient,
        "sender": principal.organisation_address, "recipient": stay.hospital or stay.hospital_party or "",
        "can_receive": can_receive, "receive_from": receive_from.isoformat() if receive_from else None,
    }
    return receive_message(session, principal, payload, now=now)
