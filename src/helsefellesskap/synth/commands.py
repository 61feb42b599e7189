"""`helsefellesskap synth`: generate the synthetic twin (and, with --report, its calibration report)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from helsefellesskap.errors import InvalidInput

# The generator (numpy, pyarrow, polars) and rich's progress bar are imported when `synth` runs.


def _twin_files() -> tuple[str, ...]:
    """The files of a twin directory: one Parquet file per table, the JSONL messages, run.json and the prepared store
    of the indicators (written unless `synth --no-prepare`; an earlier twin's is removed with its tables)."""
    from helsefellesskap.indicators.prepared import STORE_NAME
    from helsefellesskap.synth.tables import SCHEMAS

    return (*(f"{name}.parquet" for name in SCHEMAS), "messages.jsonl", "run.json", STORE_NAME)


def _staging(out: Path) -> Path:
    """A sibling directory to generate into, so a failed or interrupted run leaves `out` as it was."""
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "run.json").is_file():
        raise InvalidInput(f"--out {out} is a non-empty directory that holds no twin; choose an empty one")
    if out.is_dir():
        _check_writable(out)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    try:
        staging.mkdir(parents=True, exist_ok=False)
    except OSError as exc:
        raise InvalidInput(f"cannot write to {out.parent}: {exc.strerror}") from None
    return staging


def _check_writable(directory: Path) -> None:
    """Refuse an existing --out the twin cannot be published into, before spending the generation on it (by
    trying: permissions alone do not tell, e.g. for root or a read-only mount)."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise InvalidInput(f"cannot write to {directory}: {exc.strerror}") from None


def _check_report(report: Path, out: Path) -> None:
    """Refuse a report path that cannot be written, or would overwrite one of the twin's own files, before
    spending the generation on it."""
    if report.is_dir():
        raise InvalidInput(f"--report {report} is a directory; give a file name")
    if report.resolve() in {(out / name).resolve() for name in _twin_files()}:
        raise InvalidInput(f"--report {report} is a file of the twin in --out; give another name")
    existing = next(p for p in (report.absolute(), *report.absolute().parents) if p.exists())
    if existing != report.absolute() and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        raise InvalidInput(f"--report {report} cannot be written ({existing} is not a writable directory)")
    if existing == report.absolute() and not os.access(report, os.W_OK):
        raise InvalidInput(f"--report {report} is not writable")


@contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """SIGTERM (`kill`, a job scheduler's time limit) unwinds like Ctrl-C, so the staging directory is removed
    instead of being left beside --out; the exit code stays a termination's (128 + 15)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may handle signals
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _publish(staging: Path, out: Path) -> None:
    """Move the generated files into `out`, replacing a previous twin's and leaving none of them stale; when that
    fails part-way, no twin files at all rather than a mix of two twins' tables (which would read as a twin)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in _twin_files():
            (out / name).unlink(missing_ok=True)
            if (staging / name).exists():
                os.replace(staging / name, out / name)
    except OSError as exc:
        for name in _twin_files():
            with suppress(OSError):
                (out / name).unlink(missing_ok=True)
        raise InvalidInput(f"cannot write the twin to {out}: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    prepare: Annotated[bool, typer.Option("--prepare/--no-prepare", help="Prepare the twin for the indicators, "
                                          "as `helsefellesskap prepare-twin` does (indicators.duckdb).")] = True,
) -> None:
    """Generate a synthetic population with stays, care-transition messages, services, GP contacts, deaths."""
    from rich import progress as bar

    from helsefellesskap.synth.geography import load_places
    from helsefellesskap.synth.twin import TwinSpec, generate, plan

    spec = TwinSpec(scale=scale, years=years, seed=seed, start_year=start_year, jsonl=jsonl)
    spec.validate()
    places = load_places(community)
    if report is not None:
        _check_report(report, out)
    total = sum(c.persons for c in plan(places, scale))
    columns = (bar.TextColumn("synth"), bar.BarColumn(), bar.MofNCompleteColumn(), bar.TextColumn("persons"),
               bar.TimeElapsedColumn(), bar.TimeRemainingColumn())  # fmt: skip
    staging = _staging(out)
    try:
        with _terminated_as_interrupted(), bar.Progress(*columns, disable=quiet, transient=False) as progress:
            task = progress.add_task("persons", total=total)
            rows = generate(spec, places, staging, progress=lambda done: progress.advance(task, done))
        if prepare:
            from helsefellesskap.indicators.prepared import prepare as prepare_twin

            prepare_twin(staging)  # moved into --out with the tables, whose times it records
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _publish(staging, out)
    typer.echo(" ".join(f"{name}={count}" for name, count in rows.items()) + f" -> {out}")
    if report is not None:
        from helsefellesskap.synth.calibration import write_report

        command = "helsefellesskap " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])
        try:
            write_report(out, report, command)
        except OSError as exc:
            raise InvalidInput(f"cannot write the report to {report}: {exc.strerror}") from None
        typer.echo(f"calibration report -> {report}")
