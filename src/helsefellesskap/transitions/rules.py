"""The configurable parts of the transition rules: local deadlines and alert thresholds.

National rules (forskrift 2011-11-18-1115) are defaults here only where the product needs a number; the
municipal answer deadline is set locally in each cooperation agreement (helse- og omsorgstjenesteloven
§ 6-2 nr. 5), so it can be overridden per municipality (a community's setting is expanded to its members
by the service).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from helsefellesskap.errors import InvalidInput

_NO_OVERRIDES: Mapping[str, dt.timedelta] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TransitionRules:
    # forskrift § 8: admission notice within 24 hours of admission [B on exact wording].
    admission_notice_deadline: dt.timedelta = dt.timedelta(hours=24)
    # forskrift § 8 read with § 13: a late admission notice means the § 8 condition is not met, so no
    # payment [B: verify against the ministry's interpretation].
    late_admission_notice_blocks_payment: bool = True
    # Local default, not national law: the municipality answers within 24 hours of the readiness notice.
    # Cooperation agreements set their own (§ 6-2 nr. 5); override per municipality below.
    municipal_answer_deadline: dt.timedelta = dt.timedelta(hours=24)
    municipal_answer_deadline_by_municipality: Mapping[str, dt.timedelta] = field(default_factory=lambda: _NO_OVERRIDES)
    # Epikrise to the GP: 7 days after discharge, the older national quality-indicator target [B].
    discharge_summary_deadline: dt.timedelta = dt.timedelta(days=7)
    # Readmission link: a new admission within 30 days of a discharge (NKI 30-day readmission, fact sheet § 6.1).
    readmission_window: dt.timedelta = dt.timedelta(days=30)
    # NKI counts an acute readmission only from 8 hours after discharge (fact sheet § 6.1).
    readmission_indicator_min_gap: dt.timedelta = dt.timedelta(hours=8)
    # Kasteball alert KB-REPEATED-TRANSITIONS: this many admissions/discharges of one patient in the window.
    repeated_transitions_threshold: int = 4
    repeated_transitions_window: dt.timedelta = dt.timedelta(days=30)
    # Kasteball alert KB-READINESS-REPEATED: readiness given again this many times after a withdrawal.
    readiness_repeats_threshold: int = 1

    def __post_init__(self) -> None:
        if self.repeated_transitions_threshold < 2:
            raise InvalidInput("repeated_transitions_threshold must be at least 2")
        if self.readiness_repeats_threshold < 1:
            raise InvalidInput("readiness_repeats_threshold must be at least 1")
        if self.readmission_window <= dt.timedelta(0) or self.repeated_transitions_window <= dt.timedelta(0):
            raise InvalidInput("windows must be positive")

    def municipal_answer_deadline_for(self, municipality: str | None) -> dt.timedelta:
        if municipality is not None and municipality in self.municipal_answer_deadline_by_municipality:
            return self.municipal_answer_deadline_by_municipality[municipality]
        return self.municipal_answer_deadline


DEFAULT_RULES = TransitionRules()


def with_answer_deadlines(
    rules: TransitionRules,
    deadlines: Mapping[str, dt.timedelta],
    community_members: Mapping[str, list[str]] | None = None,
) -> TransitionRules:
    """The rules with municipal answer deadlines set by key: `default`, a community id (applied to each member
    municipality, from the registry), or a 4-digit municipality number. A municipality's own setting wins over
    its community's, and both over the default."""
    members = community_members or {}
    default = rules.municipal_answer_deadline
    by_municipality = dict(rules.municipal_answer_deadline_by_municipality)
    for key, deadline in deadlines.items():
        if deadline <= dt.timedelta(0):
            raise InvalidInput(f"the answer deadline for {key} must be positive")
        if key == "default":
            default = deadline
        elif key in members:
            for number in members[key]:
                if number not in deadlines:
                    by_municipality[number] = deadline
        elif len(key) == 4 and key.isdigit():
            by_municipality[key] = deadline
        else:
            raise InvalidInput(f"unknown community or municipality: {key}")
    return replace(rules, municipal_answer_deadline=default,
                   municipal_answer_deadline_by_municipality=MappingProxyType(by_municipality))
