"""The engine: messages in, per-stay results out (state, obligations, payment, readmission, alerts, receipts).

The same fold serves the offline replay of a log and (later) the service, which stores raw messages and
recomputes a stay by folding them. `read_log` parses JSONL lines; a line that is not a JSON object is a bad
file (`InvalidInput` naming the line), a JSON object that is not a valid message becomes an
`InvalidMessage`, reported as a rejected receipt on its stay.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from pydantic import ValidationError

from helsefellesskap.errors import InvalidInput
from helsefellesskap.transitions import receipts as rc
from helsefellesskap.transitions.alerts import Alert, PriorityPatientTest, repeated_transition_alerts, stay_alerts
from helsefellesskap.transitions.messages import MESSAGE_LIST_ADAPTER, Message, event_time, parse_message
from helsefellesskap.transitions.obligations import Obligation, obligations
from helsefellesskap.transitions.pathway import StayProjection, StayState, fold_stay
from helsefellesskap.transitions.payment import StayPayment, stay_payment
from helsefellesskap.transitions.rates import DailyRates, load_daily_rates
from helsefellesskap.transitions.readmissions import ReadmissionLink, link_readmissions
from helsefellesskap.transitions.receipts import ErrorCode, MessageKey, Receipt, ReceiptError, message_key
from helsefellesskap.transitions.rules import DEFAULT_RULES, TransitionRules

UNKNOWN_STAY = "(unknown)"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Replay builds millions of small acyclic objects; the cyclic collector would rescan them over and over
    (about half the run time). Pause it for the replay of a large log."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class InvalidMessage:
    """A JSON object that failed the message schema: kept, and answered with a rejected receipt."""

    line: int | None
    message_id: str
    stay_id: str
    errors: tuple[ReceiptError, ...]
    sender: str | None = None  # as the object claims it (a string), whose id `message_id` is

    @property
    def receipt(self) -> Receipt:
        return rc.rejected(self.message_id, self.stay_id, *self.errors, sender=self.sender)


@dataclass(frozen=True, slots=True)
class StayResult:
    stay_id: str
    projection: StayProjection
    obligations: tuple[Obligation, ...]
    payment: StayPayment
    readmission: ReadmissionLink | None
    alerts: tuple[Alert, ...]
    receipts: tuple[Receipt, ...]

    @property
    def state(self) -> StayState:
        return self.projection.state


def invalid_message(raw: object, error: ValidationError, line: int | None = None) -> InvalidMessage:
    fields = raw if isinstance(raw, dict) else {}
    message_id = str(fields.get("id") or (f"line-{line}" if line is not None else "(no id)"))
    stay_id = str(fields.get("stay_id") or UNKNOWN_STAY)
    errors = tuple(
        ReceiptError(ErrorCode.invalid_message, item["msg"], ".".join(str(part) for part in item["loc"]) or None)
        for item in error.errors(include_url=False)
    )
    sender = fields.get("sender")
    return InvalidMessage(line, message_id, stay_id, errors, sender if isinstance(sender, str) else None)


def read_log(lines: Iterable[bytes | str], *, batch_size: int = 2000) -> Iterator[Message | InvalidMessage]:
    """Parse JSONL: one message per line; blank lines are skipped.

    Lines are validated in batches as one JSON array (pydantic-core parses an array about twice as fast as
    the same objects one by one). A batch is accepted only when every line is one `{...}` object and the
    array holds exactly one message per line; otherwise its lines are parsed one by one, which names the
    failing line."""
    batch: list[tuple[int, bytes]] = []
    for number, line in enumerate(lines, start=1):
        data = line.encode("utf-8") if isinstance(line, str) else line
        data = data.strip()
        if data:
            batch.append((number, data))
        if len(batch) >= batch_size:
            yield from _parse_batch(batch)
            batch = []
    yield from _parse_batch(batch)


def _parse_batch(batch: list[tuple[int, bytes]]) -> list[Message | InvalidMessage]:
    if not batch:
        return []
    if all(data[:1] == b"{" and data[-1:] == b"}" for _, data in batch):
        try:
            messages = MESSAGE_LIST_ADAPTER.validate_json(b"[" + b",".join(data for _, data in batch) + b"]")
        except ValidationError:
            pass
        else:
            if len(messages) == len(batch):
                return list(messages)
    return [_parse_line(number, data) for number, data in batch]


def _parse_line(number: int, data: bytes) -> Message | InvalidMessage:
    try:
        return parse_message(data)
    except ValidationError as error:
        try:
            raw = json.loads(data)
        except ValueError:
            raise InvalidInput(f"line {number}: not valid JSON") from None
        except RecursionError:  # pydantic-core stops at its own depth limit; json.loads overflowed the stack
            raise InvalidInput(f"line {number}: JSON nested too deeply to be a message") from None
        if not isinstance(raw, dict):
            raise InvalidInput(f"line {number}: a message must be a JSON object") from None
        return invalid_message(raw, error, number)


def deduplicate(messages: Iterable[Message]) -> tuple[list[Message], list[Receipt]]:
    """The same sender's id twice is applied once: identical content is a duplicate (acknowledged), different
    content a conflict (rejected). The first arrival wins. An id is its sender's own (docs/message-schema.json):
    another sender's message with the same id is another message."""
    seen: dict[MessageKey, Message] = {}
    unique: list[Message] = []
    extra: list[Receipt] = []
    for message in messages:
        key = message_key(message)
        first = seen.get(key)
        if first is None:
            seen[key] = message
            unique.append(message)
        elif first == message:
            extra.append(rc.duplicate(message))
        else:
            extra.append(rc.id_conflict(message))
    return unique, extra


