"""The `helsefellesskap` command: mounts each capability's commands; domain errors and bad arguments exit 2 with
one line on stderr.

Starting the command stays cheap: this module and the command modules it mounts import only typer, the standard
library and light domain modules at the top; each command imports what it needs (the database, the settings, the
engines, the web app) when it runs (tests/test_cli_startup.py)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from helsefellesskap import __version__
from helsefellesskap.access import commands as access_commands
from helsefellesskap.errors import DomainError, InvalidInput
from helsefellesskap.indicators import commands as indicators_commands
from helsefellesskap.priority_groups import commands as priority_groups_commands
from helsefellesskap.registry import commands as registry_commands
from helsefellesskap.synth import commands as synth_commands
from helsefellesskap.transitions import commands as transitions_commands

if TYPE_CHECKING:
    from helsefellesskap.db import Database

try:  # typer >= 0.2x carries its own copy of click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer, on click itself
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # type: ignore[assignment]

app = typer.Typer(
    name="helsefellesskap",
    help="A shared platform for a Norwegian helsefellesskap (health community).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="The database: create and migrate the schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(registry_commands.app, name="registry")
app.add_typer(transitions_commands.app, name="transitions")
app.add_typer(priority_groups_commands.app, name="priority-groups")
app.command("synth")(synth_commands.synth_command)
app.command("indicators")(indicators_commands.indicators_command)
app.command("load-twin")(indicators_commands.load_twin_command)
app.command("prepare-twin")(indicators_commands.prepare_twin_command)
for name, sub in access_commands.apps.items():
    app.add_typer(sub, name=name)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"helsefellesskap {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A shared platform for a Norwegian helsefellesskap (health community)."""


def open_database() -> Database:
    from helsefellesskap.db import Database
    from helsefellesskap.settings import get_settings

    return Database(get_settings().database_url)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Bring the database (empty or old) to the current schema."""
    from helsefellesskap.migrations import current_revision, upgrade

    database = open_database()
    upgrade(database.engine, revision)
    typer.echo(f"database at revision {current_revision(database.engine)} ({database.engine.url.get_backend_name()})")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the configured database."""
    from helsefellesskap.migrations import current_revision

    typer.echo(current_revision(open_database().engine) or "empty")


@db_app.command("schema-doc")
def db_schema_doc() -> None:
    """Print the data model (all tables) as Markdown, as kept in docs/data-model.md."""
    from helsefellesskap.schema_doc import render

    typer.echo(render(), nl=False)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1, max=65535)] = None,
) -> None:
    """Serve the API (and web app) with uvicorn; the database must be upgraded first."""
    import uvicorn

    from helsefellesskap.api import create_app
    from helsefellesskap.settings import get_settings

    settings = get_settings()
    check_port_free(host or settings.host, port or settings.port)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command("demo")
def demo(
    port: Annotated[int | None, typer.Option(help="Port to listen on (127.0.0.1).", min=1, max=65535)] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
) -> None:
    """Build the demo on first run (a synthetic helsefellesskap, a year ending today, live boards; see docs/demo.md)
    and serve it on 127.0.0.1 (what ./run does); later runs start in seconds."""
    from helsefellesskap.demo import run_demo
    from helsefellesskap.settings import get_settings

    check_port_free("127.0.0.1", port or get_settings().port)  # before the first run's minute of preparation
    run_demo(port, open_browser=not no_browser)


def check_port_free(host: str, port: int) -> None:
    """Refuse (exit 2, one line) a port something already listens on: another demo or server. Uvicorn found it only
    when it bound the port (exit 3, with its log), which for the demo came after the first run's preparation."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a closing socket is no owner
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InvalidInput(f"cannot listen on {host}:{port} ({exc.strerror or exc}): is another demo or server "
                               "running? Stop it, or choose another port with --port") from None


def _fail(message: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    sys.exit(code)


def _first_line(text: object) -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def _environment_problem(exc: Exception) -> tuple[str, int] | None:
    """The one line (and exit code) for an error in the environment the operator can fix: an invalid setting or
    database URL (2), a database without the schema (2), an unknown schema revision (2), a database that cannot be
    reached (1). None for anything else, which is a bug. The libraries are looked up among the loaded modules: an
    error of one that was never imported cannot be raised."""
    pydantic_core = sys.modules.get("pydantic_core")
    if pydantic_core is not None and isinstance(exc, pydantic_core.ValidationError) and exc.title == "Settings":
        from helsefellesskap.settings import Settings

        prefix = Settings.model_config.get("env_prefix", "")
        errors = "; ".join(f"{prefix}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors())
        return f"invalid setting {errors}", 2
    alembic_util = sys.modules.get("alembic.util")
    if alembic_util is not None and isinstance(exc, alembic_util.CommandError):
        return _first_line(exc), 2
    spark_problem = _spark_memory_problem(exc)
    if spark_problem is not None:
        return spark_problem, 1
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is None:
        return None
    if isinstance(exc, sqlalchemy_exc.NoSuchModuleError) or (isinstance(exc, sqlalchemy_exc.ArgumentError)
                                                               and "URL" in str(exc)):
        return f"invalid database URL (HELSEFELLESSKAP_DATABASE_URL or --database-url): {_first_line(exc)}", 2
    if isinstance(exc, sqlalchemy_exc.DatabaseError) and "file is not a database" in str(exc.orig):
        return ("the database file is not an SQLite database: check HELSEFELLESSKAP_DATABASE_URL "
                f"({_first_line(exc.orig)})"), 2
    if isinstance(exc, sqlalchemy_exc.OperationalError | sqlalchemy_exc.ProgrammingError):
        cause = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
        if "no such table" in cause or type(exc.orig).__name__ == "UndefinedTable":
            return ("the database has no schema or an older one: run `helsefellesskap db upgrade` first "
                    f"({cause})"), 2
        if isinstance(exc, sqlalchemy_exc.OperationalError) and ("connect" in cause or "unable to open" in cause):
            return f"cannot connect to the database: {cause}", 1
    return None


SPARK_OUT_OF_MEMORY = ("Not enough memory to build and broadcast", "OutOfMemoryError", "Java heap space")


def _spark_memory_problem(exc: Exception) -> str | None:
    """The line for the Spark engine running out of memory (a Java error through py4j): the operator gives it more
    with a setting. None for any other error."""
    py4j_protocol = sys.modules.get("py4j.protocol")
    if py4j_protocol is None or not isinstance(exc, py4j_protocol.Py4JJavaError):
        return None
    text = str(exc)
    if not any(sign in text for sign in SPARK_OUT_OF_MEMORY):
        return None
    return ("the Spark engine ran out of memory: give it more with HELSEFELLESSKAP_SPARK_DRIVER_MEMORY "
            "(e.g. 12g; default half of the machine's memory)")


def main() -> None:
    try:
        result = app(standalone_mode=False)
    except DomainError as exc:
        _fail(exc.detail)
    except NoArgsIsHelpError as exc:  # the help is already printed
        sys.exit(exc.exit_code)
    except UsageError as exc:  # unknown option, missing or unparsable value: one line, exit 2, like bad input
        _fail(exc.format_message())
    except ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except Exception as exc:
        problem = _environment_problem(exc)
        if problem is None:  # a bug: let its traceback show
            raise
        _fail(*problem)
    if isinstance(result, int) and not isinstance(result, bool):  # typer.Exit(code) (commands return None)
        sys.exit(result)


if __name__ == "__main__":
    main()
