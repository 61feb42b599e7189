"""CLI commands of the access capability: users, development tokens, the audit log."""

from __future__ import annotations

import typer

apps: dict[str, typer.Typer] = {}
