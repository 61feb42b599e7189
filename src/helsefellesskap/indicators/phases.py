"""Where an indicator run's time goes: wall-clock and CPU seconds per phase, in the order they ran.

`service.compute` times its phases into a `Stopwatch` it is given; `helsefellesskap indicators --timings` prints
them (with opening the twin, which for DuckDB is loading its tables), and the benchmark prints them beside the
floor. CPU seconds are the whole process's (every engine thread), so on a multi-core machine they can exceed
the wall-clock seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lap:
    phase: str
    wall: float  # seconds
    cpu: float  # seconds of CPU time of the process (all threads)


@dataclass
class Stopwatch:
    laps: list[Lap] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block as phase `name` (recorded also when the block fails: the time was spent)."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.laps.append(Lap(name, time.perf_counter() - wall, time.process_time() - cpu))

    def name_last(self, name: str) -> None:
        """Name the last phase anew, once what it did is known (`indicators`: whether it opened a prepared twin)."""
        self.laps[-1] = Lap(name, self.laps[-1].wall, self.laps[-1].cpu)

    def total(self) -> Lap:
        return Lap("total", sum(lap.wall for lap in self.laps), sum(lap.cpu for lap in self.laps))

    def lines(self) -> list[str]:
        """One line per phase and a total, aligned: `phase   0.123 s wall   0.456 s CPU`."""
        laps = [*self.laps, self.total()] if self.laps else []
        width = max((len(lap.phase) for lap in laps), default=0)
        return [f"{lap.phase:<{width}} {lap.wall:8.3f} s wall {lap.cpu:8.3f} s CPU" for lap in laps]