def replay(
    messages: Iterable[Message | InvalidMessage],
    *,
    rules: TransitionRules = DEFAULT_RULES,
    rates: DailyRates | None = None,
    as_of: dt.datetime | None = None,
    is_priority_patient: PriorityPatientTest | None = None,
) -> list[StayResult]:
    """Fold every stay in the messages; results sorted by stay id. `as_of=None` reads the log as final."""
    rates = rates or load_daily_rates()
    valid: list[Message] = []
    extra: dict[str, list[Receipt]] = defaultdict(list)
    for message in messages:
        if isinstance(message, InvalidMessage):
            extra[message.stay_id].append(message.receipt)
        else:
            valid.append(message)
    unique, repeated = deduplicate(valid)
    for receipt in repeated:
        extra[receipt.stay_id or UNKNOWN_STAY].append(receipt)
    by_stay: dict[str, list[Message]] = defaultdict(list)
    for message in unique:
        by_stay[message.stay_id].append(message)
    stays = {stay_id: fold_stay(stay_id, stay_messages) for stay_id, stay_messages in by_stay.items()}
    for stay_id in extra:
        stays.setdefault(stay_id, StayProjection(stay_id, ""))
    links = link_readmissions(stays.values(), rules)
    repeated_alerts = repeated_transition_alerts(stays.values(), rules)
    results = []
    for stay_id in sorted(stays):
        result = evaluate_stay(stays[stay_id], rules=rules, rates=rates, as_of=as_of, readmission=links.get(stay_id),
                               is_priority_patient=is_priority_patient, extra_receipts=extra.get(stay_id, ()))
        if stay_id in repeated_alerts:
            result = replace(result, alerts=(repeated_alerts[stay_id], *result.alerts))
        results.append(result)
    return results


def evaluate_stay(
    stay: StayProjection,
    *,
    rules: TransitionRules = DEFAULT_RULES,
    rates: DailyRates | None = None,
    as_of: dt.datetime | None = None,
    readmission: ReadmissionLink | None = None,
    is_priority_patient: PriorityPatientTest | None = None,
    extra_receipts: Iterable[Receipt] = (),
) -> StayResult:
    """Obligations, payment and the stay's own alerts for one folded stay (what a service recomputes after
    storing a message). Cross-stay facts come in: its readmission link (`link_readmissions` over the patient's
    stays); KB-REPEATED-TRANSITIONS is added by `replay` from `repeated_transition_alerts`."""
    owed = obligations(stay, rules, as_of)
    alerts = stay_alerts(stay, owed, readmission, rules, is_priority_patient)
    payment = stay_payment(stay, rules, rates or load_daily_rates(), as_of)
    receipts = (*stay.receipts, *extra_receipts)
    return StayResult(stay.stay_id, stay, tuple(owed), payment, readmission, tuple(alerts), receipts)


def settled_at(result: StayResult) -> dt.datetime | None:
    """From when evaluating the stay again (`evaluate_stay` on the same fold, rules, rates and cross-stay facts)
    gives this same result at any later `as_of`; None while it still changes with the clock. `as_of` enters the
    evaluation only through an obligation's status (due until its deadline, missing after it, met or late once
    fulfilled: fixed when both its deadline and its fulfilment lie behind `as_of`) and the payable days of a
    readiness episode still open (counted up to `as_of`: never settled). A result evaluated at or after this time
    can stand for the stay's evaluation at any later time (a batch keeps it across days)."""
    if any(episode.ended_at is None for episode in result.projection.episodes):
        return None
    moments = [moment for o in result.obligations for moment in (o.due_at, o.met_at) if moment is not None]
    return max(moments, default=ALWAYS)


ALWAYS = dt.datetime.min.replace(tzinfo=dt.UTC)  # `settled_at` of a stay without deadlines or open episodes


def latest_time(messages: Iterable[Message | InvalidMessage]) -> dt.datetime | None:
    """The log's own 'now': the latest event or sending time in it."""
    latest: dt.datetime | None = None
    for message in messages:
        if isinstance(message, InvalidMessage):
            continue
        for moment in (message.sent_at, event_time(message)):
            if latest is None or moment > latest:
                latest = moment
    return latest
