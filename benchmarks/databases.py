"""The database a benchmark fills (`--database-url`): an empty one made for the run, never one in use."""

from __future__ import annotations

import sys

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from helsefellesskap.db import Database


def empty_database(url: str, example: str) -> Database:
    """The database at ``url`` if it holds no table; otherwise exit 2 with one line naming how to make one
    (``example``: the name to give `createdb`). Run against the server's `postgres` database (an admin URL, as the
    ingest benchmarks take) the audit benchmark created the whole platform schema there and appended its entries to
    whatever chain was in it; the web benchmark seeds users and stays."""
    try:
        if make_url(url).database in ("postgres", "template0", "template1"):  # the server's own, which others use
            sys.stderr.write("error: --database-url names the server's maintenance database; give an empty one "
                             "created for the run (e.g. createdb -h 127.0.0.1 -U postgres bench)\n")
            sys.exit(2)
        database = Database(url)
        tables = inspect(database.engine).get_table_names()
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        sys.stderr.write(f"error: cannot open the database at --database-url: {str(cause).splitlines()[0]}\n")
        sys.exit(2)
    if tables:
        sys.stderr.write(f"error: the database at --database-url holds {len(tables)} tables; give an empty one "
                         f"(e.g. createdb -h 127.0.0.1 -U postgres {example}), never one in use\n")
        sys.exit(2)
    return database
