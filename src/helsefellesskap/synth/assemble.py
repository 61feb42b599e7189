"""Turns one generated chunk (arrays of the generator) into the twin's Arrow tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from helsefellesskap.synth import diagnoses as dx
from helsefellesskap.synth.chunk import DESTINATIONS, DIED, SERVICE_NAMES, Chunk, Stays
from helsefellesskap.synth.conditions import CODES
from helsefellesskap.synth.gp import KINDS as CONTACT_KINDS
from helsefellesskap.synth.gp import Contacts
from helsefellesskap.synth.messages import StayParties, build_messages
from helsefellesskap.synth.population import SEX_NAMES, gp_hpr, gp_office
from helsefellesskap.synth.services import KINDS as SERVICE_KINDS
from helsefellesskap.synth.services import LONG_TERM, ORIGINS, Services
from helsefellesskap.synth.tables import dates, padded, timestamps

SECONDARY_DIAGNOSES = 3  # at most, from the person's conditions


@dataclass
class Numbering:
    """Where this chunk's stay and service numbers start (counters over the run, in chunk order)."""

    first_stay: int
    first_service: int


def _ids(prefix: str, first: int, n: int) -> np.ndarray:
    return np.char.add(prefix, padded(np.arange(first, first + n), 9))


def _optional(ids: np.ndarray, index: np.ndarray) -> pa.Array:
    """`ids[index]`, null where the index is -1."""
    values = np.full(index.size, None, dtype=object)
    values[index >= 0] = ids[index[index >= 0]]
    return pa.array(values, pa.string())


def persons_table(chunk: Chunk) -> pa.Table:
    p, place = chunk.persons, chunk.place
    return pa.table({
        "person_id": p.person_id, "national_id": p.national_id, "birth_date": pa.array(p.birth_date, pa.date32()),
        "sex": np.array(SEX_NAMES)[p.sex], "municipality": np.full(len(p), place.number),
        "district": pa.array(p.district, pa.string()), "community": np.full(len(p), place.community),
        "gp_hpr": gp_hpr(place, p.gp_index), "gp_office": gp_office(place, p.gp_index), "hfrs": chunk.conditions.hfrs,
    })  # fmt: skip


def conditions_table(chunk: Chunk) -> pa.Table:
    person, column = np.nonzero(chunk.conditions.present)
    start = np.datetime64(chunk.start, "D")
    onset = chunk.conditions.onset[person, column]
    return pa.table({"person_id": chunk.persons.person_id[person], "code": np.array(CODES)[column],
                     "onset_date": pa.array(np.minimum(onset, start), pa.date32())})  # fmt: skip


def diagnosis_lists(chunk: Chunk, stays: Stays) -> pa.ListArray:
    """Primary first, then up to three of the person's conditions."""
    present = chunk.conditions.present[stays.person]
    keys = np.where(present, chunk.rng.random(present.shape), 2.0)
    rank = keys.argsort(axis=1).argsort(axis=1)
    chosen = present & (rank < SECONDARY_DIAGNOSES)
    chosen &= np.array(CODES)[None, :] != stays.code[:, None]
    row, column = np.nonzero(chosen)  # row-major: the secondaries of a stay are consecutive
    secondaries = np.bincount(row, minlength=len(stays))
    offsets = np.r_[0, np.cumsum(secondaries + 1)]
    values = np.empty(offsets[-1], dtype=object)
    values[offsets[:-1]] = stays.code
    rank = np.arange(row.size) - np.r_[0, np.cumsum(secondaries)][:-1][row]
    values[offsets[row] + 1 + rank] = np.array(CODES)[column]
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, pa.string()))


