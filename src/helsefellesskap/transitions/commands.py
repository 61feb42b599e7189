"""CLI commands of the transitions capability."""

from __future__ import annotations

import typer

app = typer.Typer(help="transitions", no_args_is_help=True)
