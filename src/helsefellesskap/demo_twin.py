"""The demo's synthetic twin: one helsefellesskap (Innlandet, the community of the demo municipality Hamar), one
year of history that ends today, and the messages of its recent stays in the order they were sent.

The synth engine simulates whole calendar years; the demo generates last year and moves every time and date by
whole days so that the simulated year ends at the end of today. Stays admitted before the end and discharged after
it are the patients in hospital "now": their messages sent after now are held back (fed on a later run)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from helsefellesskap.access.seeding import DEMO_GP_OFFICE, DEMO_MUNICIPALITY
from helsefellesskap.indicators.prepared import prepare
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate, plan
from helsefellesskap.synth.writer import contract_lines

DEMO_COMMUNITY = "innlandet"  # the community of the demo municipality (access.seeding.DEMO_MUNICIPALITY, Hamar)
DEMO_SEED = 1
# A person's birth date stays put (it is in their national id); every other time moves with the year.
FIXED_COLUMNS = frozenset({"birth_date"})


def demo_persons(scale: float) -> int:
    """How many persons the demo twin holds at `scale` (for a progress bar's total)."""
    return sum(c.persons for c in plan(load_places(DEMO_COMMUNITY), scale))


def shift_of(today: date) -> timedelta:
    """Whole days that move last year's simulation so that it ends at the end of `today`."""
    return today + timedelta(days=1) - date(today.year, 1, 1)


def generate_demo_twin(out: Path, *, today: date, scale: float, progress: Callable[[int], None] | None = None,
                       community: str | None = DEMO_COMMUNITY) -> dict[str, int]:
    """Write the demo twin to `out` (replacing one there), prepared for the indicators: rows per table. Generated
    aside, moved in when whole.
    ``community=None`` generates all of Norway (the dashboard's comparison among the 19 communities)."""
    spec = TwinSpec(scale=scale, years=1, seed=DEMO_SEED, start_year=today.year - 1)
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        rows = generate(spec, load_places(community), staging, progress)
        shift_tables(staging, shift_of(today))
        shift_recorded_period(staging, shift_of(today))
        if community == DEMO_COMMUNITY:
            adopt_demo_gp_office(staging)
        prepare(staging)  # the dashboard reads the prepared twin (indicators/prepared.py); moved in with it
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(out, ignore_errors=True)
    os.replace(staging, out)
    return rows


def shift_tables(directory: Path, shift: timedelta) -> None:
    """Move every timestamp and date column of the twin's Parquet files by `shift` (whole days), in place."""
    for path in sorted(directory.glob("*.parquet")):
        table = pq.read_table(path)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        moved = [name for name, kind in frame.schema.items()
                 if isinstance(kind, pl.Datetime | pl.Date) and name not in FIXED_COLUMNS]
        if moved:
            frame = frame.with_columns(pl.col(name) + shift for name in moved)
            pq.write_table(frame.to_arrow().cast(table.schema), path)


def shift_recorded_period(directory: Path, shift: timedelta) -> None:
    """Move the simulated period `synth` records in run.json with the tables: the indicators count what falls
    inside it (`indicators.expressions.in_period`), so the demo's period is the year that ends today, not the
    calendar year that was simulated."""
    path = directory / "run.json"
    run = json.loads(path.read_text(encoding="utf-8"))
    period = run.get("period")
    if period is not None:
        run["period"] = {key: (date.fromisoformat(day) + shift).isoformat() for key, day in period.items()}
        path.write_text(json.dumps(run, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def adopt_demo_gp_office(directory: Path) -> str | None:
    """Give the demo's GP office (`access.seeding.DEMO_GP_OFFICE`, where the demo user `fastlege` works) a list:
    the synthetic Hamar office with the fewest listed persons becomes it, in the persons' `gp_office` and in the
    messages addressed to it (the epikriser that give the office its care relations). Returns the office replaced
    (None: no Hamar resident in the twin)."""
    persons = pl.read_parquet(directory / "persons.parquet")
    offices = (persons.filter(pl.col("municipality") == DEMO_MUNICIPALITY).group_by("gp_office").len()
               .sort("len", "gp_office"))
    if offices.is_empty():
        return None
    office = str(offices["gp_office"][0])
    _replace_in(directory / "persons.parquet", "gp_office", office, DEMO_GP_OFFICE)
    _replace_in(directory / "messages.parquet", "recipient", office, DEMO_GP_OFFICE)
    return office


def _replace_in(path: Path, column: str, old: str, new: str) -> None:
    table = pq.read_table(path)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.when(pl.col(column) == old).then(pl.lit(new)).otherwise(pl.col(column))
                               .alias(column))
    pq.write_table(frame.to_arrow().cast(table.schema), path)


def live_messages(directory: Path, *, discharged_since: datetime | None, sent_after: datetime | None,
                  sent_until: datetime) -> list[dict[str, Any]]:
    """Contract JSON of the messages sent in (sent_after, sent_until] — of the stays discharged at or after
    `discharged_since` (or still in hospital), or of every stay when it is None —, in the order they were sent."""
    messages = pl.read_parquet(directory / "messages.parquet")
    window = pl.col("sent_at") <= sent_until
    if sent_after is not None:
        window = window & (pl.col("sent_at") > sent_after)
    if discharged_since is not None:
        stays = pl.read_parquet(directory / "stays.parquet", columns=["stay_id", "discharged_at"])
        recent = stays.filter(pl.col("discharged_at") >= discharged_since)["stay_id"]
        window = window & pl.col("stay_id").is_in(recent.implode())
    chosen = messages.filter(window).sort("sent_at", "id")
    if chosen.is_empty():
        return []
    return [json.loads(line) for line in contract_lines(chosen.to_arrow())]
