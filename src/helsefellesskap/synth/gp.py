"""GP contacts (fastlege): how often, what kind, and the ICPC-2 code of the main problem.

About 2.5–3 GP contacts per inhabitant a year, rising with age and higher for women of working age [B:
order of magnitude of KUHR/SSB statistics, not verified]; each chronic condition adds 10 %. Half the contacts
of a person with a chronic condition are about one of them (its ICPC-2 code, the GPs' mandatory code system,
fact sheet § 7 [V S107]).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsefellesskap.synth.chunk import Chunk
from helsefellesskap.synth.conditions import CODES

GP_AGE_BANDS = np.array([0, 6, 18, 45, 67, 80])
# Contacts per person-year by GP_AGE_BANDS, (women, men) [B].
GP_RATE = ((2.4, 1.2, 3.2, 3.6, 5.5, 7.0), (2.6, 1.1, 1.6, 2.7, 5.2, 6.8))
KINDS = ("office", "remote", "home_visit")
# The ICPC-2 code of each condition (ICPC-2 ↔ ICD-10 conversion, by hand [B]).
ICPC2_OF = {
    "I10": "K86", "I50": "K77", "I48": "K78", "J44": "R95", "J45": "R96", "E11": "T90", "E10": "T89", "N18": "U99",
    "C18": "D75", "C34": "R84", "C50": "X76", "C61": "Y77", "M19": "L91", "M81": "L95", "F00": "P70", "F01": "P70",
    "F03": "P70", "G20": "N87", "G35": "N86", "G40": "N88", "G43": "N89", "R26": "A28", "R41": "P20", "Z74": "A28",
    "Z75": "A28", "N39": "U04", "W19": "A80", "F20": "P72", "F25": "P72", "F31": "P73", "F32": "P76", "F33": "P76",
    "F60": "P80", "F10": "P15", "F19": "P19", "F84": "P99", "F90": "P81",
}  # fmt: skip
# Common reasons for other contacts [B].
COMMON_ICPC2 = ("A97", "R74", "L03", "A04", "S87", "R05", "U71", "D06", "L02", "P06", "K85", "A98", "T93", "L86")


@dataclass
class Contacts:
    person: np.ndarray
    day: np.ndarray  # float day from the start (whole days)
    kind: np.ndarray
    icpc2: np.ndarray


def generate_contacts(chunk: Chunk) -> Contacts:
    rng, persons, conditions = chunk.rng, chunk.persons, chunk.conditions
    band = np.searchsorted(GP_AGE_BANDS, persons.age, side="right") - 1
    rate = np.array(GP_RATE)[persons.sex, band] * (1 + 0.1 * conditions.present.sum(axis=1))
    exposure = np.minimum(chunk.death, chunk.days)
    count = rng.poisson(rate * exposure / 365.25)
    person = np.repeat(np.arange(count.size), count)
    day = np.floor(rng.random(person.size) * exposure[person])
    old = persons.age[person] >= 80
    u = rng.random(person.size)
    kind = np.where(u < np.where(old, 0.12, 0.02), 2, np.where(u < 0.3, 1, 0)).astype(np.int8)
    codes = rng.choice(COMMON_ICPC2, size=person.size).astype("U3")
    icpc = np.array([ICPC2_OF.get(code[:3], "A97") for code in CODES])
    present = conditions.present[person]
    has_any = present.any(axis=1)
    # Pick one of the person's conditions at random: the column with the largest random key among present ones.
    keys = np.where(present, rng.random(present.shape), -1.0)
    own = icpc[keys.argmax(axis=1)] if present.size else codes
    codes = np.where(has_any & (rng.random(person.size) < 0.5), own, codes)
    return Contacts(person=person, day=day, kind=kind, icpc2=codes)