def _hospitals(chunk: Chunk, stays: Stays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(trust, hospital id, hospital address) of each stay: the trust of the person's municipality or district."""
    place, rng = chunk.place, chunk.rng
    trusts = np.full(len(stays), place.health_trust, dtype=object)
    hospital = np.empty(len(stays), dtype=object)
    address = np.empty(len(stays), dtype=object)
    pick = rng.random(len(stays))
    district = chunk.persons.district[stays.person]
    key = np.array([d or "" for d in district], dtype=str)
    choices = {"": (place.health_trust, place.hospitals, place.hospital_addresses)}
    choices.update({d.number: (d.health_trust, d.hospitals or place.hospitals,
                               d.hospital_addresses or place.hospital_addresses) for d in place.districts})  # fmt: skip
    for number, (trust, hospitals, addresses) in choices.items():
        mine = key == number
        which = np.minimum((pick[mine] * len(hospitals)).astype(int), len(hospitals) - 1)
        trusts[mine] = trust
        hospital[mine] = np.array(hospitals, dtype=object)[which]
        address[mine] = np.array(addresses, dtype=object)[which]
    return trusts, hospital, address


def stays_and_messages(chunk: Chunk, stays: Stays, numbering: Numbering) -> tuple[pa.Table, pa.Table, np.ndarray]:
    start = np.datetime64(chunk.start, "s")
    n = len(stays)
    stay_id = _ids("S", numbering.first_stay, n)
    person_id = chunk.persons.person_id[stays.person]
    trust, hospital, address = _hospitals(chunk, stays)
    codes = diagnosis_lists(chunk, stays)
    group_names = np.array([g.name for g in dx.SOMATIC_GROUPS] + [""])
    group = np.where(stays.group >= 0, group_names[stays.group], np.array(SERVICE_NAMES)[stays.service])
    table = pa.table({
        "stay_id": stay_id, "person_id": person_id, "municipality": np.full(n, chunk.place.number),
        "health_trust": trust.astype(str), "hospital": hospital.astype(str),
        "service": np.array(SERVICE_NAMES)[stays.service], "acute": stays.acute,
        "admitted_at": timestamps(stays.admitted, start), "ready_at": timestamps(stays.ready, start),
        "withdrawn_at": timestamps(stays.withdrawn, start), "ready_again_at": timestamps(stays.ready_again, start),
        "discharged_at": timestamps(stays.discharged, start), "destination": np.array(DESTINATIONS)[stays.destination],
        "primary_diagnosis": stays.code, "diagnoses": codes, "diagnosis_group": group,
        "municipal_needs": stays.needs, "delayed_discharge_days": stays.delayed_days,
        "early_discharge": stays.treatment < 0.5 * stays.expected, "hfrs": chunk.conditions.hfrs[stays.person],
        "readmission_of": _optional(stay_id, stays.parent),
    })  # fmt: skip
    place, p = chunk.place, chunk.persons
    parties = StayParties(
        stay_id=stay_id, patient=p.national_id[stays.person], hospital=address.astype(str),
        municipality_address=np.full(n, place.address), municipality=np.full(n, place.number),
        gp_hpr=gp_hpr(place, p.gp_index[stays.person]), gp_office=gp_office(place, p.gp_index[stays.person]),
        diagnoses=codes, transfer_to=place.transfer_address,
    )  # fmt: skip
    return table, build_messages(chunk.rng, stays, parties, start), stay_id


def services_table(chunk: Chunk, services: Services, stay_id: np.ndarray, first: int) -> pa.Table:
    start = np.datetime64(chunk.start, "s")
    n = services.person.size
    stay = _optional(stay_id, services.stay)
    return pa.table({
        "service_id": _ids("T", first, n), "person_id": chunk.persons.person_id[services.person],
        "municipality": np.full(n, chunk.place.number), "kind": np.array(SERVICE_KINDS)[services.kind],
        "start": dates(services.start, start), "end": dates(services.end, start),
        "origin": np.array(ORIGINS)[services.origin], "stay_id": stay,
    })  # fmt: skip


def contacts_table(chunk: Chunk, contacts: Contacts) -> pa.Table:
    start = np.datetime64(chunk.start, "s")
    return pa.table({
        "person_id": chunk.persons.person_id[contacts.person],
        "gp_hpr": gp_hpr(chunk.place, chunk.persons.gp_index[contacts.person]),
        "contact_date": dates(contacts.day, start), "kind": np.array(CONTACT_KINDS)[contacts.kind],
        "icpc2": contacts.icpc2,
    })  # fmt: skip


def deaths_table(chunk: Chunk, stays: Stays, services: Services, stay_id: np.ndarray) -> pa.Table:
    start = np.datetime64(chunk.start, "s")
    who = np.flatnonzero(np.isfinite(chunk.death))
    died_in = np.full(len(chunk.persons), -1, np.int64)
    in_hospital = np.flatnonzero(stays.destination == DIED)
    died_in[stays.person[in_hospital]] = in_hospital
    nursing = np.zeros(len(chunk.persons), bool)
    long_term = (services.kind == LONG_TERM) & (services.start <= chunk.death[services.person])
    nursing[services.person[long_term]] = True
    place = np.where(died_in[who] >= 0, "hospital", np.where(nursing[who], "nursing_home", "home"))
    return pa.table({"person_id": chunk.persons.person_id[who], "died_on": dates(chunk.death[who], start),
                     "place": place, "stay_id": _optional(stay_id, died_in[who])})  # fmt: skip
