"""Render the data model (every table of every capability) as Markdown for docs/data-model.md.

Regenerate with ``helsefellesskap db schema-doc > docs/data-model.md``; a test fails when the file is stale.
"""

from __future__ import annotations

from sqlalchemy import Column, Table, UniqueConstraint

from helsefellesskap.schema import metadata

HEADER = """# Data model

Generated from the SQLAlchemy models by `helsefellesskap db schema-doc > docs/data-model.md`; do not edit by
hand. Migrations in `src/helsefellesskap/migrations/versions/` create exactly these tables (a test compares them).
Times are stored in UTC (`timestamp with time zone` on PostgreSQL). Tables are grouped by the capability
that owns them; a capability reads another's data only through that capability's service.
"""


def _column_type(column: Column[object]) -> str:
    try:
        return str(column.type).lower()
    except Exception:  # a type with no generic rendering (e.g. dialect-specific)
        return type(column.type).__name__.lower()


def _column_notes(column: Column[object]) -> str:
    notes = []
    if column.primary_key:
        notes.append("primary key")
    for fk in column.foreign_keys:
        notes.append(f"→ `{fk.target_fullname}`")
    if column.unique:
        notes.append("unique")
    if not column.nullable and not column.primary_key:
        notes.append("required")
    if column.comment:
        notes.append(column.comment)
    return "; ".join(notes)


def render() -> str:
    owners = _table_owners()
    lines = [HEADER]
    for capability in sorted(set(owners.values())):
        lines.append(f"\n## {capability}\n")
        tables = sorted((t for t in metadata.sorted_tables if owners[t.name] == capability), key=lambda t: t.name)
        for table in tables:
            lines.append(f"\n### `{table.name}`\n")
            if table.comment:
                lines.append(f"\n{table.comment}\n")
            lines.append("\n| column | type | notes |\n|---|---|---|")
            for column in table.columns:
                lines.append(f"| `{column.name}` | {_column_type(column)} | {_column_notes(column)} |")
            uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint) and len(c.columns) > 1]
            for constraint in uniques:
                lines.append(f"\nUnique together: {', '.join(f'`{c.name}`' for c in constraint.columns)}.")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _table_owners() -> dict[str, str]:
    """Map each table to the capability whose store.py defines it (from the ORM classes' modules)."""
    from helsefellesskap.db import Base

    owners: dict[str, str] = {}
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        module = mapper.class_.__module__.split(".")
        if isinstance(table, Table) and len(module) > 1:
            owners[table.name] = module[1]
    for table in metadata.sorted_tables:
        owners.setdefault(table.name, table.info.get("capability", "other"))
    return owners
