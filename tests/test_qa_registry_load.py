"""Two loads of the register at once (two operators, or a deploy script and the demo) both succeed on PostgreSQL: they
both found no rows, both inserted, and the second failed on the first's keys with an IntegrityError (a traceback at
the CLI). On SQLite writers wait for each other anyway."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from helsefellesskap.db import Database
from helsefellesskap.registry.service import load_register
from helsefellesskap.registry.store import MunicipalityRow, OrganisationRow


def test_two_loads_at_once_both_succeed(db: Database) -> None:
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def load() -> None:
        start.wait()
        try:
            load_register(db)
        except BaseException as exc:  # collected and asserted below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(MunicipalityRow)) == 357
        assert session.scalar(select(func.count()).select_from(OrganisationRow)) == 434
