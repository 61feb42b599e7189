"""Server response time of the coordinators' pages with 2,000 active stays (p50/p95), against the time of the same
service calls alone (the database queries, access checks and audit writes the page makes, without HTTP, session,
templates), measured in the same run.

Pages: the hospital's discharge board (`/boards/hospital`, all 2,000 stays at the demo hospital), the
municipality's board (`/boards/municipality`, the Hamar residents among them, about half), and the community
dashboard (`/dashboard`, over a synthetic twin of Innlandet at `--scale`; served from the process cache after the
first view, so its uncached first computation is reported too).

The stays are built through the transitions service: each stay's messages (admission, admission notice, for
about half a readiness notice, for some the municipality's answer) received as the hospital's and the
municipality's systems would send them, as the demo feeds them (`demo_feed.feed`: daily batches of
`receive_messages`).

Run: `.venv/bin/python -m benchmarks.web [--stays 2000] [--requests 30] [--scale 0.3] [--database-url URL]`
(default: a temporary SQLite file; for PostgreSQL give the URL of an empty database, created for the run and
dropped after it: the register, the demo users and the stays stay in it; one that holds tables is refused).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from benchmarks.databases import empty_database

from helsefellesskap.access.seeding import DEMO_MUNICIPALITY, default_demo_organisations, seed_demo
from helsefellesskap.access.users import DEMO_PASSWORD, get_user
from helsefellesskap.db import Database
from helsefellesskap.demo_feed import feed
from helsefellesskap.demo_twin import generate_demo_twin
from helsefellesskap.indicators.model import Dimension
from helsefellesskap.migrations import upgrade
from helsefellesskap.registry.reference import load_reference
from helsefellesskap.registry.service import load_register
from helsefellesskap.settings import Settings
from helsefellesskap.transitions import service as transitions
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id
from helsefellesskap.web import dashboard_figures

NEIGHBOURS = ("3405", "3407", "3411", "3412", "3413")  # Lillehammer, Gjøvik, Ringsaker, Løten, Stange


def active_stays(count: int, now: dt.datetime, seed: int = 1) -> list[dict[str, Any]]:
    """Messages of `count` stays open now at the demo hospital; half of the patients live in Hamar."""
    rng = random.Random(seed)
    organisations = default_demo_organisations()
    reference = load_reference()
    messages: list[dict[str, Any]] = []
    hour = dt.timedelta(hours=1)
    for n in range(count):
        municipality = DEMO_MUNICIPALITY if n % 2 == 0 else rng.choice(NEIGHBOURS)
        stay = StayBuilder(f"B{n:06d}", synthetic_national_id(n * 7 + 11), hospital=organisations.hospital,
                           municipality=municipality, municipality_address=reference.municipality_address(municipality),
                           gp="3990001")
        admitted = now - hour * rng.randrange(6, 24 * 12)
        stay.admission(admitted)
        stay.admission_notice(admitted + hour)
        age = now - admitted
        if rng.random() < 0.5 and age > 30 * hour:
            ready = admitted + age * rng.uniform(0.3, 0.9)
            stay.ready(ready)
            if rng.random() < 0.5:
                stay.response(ready + hour * 2, can_receive=rng.random() < 0.3)
        messages += stay.messages
    messages.sort(key=lambda m: m["sent_at"])
    return messages


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(call: Callable[[], Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def serve(settings: Settings, database: Database) -> tuple[str, Callable[[], None]]:
    import socket

    import uvicorn

    from helsefellesskap.api import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, database=database), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{port}", stop


def page_client(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=True)
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.stays < 1 or args.requests < 1 or not 0 < args.scale <= 1:
        parser.error("--stays and --requests must be at least 1, --scale in (0, 1]")
    given = empty_database(args.database_url, "bench_web") if args.database_url else None
    workdir = Path(tempfile.mkdtemp(prefix="hf-bench-web-"))
    try:  # the twin and the SQLite file are removed after the run (each run left tens of MB in /tmp)
        measure(args, args.database_url or f"sqlite:///{workdir / 'bench.db'}", given, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args: argparse.Namespace, url: str, given: Database | None, workdir: Path) -> None:
    database = given or Database(url)
    upgrade(database.engine)
    load_register(database)
    now = dt.datetime.now(dt.UTC)
    with database.unit_of_work() as session:
        seed_demo(session, now=now)
    start = time.perf_counter()
    messages = active_stays(args.stays, now)
    receipts = feed(database, messages, now=now)
    print(f"{args.stays} active stays: {len(messages)} messages fed in {time.perf_counter() - start:.0f} s {receipts}")
    twin = generate_demo_twin(workdir / "twin", today=now.date(), scale=args.scale)
    print(f"twin for the dashboard: {twin['persons']} persons, {twin['stays']} stays")
    settings = Settings(database_url=url, twin_directory=workdir / "twin", secret_key="bench-" + "x" * 32)
    base, stop = serve(settings, database)
    results = []
    try:
        with database.reading() as session:
            coordinator, officer = get_user(session, "utskrivning"), get_user(session, "tildeling")

        def board(kind: str, principal: Any) -> Callable[[], Any]:
            def call() -> Any:
                with database.unit_of_work() as session:
                    read = transitions.hospital_board if kind == "hospital" else transitions.municipality_board
                    return read(session, principal, now=dt.datetime.now(dt.UTC))
            return call

        dimensions = ((Dimension.month,), (Dimension.community, Dimension.municipality), (Dimension.priority_group,),
                      (Dimension.community,))

        def dashboard_service() -> None:
            for dims in dimensions:
                dashboard_figures.figures(settings, database, "readmission_elderly_30d", dims)

        first = time.perf_counter()
        dashboard_service()
        uncached = time.perf_counter() - first
        rows_h, rows_m = len(board("hospital", coordinator)()), len(board("municipality", officer)())
        cases = [
            (f"/boards/hospital ({rows_h} rows)", page_client(base, "utskrivning"), "/boards/hospital",
             board("hospital", coordinator)),
            (f"/boards/municipality ({rows_m} rows)", page_client(base, "tildeling"), "/boards/municipality",
             board("municipality", officer)),
            ("/dashboard (cached figures)", page_client(base, "analytiker"), "/dashboard", dashboard_service),
        ]
        for name, client, path, service_call in cases:
            client.get(path).raise_for_status()  # warm
            page = timed(lambda c=client, p=path: c.get(p).raise_for_status(), args.requests)
            alone = timed(service_call, args.requests)
            results.append((name, *percentiles(page), *percentiles(alone)))
    finally:
        stop()
    print(f"\ndashboard figures, first (uncached) computation of one indicator by 4 breakdowns: {uncached:.2f} s")
    print(f"\n{'page':<36} {'page p50':>9} {'page p95':>9} {'service p50':>12} {'service p95':>12} {'ratio p50':>9}")
    for name, p50, p95, s50, s95 in results:
        # A baseline under a millisecond (the dashboard's cached figures) gives no meaningful ratio: '-'.
        ratio = f"{p50 / s50:>9.2f}" if s50 >= 1 else f"{'-':>9}"
        print(f"{name:<36} {p50:>7.0f}ms {p95:>7.0f}ms {s50:>10.0f}ms {s95:>10.0f}ms {ratio}")


if __name__ == "__main__":
    main()
