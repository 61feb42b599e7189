"""Alembic migrations, shipped inside the package so `helsefellesskap db upgrade` works from any install."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from helsefellesskap.errors import InvalidInput

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _check_revision(revision: str) -> None:
    """Refuse a target that is not `head` or (a unique start of) a shipped revision's id: alembic's own parser
    failed on some (an empty one, `head+5`) with a bare AssertionError, a traceback at the CLI."""
    from alembic.script import ScriptDirectory

    ids = [script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()]
    if revision in ("head", "heads") or (revision and sum(i.startswith(revision) for i in ids) == 1):
        return
    raise InvalidInput(f"unknown revision {revision!r}: give head or one of {', '.join(reversed(ids))}")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision`` (an empty database included)."""
    _check_revision(revision)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head
