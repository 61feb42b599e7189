"""The chronic conditions counted for the priority group "several chronic conditions".

The list is SKDE's Helseatlas for kroniske sykdommer (2022), with the codes it publishes and, where it publishes
none, the ICD-10 categories of the same name ([B]); see `data/chronic_conditions.csv` and `data/README.md`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from helsefellesskap.priority_groups.codes import CodeSet, CodeSystem
from helsefellesskap.priority_groups.evidence import Basis


@dataclass(frozen=True)
class ChronicCondition:
    id: str
    name: str
    name_no: str
    icd10: CodeSet
    icpc2: CodeSet
    codes_basis: Basis  # V: codes published by the source; B: codes chosen by us
    source: str
    note: str = ""


def parse_chronic_conditions(text: str) -> tuple[ChronicCondition, ...]:
    conditions: list[ChronicCondition] = []
    for row in csv.DictReader(io.StringIO(text)):
        conditions.append(
            ChronicCondition(
                id=row["id"],
                name=row["name"],
                name_no=row["name_no"],
                icd10=CodeSet.parse(row["icd10"]),
                icpc2=CodeSet.parse(row["icpc2"], CodeSystem.icpc2),
                codes_basis=Basis(row["codes_basis"]),
                source=row["source"],
                note=row["note"],
            )
        )
    if len({c.id for c in conditions}) != len(conditions) or any(not c.icd10.include for c in conditions):
        raise ValueError("chronic conditions: ids must be unique and every condition needs ICD-10 codes")
    return tuple(conditions)


@cache
def load_chronic_conditions() -> tuple[ChronicCondition, ...]:
    """The shipped list (package data), read once."""
    data = resources.files("helsefellesskap.priority_groups").joinpath("data/chronic_conditions.csv")
    return parse_chronic_conditions(data.read_text("utf-8"))
