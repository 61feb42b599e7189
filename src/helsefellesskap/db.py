"""Engine, session and unit of work. SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from helsefellesskap.errors import InvalidInput
from helsefellesskap.settings import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; each capability's ``store.py`` defines its tables on it."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:  # another dialect failed on its missing driver: a traceback
        raise InvalidInput("invalid database URL (HELSEFELLESSKAP_DATABASE_URL or --database-url): the platform's "
                           f"database is SQLite or PostgreSQL, not {parsed.get_backend_name()!r}")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InvalidInput(f"cannot create the database folder {folder}: {error.strerror}") from None
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


SETTINGS_KEY = "helsefellesskap.settings"


class Database:
    """One engine and its session factory; ``unit_of_work`` is the transaction boundary of every use case.

    Its sessions carry the settings they are opened under (``settings_of``): an app's (``under``), so that a use
    case decides by the settings of the app that calls it, or, given none, the process's (a command's)."""

    def __init__(self, url: str, *, settings: Settings | None = None, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.settings = settings
        self._sessions = sessionmaker(self.engine, expire_on_commit=False,
                                      info={SETTINGS_KEY: settings} if settings is not None else None)

    def under(self, settings: Settings) -> Database:
        """This database (the same engine and pool) with sessions that carry ``settings``."""
        if settings is self.settings:
            return self
        return Database(self.url, settings=settings, engine=self.engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def settings_of(session: Session) -> Settings:
    """The settings a session was opened under: the app's for a route or page, else the process's (a command,
    whose settings are the process's)."""
    settings = session.info.get(SETTINGS_KEY)
    return settings if isinstance(settings, Settings) else get_settings()
