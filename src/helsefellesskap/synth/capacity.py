"""Each municipality's capacity to receive patients ready for discharge (1.0 = national average).

Lower capacity means more and longer waits (overliggerdøgn). The regional level reproduces the fact sheet
§ 6.2 [V S85]: Helse Nord has about three times the overliggerdøgn per inhabitant of Sør-Øst and Vest
(2022); within a region municipalities vary widely (0–111 overliggerdøgn per 1 000 inhabitants across
kommuner [V S85]), modelled as a log-normal spread that narrows with the municipality's size (small
municipalities vary most) [B: the spread's size is the twin's choice].
"""

from __future__ import annotations

import numpy as np

# Log-capacity by regional health authority (matched on the name) [B: tuned to the 3× ratio].
REGIONAL_LOG_CAPACITY = (("nord", -0.65), ("midt", -0.1), ("vest", 0.1), ("sør-øst", 0.1), ("sor-ost", 0.1))
SPREAD = 0.45  # log-normal sd for municipalities of 10 000 or fewer; divided by 1 + log10(population / 10 000)


def regional_log_capacity(regional_health_authority: str) -> float:
    name = regional_health_authority.casefold()
    return next((value for key, value in REGIONAL_LOG_CAPACITY if key in name), 0.0)


def municipal_capacity(seed: int, municipality_index: int, regional_health_authority: str, population: int) -> float:
    """Deterministic for (seed, municipality): its own random stream, independent of the run's chunking."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(municipality_index, 1_000_000)))
    spread = SPREAD / (1 + np.log10(max(population, 10_000) / 10_000))
    return float(np.exp(regional_log_capacity(regional_health_authority) + spread * rng.standard_normal()))
