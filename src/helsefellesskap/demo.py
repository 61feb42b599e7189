"""``helsefellesskap demo``: one command from an empty machine to a running platform (what ``./run`` does).

Upgrades the configured database, loads the register and serves on 127.0.0.1. The other capabilities add their
demo data here as they grow."""

from __future__ import annotations

import datetime as dt
import threading
import webbrowser

import typer

from helsefellesskap.db import Database
from helsefellesskap.migrations import upgrade
from helsefellesskap.settings import get_settings


def run_demo(port: int | None = None, *, open_browser: bool = True) -> None:
    import uvicorn

    from helsefellesskap.api import create_app
    from helsefellesskap.registry.service import load_register

    settings = get_settings()
    database = Database(settings.database_url)
    upgrade(database.engine)
    counts = load_register(database)
    typer.echo(f"register loaded: {counts['communities']} communities, {counts['municipalities']} municipalities")
    if settings.dev_identity_provider:
        from helsefellesskap.access.seeding import seed_demo

        with database.unit_of_work() as session:
            users = seed_demo(session, now=dt.datetime.now(dt.UTC))
        typer.echo(f"demo users: {', '.join(u.username for u in users)} (password: see docs/access.md)")
    address = f"http://127.0.0.1:{port or settings.port}"
    typer.echo(f"serving on {address}  (API documentation: {address}/docs; stop with Ctrl+C)")
    if open_browser:
        threading.Timer(1.5, webbrowser.open, args=(address,)).start()
    uvicorn.run(create_app(settings, database=database), host="127.0.0.1", port=port or settings.port,
                log_level="warning")
