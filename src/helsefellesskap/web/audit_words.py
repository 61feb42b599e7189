"""The audit log in words a patient and a privacy officer read: what was accessed (the policy's resource codes),
on what basis, and why — in the page's language. The access layer stores its codes and English reasons (the
API's and the hash chain's); this module names them. A reason of a form it does not know is shown as stored,
marked as English (``lang="en"``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Words:
    """A text to show and whether it is the stored English text (then marked ``lang="en"``)."""

    text: str
    english: bool = False


def resource_labels(_: Translate) -> dict[str, str]:
    """The policy's resources (`access.model.Resource`) by name."""
    return {
        "person.pathway": _("the care pathway"),
        "person.timeline": _("the timeline"),
        "person.alerts": _("alerts"),
        "person.care_relations": _("care relations"),
        "messages.submit": _("a care-transition message"),
        "board.hospital": _("the hospital's discharge board"),
        "board.municipality": _("the municipality's board"),
        "board.alerts": _("the alert inbox"),
        "board.gp": _("the GP's list of patients"),
        "ledger": _("the payment ledger"),
        "daily_rates": _("the daily rates"),
        "indicators": _("statistics"),
        "audit.person": _("the log of who has looked at the data"),
        "audit.compliance": _("the audit log"),
        "users.admin": _("user administration"),
        "organisations.write": _("the organisation register"),
        "emergency.access": _("emergency access"),
        "emergency.review": _("review of emergency access"),
    }


def basis_labels(_: Translate) -> dict[str, str]:
    """Why an access was allowed (`access.model.BasisKind`)."""
    return {"care_relation": _("Care relation"), "emergency": _("Emergency access"), "own_data": _("Own data"),
            "role": _("Work of the organisation"), "aggregate": _("Statistics")}


def _relation_kinds(_: Translate) -> dict[str, str]:
    return {"hospital_stay": _("hospital stay"), "municipal_service": _("municipal service"), "gp": _("GP")}


def reason_words(reason: str | None, _: Translate, organisation: Callable[[str], str] | None = None) -> Words:
    """The stored reason of an audit entry in the page's language (the forms the access layer and the services
    write: `access.policy`, `access.service`, `access.emergency`, `access.compliance`, the boards and inbox)."""
    if not reason:
        return Words("")
    fixed = {
        "listed on the hospital board": _("Shown on the hospital's discharge board"),
        "listed on the municipality board": _("Shown on the municipality's board"),
        "listed in the alert inbox": _("Shown in the alerts inbox"),
        "listed among open obligations": _("Shown among the open deadlines"),
        "the patient's own data": _("The patient's own data"),
        "emergency access requested": _("Emergency access requested"),
        "refused": _("Refused"),
        "You have no access to this resource.": _("Refused: no access to this"),
        "You have no care relation or emergency access that covers this person's data.":
            _("Refused: no care relation or emergency access for this person"),
        "You may only act for your own organisation.": _("Refused: not the user's own organisation"),
    }
    if reason in fixed:
        return Words(fixed[reason])
    if match := re.fullmatch(r"message submitted as (\S+)", reason):
        sender = organisation(match[1]) if organisation else match[1]
        return Words(_("Message sent by {sender}").format(sender=sender or match[1]))
    if match := re.fullmatch(r"care relation: (\w+) \((.*)\)", reason):
        kind = _relation_kinds(_).get(match[1], match[1])
        return Words(_("Care relation: {kind} ({reference})").format(kind=kind, reference=match[2]))
    if match := re.fullmatch(r"(?:break the glass|emergency): (.*)", reason, flags=re.DOTALL):
        return Words(_("Emergency access: {reason}").format(reason=match[1]))  # the user's own words
    if match := re.fullmatch(r"compliance query \((.*)\)", reason):
        criteria = _("everything") if match[1] == "all" else match[1]
        return Words(_("Search in the audit log: {criteria}").format(criteria=criteria))
    return Words(reason, english=True)


def audit_vocabulary(_: Translate, organisation: Callable[[str], str] | None = None) -> dict[str, Any]:
    """What the audit templates need: ``resources``, ``bases`` and ``reason(text)``."""
    return {"resources": resource_labels(_), "bases": basis_labels(_),
            "reason": lambda text: reason_words(text, _, organisation)}
