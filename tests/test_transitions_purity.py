"""The transitions domain core stays pure: no framework, no database, no adapter imports (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "src" / "helsefellesskap" / "transitions"
ADAPTERS = {"store.py", "service.py", "api.py", "commands.py", "views.py", "__init__.py"}
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "alembic", "typer", "rich", "uvicorn", "httpx", "jinja2",
             "helsefellesskap.db", "helsefellesskap.settings", "helsefellesskap.api", "helsefellesskap.cli")


def imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("module", sorted(p for p in CORE.glob("*.py") if p.name not in ADAPTERS), ids=lambda p: p.name)
def test_core_module_imports_no_framework_or_adapter(module: Path) -> None:
    offending = [n for n in imports(module) if n.startswith(FORBIDDEN) or n.endswith((".store", ".service", ".api"))]
    assert offending == []
