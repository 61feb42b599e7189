"""Working an alert inbox in one go: `acknowledge_alerts` does what `acknowledge_alert` for each alert in turn does —
the same access checks and audit entries, the same workflow rows — and leaves out an alert it may not act on."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select

from helsefellesskap.access.model import Principal
from helsefellesskap.db import Database
from helsefellesskap.errors import DomainError
from helsefellesskap.transitions import service
from helsefellesskap.transitions.store import AlertWorkflowRow
from test_transitions_batch import as_batch, columns, feed, forget_ingest, stored
from transitions_support import NOW

Acknowledge = Callable[[object, Principal, list[str]], list[str]]


def each_in_turn(session: object, user: Principal, ids: list[str]) -> list[str]:
    done = []
    for alert_id in ids:
        try:
            service.acknowledge_alert(session, user, alert_id, now=NOW)  # type: ignore[arg-type]
        except DomainError:
            continue
        done.append(alert_id)
    return done


def together(session: object, user: Principal, ids: list[str]) -> list[str]:
    return service.acknowledge_alerts(session, user, ids, now=NOW)  # type: ignore[arg-type]


def work_the_inbox(db: Database, parties: dict[str, Principal], acknowledge: Acknowledge) -> tuple[object, ...]:
    forget_ingest(db)
    with db.unit_of_work() as session:
        session.execute(delete(AlertWorkflowRow))
    as_batch(db, parties, feed(seed=5))
    user = parties["coordinator"]
    with db.unit_of_work() as session:
        ids = [alert.id for alert in service.list_alerts(session, user, now=NOW, status="open")]
        ids.insert(1, "no-such-alert")
        done = acknowledge(session, user, ids)
    with db.reading() as session:
        workflow = sorted(columns(row) for row in session.scalars(select(AlertWorkflowRow)))
    return ids, done, workflow, stored(db)["audit"]


def test_acknowledging_alerts_together_is_acknowledging_each_in_turn(db: Database, parties) -> None:
    ids, done, workflow, audit = work_the_inbox(db, parties, each_in_turn)
    assert work_the_inbox(db, parties, together) == (ids, done, workflow, audit)
    assert len(done) == len(ids) - 1 >= 3 and "no-such-alert" not in done
    assert len(workflow) == len(done)
