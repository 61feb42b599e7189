"""One unit of generation: some persons of one municipality, with their own random stream."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np

from helsefellesskap.synth.conditions import Conditions
from helsefellesskap.synth.geography import Place
from helsefellesskap.synth.population import Persons

SOMATIC, MENTAL_HEALTH, SUBSTANCE_ABUSE = 0, 1, 2
SERVICE_NAMES = ("somatic", "mental_health", "substance_abuse")
DESTINATIONS = (
    "home", "home_with_services", "short_term_stay", "nursing_home", "municipal_acute_bed", "other_hospital",
    "died", "other",
)  # fmt: skip
HOME, HOME_WITH_SERVICES, SHORT_TERM_STAY, NURSING_HOME, MUNICIPAL_ACUTE_BED, OTHER_HOSPITAL, DIED, OTHER = range(8)


@dataclass
class Chunk:
    rng: np.random.Generator
    place: Place
    capacity: float
    start: date
    days: float  # length of the simulated period
    persons: Persons
    conditions: Conditions
    death: np.ndarray  # days from the start; inf = alive at the end
    baseline_home_care: np.ndarray  # bool
    baseline_nursing_home: np.ndarray  # bool


def _empty(dtype: str) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass
class Stays:
    """Stays of a chunk as columns; times are float days from the start of the period."""

    person: np.ndarray = field(default_factory=lambda: _empty("int64"))  # index into the chunk's persons
    service: np.ndarray = field(default_factory=lambda: _empty("int8"))
    group: np.ndarray = field(default_factory=lambda: _empty("int16"))  # somatic group index, -1 otherwise
    code: np.ndarray = field(default_factory=lambda: _empty("U8"))
    acute: np.ndarray = field(default_factory=lambda: _empty("bool"))
    admitted: np.ndarray = field(default_factory=lambda: _empty("float64"))
    treatment: np.ndarray = field(default_factory=lambda: _empty("float64"))  # days admission → ready
    expected: np.ndarray = field(default_factory=lambda: _empty("float64"))  # expected treatment days
    parent: np.ndarray = field(default_factory=lambda: _empty("int64"))  # readmission of (index), -1
    needs: np.ndarray = field(default_factory=lambda: _empty("bool"))
    ready: np.ndarray = field(default_factory=lambda: _empty("float64"))  # nan when not notified
    withdrawn: np.ndarray = field(default_factory=lambda: _empty("float64"))
    ready_again: np.ndarray = field(default_factory=lambda: _empty("float64"))
    discharged: np.ndarray = field(default_factory=lambda: _empty("float64"))
    destination: np.ndarray = field(default_factory=lambda: _empty("int8"))
    delayed_days: np.ndarray = field(default_factory=lambda: _empty("int32"))
    notice_delay: np.ndarray = field(default_factory=lambda: _empty("float64"))  # hours; nan = no notice
    refused: np.ndarray = field(default_factory=lambda: _empty("bool"))  # municipality cannot receive at first
    refused_again: np.ndarray = field(default_factory=lambda: _empty("bool"))  # … after a renewed readiness
    answered: np.ndarray = field(default_factory=lambda: _empty("bool"))  # municipality answered the notice

    def __len__(self) -> int:
        return len(self.person)

    def take(self, index: np.ndarray) -> Stays:
        return Stays(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def extend(self, other: Stays) -> Stays:
        """Append `other` (whose `parent` indexes already point into this one)."""
        return Stays(**{f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self)})
