"""`helsefellesskap synth`: generate the synthetic twin (and, with --report, its calibration report)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.twin import TwinSpec, generate, plan


def synth_command(
    out: Annotated[Path, typer.Option("--out", help="Output directory (one Parquet file per table).")],
    scale: Annotated[float, typer.Option(help="Share of the register population: 1.0 = all of Norway.")] = 0.01,
    years: Annotated[int, typer.Option(help="Calendar years to simulate.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed: the same arguments give identical files.")] = 1,
    community: Annotated[str | None, typer.Option(help="Only this helsefellesskap (id, e.g. 'ostfold').")] = None,
    start_year: Annotated[int, typer.Option(help="First simulated year (from 1 January).")] = 2024,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Also write messages.jsonl in the contract's JSON.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write the calibration report (Markdown) here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Generate a synthetic population with stays, care-transition messages, services, GP contacts, deaths."""
    spec = TwinSpec(scale=scale, years=years, seed=seed, start_year=start_year, jsonl=jsonl)
    spec.validate()
    places = load_places(community)
    total = sum(c.persons for c in plan(places, scale))
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TextColumn("persons"), TimeElapsedColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, disable=quiet, transient=False) as progress:
        task = progress.add_task("persons", total=total)
        rows = generate(spec, places, out, progress=lambda done: progress.advance(task, done))
    typer.echo(" ".join(f"{name}={count}" for name, count in rows.items()) + f" -> {out}")
    if report is not None:
        from helsefellesskap.synth.calibration import write_report

        command = "helsefellesskap " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])
        write_report(out, report, command)
        typer.echo(f"calibration report -> {report}")
