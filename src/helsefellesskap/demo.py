"""``helsefellesskap demo``: one command from an empty machine to a running platform (what ``./run`` does).

First run: upgrade the configured (embedded SQLite by default) database, load the register, seed the demo users,
generate a synthetic twin of one helsefellesskap with a year of history ending today (`demo_twin`), load it for
the dashboard, and feed the messages of the recent stays up to now through the transitions service (`demo_feed`),
so the boards show patients in hospital, notices waiting and alerts. A state file beside the database marks the
demo as built: a second run only feeds the messages that have come due since, and starts in seconds."""

from __future__ import annotations

import datetime as dt
import json
import threading
import webbrowser
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from helsefellesskap.db import Database
from helsefellesskap.migrations import upgrade
from helsefellesskap.settings import Settings, get_settings

STATE_FILE = "demo-state.json"


@dataclass
class DemoState:
    database: str  # the database the demo was built in (URL without password)
    community: str
    scale: float
    today: str  # the day the simulated year ends (ISO date)
    fed_until: str  # messages sent up to this moment (ISO, UTC) have been fed


def demo_directory(settings: Settings) -> Path:
    """Where the demo keeps its twin and state: beside an SQLite database file, else in the user data dir."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "demo"
    from platformdirs import user_data_dir

    return Path(user_data_dir("helsefellesskap", appauthor=False)) / "demo"


def _database_id(database: Database) -> str:
    return make_url(database.url).render_as_string(hide_password=True)


def read_state(directory: Path, database: Database) -> DemoState | None:
    """The demo state, if the demo was built in this database (and it still holds the demo users)."""
    from helsefellesskap.access.users import get_user
    from helsefellesskap.errors import NotFound

    try:
        state = DemoState(**json.loads((directory / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if state.database != _database_id(database) or not (directory / "twin" / "run.json").is_file():
        return None
    if not _period_moved(directory / "twin", dt.date.fromisoformat(state.today)):
        return None  # built before the recorded period moved with the year (demo_twin.shift_recorded_period)
    try:
        with database.reading() as session:
            get_user(session, "integrasjon")
    except NotFound:
        return None
    return state


def _period_moved(twin: Path, today: dt.date) -> bool:
    """Whether the twin's recorded period (`engines.recorded_period`) is the year that ends at the end of `today`,
    as the demo builds it."""
    from helsefellesskap.errors import InvalidInput
    from helsefellesskap.indicators.engines import recorded_period

    try:
        period = recorded_period(twin)
    except InvalidInput:  # an unreadable period: built again
        return False
    return period is not None and period.end == today + dt.timedelta(days=1)


def _write_state(directory: Path, state: DemoState) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / STATE_FILE).write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, disable=quiet, transient=False)


def prepare_demo(settings: Settings, database: Database, *, now: dt.datetime, directory: Path | None = None,
                 console: Console | None = None, quiet: bool = False) -> DemoState:
    """Everything but serving: build the demo on the first run, catch up with the clock on later runs."""
    from helsefellesskap.access.seeding import seed_demo
    from helsefellesskap.demo_rates import register_demo_rates
    from helsefellesskap.registry.service import load_register

    console = console or Console()
    directory = directory or demo_directory(settings)
    upgrade(database.engine)
    counts = load_register(database)
    console.print(f"register: {counts['communities']} communities, {counts['municipalities']} municipalities")
    with database.unit_of_work() as session:
        seed_demo(session, now=now)
    # Before the feed, so it prices every day it brings: labelled estimates for the years with no official
    # døgnpris (2025, 2026); a database priced before them is repriced once (demo_rates.py).
    estimates = register_demo_rates(database, now=now)
    if estimates:
        console.print("daily rates: demo estimates, not the official rate: "
                      + ", ".join(f"{year}: {nok} kr" for year, nok in sorted(estimates.items())))
    state = read_state(directory, database)
    if state is None:
        state = _build(settings, database, directory, now=now, console=console, quiet=quiet)
    else:
        _catch_up(settings, database, directory, state, now=now, console=console, quiet=quiet)
    _write_state(directory, state)
    return state


def _build(settings: Settings, database: Database, directory: Path, *, now: dt.datetime, console: Console,
           quiet: bool) -> DemoState:
    from helsefellesskap.demo_feed import demo_patient_messages, demo_patient_reads, feed, hamar_waiting_messages
    from helsefellesskap.demo_twin import DEMO_COMMUNITY, demo_persons, generate_demo_twin, live_messages
    from helsefellesskap.indicators.service import load_twin
    from helsefellesskap.synth.geography import load_places
    from helsefellesskap.synth.twin import plan

    twin = directory / "twin"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / STATE_FILE).unlink(missing_ok=True)
    today = now.astimezone(dt.UTC).date()
    with _progress(console, quiet) as progress:
        task = progress.add_task("synthetic twin (persons)", total=demo_persons(settings.demo_scale))
        rows = generate_demo_twin(twin, today=today, scale=settings.demo_scale,
                                  progress=lambda done: progress.advance(task, done))
        task = progress.add_task("national twin for the comparison (persons)",
                                 total=sum(c.persons for c in plan(load_places(None), settings.demo_comparison_scale)))
        generate_demo_twin(directory / "norway", today=today, scale=settings.demo_comparison_scale, community=None,
                           progress=lambda done: progress.advance(task, done))
        task = progress.add_task("dashboard data (tables)", total=1)
        load_twin(database, twin)
        progress.advance(task)
        messages = sorted(demo_patient_messages(now) + hamar_waiting_messages(now) + live_messages(
            twin, discharged_since=now - dt.timedelta(days=settings.demo_live_days), sent_after=None,
            sent_until=now), key=lambda m: dt.datetime.fromisoformat(m["sent_at"]))
        task = progress.add_task("messages of the year", total=len(messages))
        receipts = feed(database, messages, now=now, progress=lambda done: progress.advance(task, done))
    demo_patient_reads(database, now=now)
    console.print(f"twin of {DEMO_COMMUNITY}: {rows['persons']} persons, {rows['stays']} stays in a year; "
                  f"messages fed: " + ", ".join(f"{n} {status}" for status, n in sorted(receipts.items())))
    return DemoState(_database_id(database), DEMO_COMMUNITY, settings.demo_scale, today.isoformat(),
                     now.astimezone(dt.UTC).isoformat())


def _catch_up(settings: Settings, database: Database, directory: Path, state: DemoState, *, now: dt.datetime,
              console: Console, quiet: bool) -> None:
    """Feed the twin's messages sent since the last run, and bring the stays still open up to now."""
    from helsefellesskap.demo_feed import feed
    from helsefellesskap.demo_twin import live_messages

    fed_until = dt.datetime.fromisoformat(state.fed_until)
    if now <= fed_until:
        return
    messages = live_messages(directory / "twin", discharged_since=now - dt.timedelta(days=settings.demo_live_days),
                             sent_after=fed_until, sent_until=now)
    with _progress(console, quiet) as progress:
        task = progress.add_task("messages since last run", total=len(messages))
        feed(database, messages, now=now, progress=lambda done: progress.advance(task, done))
    state.fed_until = now.astimezone(dt.UTC).isoformat()
    console.print(f"demo built {state.today} ({state.community}); {len(messages)} new messages since last run")


