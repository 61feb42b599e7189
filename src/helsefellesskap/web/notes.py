"""What the services say as codes (payment notes, alert details, receipt errors, message summaries: see
`transitions.notes`), rendered in the page's language: the code's English template through the catalogue, its
parameters formatted for the reader (dates and times in Oslo, service, obligation and status names from the
vocabulary). A note stored before codes existed has only its English text: it is shown marked `lang="en"`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from helsefellesskap.transitions.notes import TEMPLATES, render
from helsefellesskap.web.vocabulary import (
    Gettext,
    obligation_labels,
    obligation_status_labels,
    service_labels,
)


def criterion_labels(_: Gettext) -> dict[str, str]:
    """The four documented assessments of forskrift § 9 (the message's `criteria`)."""
    return {
        "admission_problems_clarified": _("the problems the patient was admitted for are clarified"),
        "other_problems_clarified": _("other significant problems are clarified"),
        "diagnosis_and_follow_up_plan": _("a diagnosis and a plan for follow-up are documented"),
        "functional_level_assessed": _("the patient's functional level is assessed"),
    }


def note_renderer(_: Gettext, day: Callable[[dt.date], str],
                  when: Callable[[dt.datetime], str]) -> Callable[..., Markup | str]:
    """`note(value, fallback="")` for the templates. `value`: a NoteView, a ReceiptErrorView (its `field`
    joins the parameters) or None; `fallback`: English text to show (marked as English) when there is no code."""
    labels: dict[str, Mapping[str, str]] = {
        "service": service_labels(_), "obligation": obligation_labels(_), "status": obligation_status_labels(_),
        "criterion": criterion_labels(_),
    }

    def value_of(name: str, value: str) -> str:
        if name in labels:
            return labels[name].get(value, value)
        try:
            if name == "date":
                return day(dt.date.fromisoformat(value))
            if name == "due":
                return when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
        return value

    def note(value: Any, fallback: str = "") -> Markup | str:
        code = getattr(value, "code", None)
        if code not in TEMPLATES:
            text = getattr(value, "text", None) or getattr(value, "detail", None) or fallback
            return Markup('<span lang="en">{}</span>').format(text) if text else ""
        params = dict(getattr(value, "params", None) or {})
        if getattr(value, "field", None):
            params.setdefault("field", value.field)
        shown = {name: value_of(name, str(v)) for name, v in params.items()}
        return escape(render(_(TEMPLATES[code]), shown))

    return note
