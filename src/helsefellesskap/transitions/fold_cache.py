"""What a refold keeps across units of work (a batch of each day, as the demo feeds a year): the stored messages
parsed, each stay's last fold by the messages it was folded from, priority groups by what they are classified
from, the settled evaluations and what each stay's last projection was made of.

A refold folds and evaluates all of the patient's stays, so later in a year each message of a patient with a
history would fold, evaluate and project its earlier stays again. Folds are kept by the stay's stored messages
(their SHA-256, in order: a fold is a pure function of them), an evaluation that no longer changes with the clock
(`replay.settled_at`) by its inputs (`settled.py`) and a stay's last projection by its result; what the refold then
compares with the stored fingerprint, and writes when it differs, is the same. Each cache is emptied when full.
The batch (`batch.py`, `working_set.py`) reads and fills them; nothing here reads or writes the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from helsefellesskap.transitions.messages import Message, parse_message
from helsefellesskap.transitions.pathway import StayProjection, fold_stay
from helsefellesskap.transitions.projection import latest_expected_discharge, priority_groups
from helsefellesskap.transitions.replay import StayResult
from helsefellesskap.transitions.settled import SettledResults

_PARSED: dict[str, Message] = {}  # stored messages by the SHA-256 of their canonical JSON, across batches


def parsed_message(digest: str, payload: str) -> Message:
    """A stored message, parsed once: a patient's messages are read again by every batch that refolds them."""
    message = _PARSED.get(digest)
    if message is None:
        if len(_PARSED) >= 200_000:  # (a message is about 300 bytes parsed)
            _PARSED.clear()
        message = _PARSED[digest] = parse_message(payload)
    return message


GroupFacts = tuple[str, dt.datetime | None, tuple[str, ...], tuple[str, ...] | None]
_GROUPS: dict[GroupFacts, list[str]] = {}  # classified facts, across batches (a stay is folded again in each)


@dataclass
class Fold:
    count: int  # of the stay's messages when folded
    stay: StayProjection
    groups: list[str]
    facts: GroupFacts
    expected_discharge: dt.date | None


# Each stay's last fold across batches, with what it was folded from (the SHA-256 of the stay's stored messages, in
# the order stored): a refold folds all of the patient's stays, so an earlier stay would be folded again in every
# batch that brings a message of its patient. A fold is a pure function of the messages.
_FOLDS: dict[str, tuple[tuple[str, ...], Fold]] = {}
# Settled evaluations across batches (`settled.py`): an earlier stay is not evaluated again every such day.
SETTLED = SettledResults()
# What each stay's last projection across batches was made of (result, priority groups, expected discharge, the
# hospital's party) and its fingerprint: the same result (a settled one) on the same inputs projects the same.
_PROJECTED: dict[str, tuple[StayResult, list[str], dt.date | None, str | None, str]] = {}


def _group_facts(stay: StayProjection) -> GroupFacts:
    """What `projection.priority_groups` reads of a stay: the patient, the admission's time and codes, the
    discharge's codes."""
    admission, discharge = stay.admission, stay.discharge
    return (
        stay.patient,
        admission.admitted_at if admission else None,
        tuple(admission.diagnoses) if admission else (),
        tuple(discharge.diagnoses) if discharge else None,
    )


def _priority_groups(stay: StayProjection, facts: GroupFacts) -> list[str]:
    groups = _GROUPS.get(facts)
    if groups is None:
        if len(_GROUPS) >= 200_000:
            _GROUPS.clear()
        groups = _GROUPS[facts] = priority_groups(stay)
    return groups


def fold(stay_id: str, digests: tuple[str, ...], messages: list[Message], previous: Fold | None) -> Fold:
    """The stay folded from its stored messages (`digests`: their SHA-256, in the order stored): its last fold
    when that was folded from the same messages; else folded now (the priority groups of `previous`, the batch's
    last fold of the stay, when it was classified from the same facts)."""
    last = _FOLDS.get(stay_id)
    if last is not None and last[0] == digests:
        return last[1]
    stay = fold_stay(stay_id, messages)
    facts = _group_facts(stay)
    groups = previous.groups if previous is not None and previous.facts == facts else _priority_groups(stay, facts)
    found = Fold(len(messages), stay, groups, facts, latest_expected_discharge(messages))
    if len(_FOLDS) >= 100_000:
        _FOLDS.clear()
    _FOLDS[stay_id] = (digests, found)
    return found


def projection_unchanged(
    stay_id: str, result: StayResult, fold: Fold, parties: dict[str, str], stored_fingerprint: str | None
) -> bool:
    """The stay's projection is known to be the stored one without projecting it again: its last projection
    was of the same result object, priority groups, expected discharge and hospital's party, and had the
    fingerprint stored."""
    last = _PROJECTED.get(stay_id)
    hospital = result.projection.hospital
    return (
        last is not None
        and last[0] is result
        and last[1] == fold.groups
        and last[2] == fold.expected_discharge
        and (hospital is None or hospital in parties)
        and last[3] == (parties[hospital] if hospital is not None else None)
        and stored_fingerprint == last[4]
    )


def keep_projection(stay_id: str, result: StayResult, fold: Fold, hospital_party: str | None, fingerprint: str) -> None:
    """What the stay's projection was made of, and its fingerprint (for `projection_unchanged`)."""
    if len(_PROJECTED) >= 100_000:
        _PROJECTED.clear()
    _PROJECTED[stay_id] = (result, fold.groups, fold.expected_discharge, hospital_party, fingerprint)
