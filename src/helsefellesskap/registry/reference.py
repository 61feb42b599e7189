"""The shipped register (``registry/data/``), read and validated: ``load_reference()`` is the one entry point.

No database: other capabilities and the synthetic twin can use it as plain reference data. Every fault in the files
is a ``RegisterDataError`` naming the file and the fault, so a maintainer who refreshed a file sees what to fix."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from helsefellesskap.errors import NotFound
from helsefellesskap.registry.model import (
    Community,
    District,
    Forum,
    ForumLevel,
    HealthTrust,
    Hospital,
    Membership,
    Municipality,
    NationalFigures,
    RegionalHealthAuthority,
    RegisterDataError,
    municipality_address,
)
from helsefellesskap.registry.validation import validate_reference

DATA_DIR = Path(__file__).parent / "data"
DATA_FILES = ("municipalities.csv", "memberships.csv", "oslo_districts.csv", "health_trusts.json",
              "communities.json", "forums.json", "national.json")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Reference:
    """The register as read from the data files, validated, with the lookups other capabilities need."""

    national: NationalFigures
    regional_health_authorities: dict[str, RegionalHealthAuthority]
    health_trusts: dict[str, HealthTrust]
    communities: dict[str, Community]
    municipalities: dict[str, Municipality]
    memberships: list[Membership]
    districts: dict[str, District]
    forum_levels: dict[str, ForumLevel]
    forums: dict[str, Forum]
    hospitals: dict[str, Hospital] = field(default_factory=dict)
    hospital_trust: dict[str, str] = field(default_factory=dict)

    def membership(self, number: str, on: dt.date | None = None) -> Membership:
        """The membership of a municipality on a day (default: the current, open-ended one)."""
        for item in self.memberships:
            if item.municipality_number == number and (item.valid_to is None if on is None else item.valid_on(on)):
                return item
        raise NotFound(f"Municipality {number} is not in the register" + (f" on {on}." if on else "."))

    def community_of_municipality(self, number: str, on: dt.date | None = None) -> str:
        return self.membership(number, on).community_id

    def districts_of(self, number: str) -> list[District]:
        return [d for d in self.districts.values() if d.municipality_number == number]

    def health_trust_for(self, municipality_number: str, district: str | None = None, on: dt.date | None = None) -> str:
        """The trust that serves residents of a municipality (or one of its city districts).

        Where a municipality is served per district (Oslo) and no district is given, the trust of its 'unknown
        district' (xxxx99, SKDE's *uoppgitt bydel*: OUS for Oslo) is the answer, as in SKDE's catchment table."""
        membership = self.membership(municipality_number, on)
        if district is not None:
            found = self.districts.get(district)
            if found is None or found.municipality_number != municipality_number:
                raise NotFound(f"District {district} is not a district of municipality {municipality_number}.")
            return found.health_trust_id
        if membership.health_trust_id is not None:
            return membership.health_trust_id
        unknown = self.districts.get(f"{municipality_number}99")
        if unknown is None:
            raise NotFound(f"Municipality {municipality_number} is served per district; name the district.")
        return unknown.health_trust_id

    def municipality_address(self, number: str) -> str:
        if number not in self.municipalities:
            raise NotFound(f"Municipality {number} is not in the register.")
        return municipality_address(number)

    def health_trust_address(self, trust_id: str) -> str:
        trust = self.health_trusts.get(trust_id)
        if trust is None:
            raise NotFound(f"Health trust {trust_id!r} is not in the register.")
        return trust.address

    def hospital_address(self, hospital_id: str) -> str:
        hospital = self.hospitals.get(hospital_id)
        if hospital is None:
            raise NotFound(f"Hospital {hospital_id!r} is not in the register.")
        return hospital.address


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {key: (value if value != "" else None) for key, value in row.items()}


def _read_csv(path: Path, model: type[M]) -> list[M]:
    items = []
    for line, row in _csv_rows(path):
        try:
            items.append(model.model_validate(row))
        except ValidationError as exc:
            raise RegisterDataError(f"{path.name} line {line}: {_first_error(exc)}") from None
    return items


def _read_json(path: Path, key: str | None, model: type[M]) -> list[M]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    data = raw[key] if key else raw
    try:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise RegisterDataError(f"{path.name} ({key}): {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"])
    return f"{where}: {err['msg']}"


def read_reference(data_dir: Path) -> Reference:
    """Read and validate the data files in ``data_dir``; raises ``RegisterDataError`` on the first fault."""
    missing = [name for name in DATA_FILES if not (data_dir / name).is_file()]
    if missing:
        raise RegisterDataError(f"Register data file missing in {data_dir}: {', '.join(missing)}.")
    try:
        national = NationalFigures.model_validate_json((data_dir / "national.json").read_text(encoding="utf-8"))
        trusts_file = data_dir / "health_trusts.json"
        rhas = _read_json(trusts_file, "regional_health_authorities", RegionalHealthAuthority)
        trusts = _read_json(trusts_file, "health_trusts", HealthTrust)
        communities = _read_json(data_dir / "communities.json", "communities", Community)
        levels = _read_json(data_dir / "forums.json", "levels", ForumLevel)
        forums = _read_json(data_dir / "forums.json", "forums", Forum)
        municipalities = _read_csv(data_dir / "municipalities.csv", Municipality)
        memberships = _read_csv(data_dir / "memberships.csv", Membership)
        districts = _read_csv(data_dir / "oslo_districts.csv", District)
    except ValidationError as exc:
        raise RegisterDataError(f"national.json: {_first_error(exc)}") from None
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError, csv.Error) as exc:  # TypeError: a list
        raise RegisterDataError(f"Register data in {data_dir} is malformed: {exc}") from None
    except RecursionError:  # JSON nested deeper than Python's parser recurses: was a traceback
        raise RegisterDataError(f"Register data in {data_dir} is malformed: JSON nested too deeply.") from None
    validate_reference(national, rhas, trusts, communities, municipalities, memberships, districts, levels, forums)
    open_memberships = [m for m in memberships if m.valid_to is None]
    return Reference(
        national=national,
        regional_health_authorities={r.id: r for r in rhas},
        health_trusts={t.id: t for t in trusts},
        communities={
            c.id: c.model_copy(update={"municipality_numbers": sorted(
                m.municipality_number for m in open_memberships if m.community_id == c.id)})
            for c in communities
        },
        municipalities={m.number: m for m in municipalities},
        memberships=memberships,
        districts={d.number: d for d in districts},
        forum_levels={level.id: level for level in levels},
        forums={f.id: f for f in forums},
        hospitals={h.id: h for t in trusts for h in t.hospitals},
        hospital_trust={h.id: t.id for t in trusts for h in t.hospitals},
    )


@lru_cache(maxsize=8)
def load_reference(data_dir: Path | None = None) -> Reference:
    """The validated register (cached); ``data_dir`` defaults to the data shipped in the package."""
    return read_reference(data_dir or DATA_DIR)