def demo_logins() -> list[tuple[str, str]]:
    """Usernames and what they show, for the start-up banner."""
    return [
        ("utskrivning", "hospital discharge board (Sykehuset Innlandet Hamar)"),
        ("tildeling", "municipal board, Hamar allocation office"),
        ("koordinator", "municipal board, coordinator"),
        ("fastlege", "GP: alerts and timelines"),
        ("analytiker", "community dashboard"),
        ("admin", "dashboard and audit log"),
        ("personvern", "audit log (compliance)"),
        ("pasient", "patient: who has looked at my data"),
    ]


def _warm_dashboard(settings: Settings, database: Database) -> None:
    """The dashboard's figures computed in the background while the server starts (the first view is instant)."""
    from helsefellesskap.indicators.catalogue import CATALOGUE
    from helsefellesskap.web.dashboard_figures import warm

    ids = [definition.id for definition in CATALOGUE]
    threading.Thread(target=warm, args=(settings, database, ids), name="dashboard-warm-up", daemon=True).start()


def run_demo(port: int | None = None, *, open_browser: bool = True) -> None:
    import uvicorn

    from helsefellesskap.access.users import DEMO_PASSWORD
    from helsefellesskap.api import create_app

    settings = get_settings()
    database = Database(settings.database_url)
    console = Console()
    prepare_demo(settings, database, now=dt.datetime.now(dt.UTC), console=console)
    if settings.twin_directory is None:
        settings = settings.model_copy(update={"twin_directory": demo_directory(settings) / "twin"})
    if settings.comparison_twin_directory is None:
        settings = settings.model_copy(update={"comparison_twin_directory": demo_directory(settings) / "norway"})
    address = f"http://127.0.0.1:{port or settings.port}"
    console.print(f"\nserving on [bold]{address}[/bold]  (API documentation: {address}/docs; stop with Ctrl+C)")
    if settings.dev_identity_provider:
        console.print(f"demo logins (password [bold]{DEMO_PASSWORD}[/bold]):")
        for username, what in demo_logins():
            console.print(f"  {username:<12} {what}")
    _warm_dashboard(settings, database)
    if open_browser:
        threading.Timer(1.5, webbrowser.open, args=(address,)).start()
    uvicorn.run(create_app(settings, database=database), host="127.0.0.1", port=port or settings.port,
                log_level="warning")

