"""Benchmark: synthetic twin generation rate (persons/s), with a floor measured in the same run.

    .venv/bin/python benchmarks/synth.py [--scale 1.0] [--seed 1] [--jsonl]

The twin of Norway at the given scale (one year) is generated into a temporary directory. The floor is numpy
drawing the same number of rows as the twin wrote (all tables), ten uniform float64 columns each, in chunks
of the same size — the cost of producing the random numbers alone, with no model and no writing. Times are
CPU seconds of this process (robust to other load on a shared machine; wall time is printed beside); the
result is reported as a ratio (twin time / floor time), so it compares across machines. Peak memory (max RSS of
this process) is printed too: the generator is chunked, so it should not grow with the scale.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import CHUNK_PERSONS, TwinSpec, generate, plan


def floor_seconds(rows: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    started = time.process_time()
    done = 0
    while done < rows:
        n = min(CHUNK_PERSONS, rows - done)
        rng.random((n, 10))
        done += n
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jsonl", action="store_true", help="also write messages.jsonl (slower)")
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    places = load_places()
    persons = sum(c.persons for c in plan(places, args.scale))
    with tempfile.TemporaryDirectory() as directory:
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = generate(TwinSpec(scale=args.scale, years=1, seed=args.seed, jsonl=args.jsonl), places, Path(directory))
        wall, twin = time.perf_counter() - started, time.process_time() - started_cpu
        size = sum(p.stat().st_size for p in Path(directory).iterdir())
    total_rows = sum(rows.values())
    floor = floor_seconds(total_rows, args.seed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale {args.scale} (1 year{', with messages.jsonl' if args.jsonl else ''}): {persons:,} persons")
    print(f"  twin:  {twin:8.2f} s CPU ({wall:.2f} s wall)  {persons / twin:10,.0f} persons/s  "
          f"{total_rows / twin:12,.0f} rows/s (per CPU second)")
    print(f"  floor: {floor:8.2f} s CPU  numpy uniform rows (10 float64 columns): {total_rows / floor:12,.0f} rows/s")
    print(f"  ratio twin/floor (CPU): {twin / floor:.0f}")
    print(f"  rows: {total_rows:,} ({', '.join(f'{k}={v:,}' for k, v in rows.items())})")
    print(f"  files: {size / 1e6:,.0f} MB; peak memory (max RSS): {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
