"""Generates the whole twin: plans the chunks, runs each with its own random stream, writes the tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from helsefellesskap.errors import InvalidInput
from helsefellesskap.synth import assemble
from helsefellesskap.synth.capacity import municipal_capacity
from helsefellesskap.synth.chunk import Chunk
from helsefellesskap.synth.conditions import draw_conditions
from helsefellesskap.synth.deaths import draw_death_times
from helsefellesskap.synth.geography import Place
from helsefellesskap.synth.gp import generate_contacts
from helsefellesskap.synth.population import NationalIds, draw_persons, gp_count, gp_hpr, gp_office
from helsefellesskap.synth.services import draw_baseline, generate_services
from helsefellesskap.synth.stays import generate_stays
from helsefellesskap.synth.writer import TwinWriter

CHUNK_PERSONS = 100_000


@dataclass(frozen=True)
class TwinSpec:
    scale: float
    years: int
    seed: int
    start_year: int = 2024
    jsonl: bool = False

    def validate(self) -> None:
        if not 0 < self.scale <= 1:
            raise InvalidInput(f"--scale must be in (0, 1], got {self.scale}")
        if not 1 <= self.years <= 20:
            raise InvalidInput(f"--years must be between 1 and 20, got {self.years}")
        if self.seed < 0:
            raise InvalidInput(f"--seed must be 0 or more, got {self.seed}")
        if not 1990 <= self.start_year <= 2035:
            raise InvalidInput(f"--start-year must be between 1990 and 2035, got {self.start_year}")


@dataclass(frozen=True)
class PlannedChunk:
    place: Place
    part: int
    persons: int
    municipality_persons: int


def plan(places: list[Place], scale: float) -> list[PlannedChunk]:
    """Chunks in the fixed national order; big municipalities split into parts of at most CHUNK_PERSONS."""
    chunks = []
    for place in places:
        total = round(place.population * scale)
        parts = max(1, -(-total // CHUNK_PERSONS))
        for part, size in enumerate(np.array_split(np.arange(total), parts)):
            chunks.append(PlannedChunk(place, part, int(size.size), total))
    return chunks


def _days(spec: TwinSpec) -> float:
    return float((date(spec.start_year + spec.years, 1, 1) - date(spec.start_year, 1, 1)).days)


def _build_chunk(spec: TwinSpec, planned: PlannedChunk, first_id: int, ids: NationalIds) -> Chunk:
    place = planned.place
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(place.index, planned.part)))
    start = date(spec.start_year, 1, 1)
    persons = draw_persons(rng, place, planned.persons, first_id, start, gp_count(planned.municipality_persons), ids)
    conditions = draw_conditions(rng, persons.age, persons.sex, start)
    home, nursing = draw_baseline(rng, persons.age, conditions.hfrs)
    death = draw_death_times(rng, persons.age, persons.sex, conditions.hfrs, _days(spec))
    capacity = municipal_capacity(spec.seed, place.index, place.regional_health_authority, place.population)
    return Chunk(rng, place, capacity, start, _days(spec), persons, conditions, death, home, nursing)


def _reference_tables(spec: TwinSpec, places: list[Place], chunks: list[PlannedChunk]) -> dict[str, pa.Table]:
    persons = {p.number: 0 for p in places}
    for c in chunks:
        persons[c.place.number] += c.persons
    municipalities = pa.table({
        "municipality": [p.number for p in places], "name": [p.name for p in places],
        "community": [p.community for p in places],
        "regional_health_authority": [p.regional_health_authority for p in places],
        "health_trust": [p.health_trust for p in places], "population": [p.population for p in places],
        "persons": [persons[p.number] for p in places],
        "capacity": [municipal_capacity(spec.seed, p.index, p.regional_health_authority, p.population) for p in places],
    })  # fmt: skip
    gps = [(p, np.arange(gp_count(persons[p.number]))) for p in places]
    return {
        "municipalities": municipalities,
        "gps": pa.table({"gp_hpr": np.concatenate([gp_hpr(p, g) for p, g in gps]),
                         "gp_office": np.concatenate([gp_office(p, g) for p, g in gps]),
                         "municipality": np.concatenate([np.full(g.size, p.number) for p, g in gps])}),
    }  # fmt: skip


def generate(spec: TwinSpec, places: list[Place], out: Path,
             progress: Callable[[int], None] | None = None) -> dict[str, int]:  # fmt: skip
    """Write the twin to `out`; returns the row count of each table. `progress` is told the persons done."""
    spec.validate()
    chunks = plan(places, spec.scale)
    if sum(c.persons for c in chunks) == 0:
        raise InvalidInput("the scale is too small: no person would be generated")
    ids = NationalIds()
    next_person = next_stay = next_service = 0
    with TwinWriter(out, jsonl=spec.jsonl) as writer:
        writer.write_run({"scale": spec.scale, "years": spec.years, "seed": spec.seed, "start_year": spec.start_year,
                          "communities": sorted({p.community for p in places}),
                          "persons": sum(c.persons for c in chunks),
                          # The simulated period, end exclusive (the indicators read it: docs/indicators.md).
                          "period": {"start": date(spec.start_year, 1, 1).isoformat(),
                                     "end": date(spec.start_year + spec.years, 1, 1).isoformat()}})  # fmt: skip
        for name, table in _reference_tables(spec, places, chunks).items():
            writer.write(name, table)
        for planned in chunks:
            chunk = _build_chunk(spec, planned, next_person, ids)
            stays = generate_stays(chunk)
            services = generate_services(chunk, stays)
            numbering = assemble.Numbering(next_stay, next_service)
            stay_table, messages, stay_id = assemble.stays_and_messages(chunk, stays, numbering)
            writer.write("persons", assemble.persons_table(chunk))
            writer.write("conditions", assemble.conditions_table(chunk))
            writer.write("stays", stay_table)
            writer.write("messages", messages)
            writer.write("services", assemble.services_table(chunk, services, stay_id, next_service))
            writer.write("gp_contacts", assemble.contacts_table(chunk, generate_contacts(chunk)))
            writer.write("deaths", assemble.deaths_table(chunk, stays, services, stay_id))
            next_person += planned.persons
            next_stay += len(stays)
            next_service += services.person.size
            if progress is not None:
                progress(planned.persons)
        return dict(writer.rows)
