"""Replay throughput of the transitions engine on a large in-memory log (messages per second).

Generates a synthetic year of transition messages (`transitions.sample.random_stays`, sorted by sending time
as a real feed would be), then measures in the same run:
- baseline: `json.loads` of every line (the floor any JSONL reader pays);
- replay: `read_log` + `replay` exactly as `helsefellesskap transitions replay` runs them (GC paused).
Reports messages/s (CPU time of this process, so other load on the machine does not count; wall time
beside it) and the ratio to the baseline. Run: `.venv/bin/python -m benchmarks.replay [--messages N]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

from helsefellesskap.transitions.replay import latest_time, paused_gc, read_log, replay
from helsefellesskap.transitions.sample import random_stays

MESSAGES_PER_STAY = 8.1  # what random_stays produces on average


def make_log(messages: int, seed: int) -> list[bytes]:
    stays = int(messages / MESSAGES_PER_STAY) + 1
    feed = sorted(random_stays(stays, seed=seed), key=lambda m: (m["sent_at"], m["id"]))
    return [json.dumps(m, ensure_ascii=False).encode() for m in feed]


def measure(lines: list[bytes]) -> dict[str, float]:
    """Seconds of CPU time of this process (robust when other work shares the machine), and wall time."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    for line in lines:
        json.loads(line)
    baseline_cpu, baseline_wall = time.process_time() - cpu, time.perf_counter() - wall
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    with paused_gc():
        messages = list(read_log(lines))
        parse_cpu = time.process_time() - cpu
        results = replay(messages, as_of=latest_time(messages))
    replay_cpu, replay_wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "messages": len(lines),
        "stays": len(results),
        "baseline_s": baseline_cpu,
        "baseline_wall_s": baseline_wall,
        "parse_s": parse_cpu,
        "fold_s": replay_cpu - parse_cpu,
        "replay_s": replay_cpu,
        "replay_wall_s": replay_wall,
        "payable_days": sum(r.payment.payable_days for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000, help="size of the log (default 1 000 000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    started = time.perf_counter()
    lines = make_log(args.messages, args.seed)
    print(f"generated {len(lines):,} messages in {time.perf_counter() - started:.1f} s")
    r = measure(lines)
    n = r["messages"]
    print(f"baseline json.loads : {n / r['baseline_s']:>10,.0f} messages/s ({r['baseline_s']:.1f} s CPU, "
          f"{r['baseline_wall_s']:.1f} s wall)")
    print(f"replay (parse+fold) : {n / r['replay_s']:>10,.0f} messages/s ({r['replay_s']:.1f} s CPU: "
          f"parse {r['parse_s']:.1f} s, fold {r['fold_s']:.1f} s; {r['replay_wall_s']:.1f} s wall) "
          f"for {r['stays']:,.0f} stays, {r['payable_days']:,.0f} payable days")
    print(f"ratio replay/baseline: {r['baseline_s'] / r['replay_s']:.2f} "
          f"(replay runs at {100 * r['baseline_s'] / r['replay_s']:.0f}% of json.loads speed)")
    print(f"projected for 3 000 000 messages (a year of Norway): {3_000_000 * r['replay_s'] / n:.0f} s CPU")


if __name__ == "__main__":
    main()
