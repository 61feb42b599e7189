"""The dependency rule of docs/architecture.md, checked on the source: the domain core imports no framework,
no database and no adapter; adapters never hold tables of another capability."""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "helsefellesskap"

# What a pure domain module may never import (frameworks, the store, I/O adapters).
FORBIDDEN_IN_CORE = (
    "fastapi", "starlette", "sqlalchemy", "alembic", "typer", "rich", "uvicorn", "httpx", "jinja2",
    "helsefellesskap.db", "helsefellesskap.settings", "helsefellesskap.problems", "helsefellesskap.api",
    "helsefellesskap.cli",
)
ADAPTER_SUFFIXES = (".store", ".service", ".api", ".commands", ".views", ".http")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _core_modules() -> list[Path]:
    """The domain core: every module that pyproject.toml holds to mypy --strict (one list, two checks), less the
    adapters (store, service, api, commands, views, http) that may sit in a strictly typed package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = [
        pattern
        for override in config["tool"]["mypy"]["overrides"] if override.get("strict")
        for pattern in ([override["module"]] if isinstance(override["module"], str) else override["module"])
    ]
    adapters = {suffix.lstrip(".") for suffix in ADAPTER_SUFFIXES}
    modules = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts and p.stem not in adapters]
    return sorted(p for p in modules if any(fnmatch.fnmatchcase(_module_name(p), pat) for pat in patterns))


def test_every_model_module_is_in_the_strict_core() -> None:
    core = set(_core_modules())
    assert [p for p in PACKAGE.rglob("model.py") if p not in core] == []


@pytest.mark.parametrize("module", _core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_core_imports_no_framework_or_adapter(module: Path) -> None:
    offending = [
        name for name in _imports(module)
        if name.startswith(FORBIDDEN_IN_CORE) or name.endswith(ADAPTER_SUFFIXES)
    ]
    assert offending == [], f"{module.relative_to(PACKAGE)} imports {offending}"


def test_capabilities_do_not_import_each_others_tables() -> None:
    offending = []
    for path in PACKAGE.rglob("*.py"):
        capability = path.relative_to(PACKAGE).parts[0]
        for name in _imports(path):
            parts = name.split(".")
            foreign_store = len(parts) >= 3 and parts[:1] == ["helsefellesskap"] and parts[2] == "store"
            if foreign_store and parts[1] != capability and path.name != "schema.py":
                offending.append(f"{path.relative_to(PACKAGE)} -> {name}")
    assert offending == []


def test_no_dumping_ground_modules() -> None:
    banned = {"utils", "helpers", "common", "misc", "manager"}
    found = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if p.stem in banned]
    found += [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*") if p.is_dir() and p.name in banned]
    assert found == []
