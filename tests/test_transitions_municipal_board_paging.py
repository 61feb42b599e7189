"""The municipality's board paged, through the service and the API: which rows a page holds, the total and the
totals over every matching stay, only the persons shown audited; limit/offset and X-Total-Count over HTTP, bad
values 422 problem+json."""

from __future__ import annotations

import datetime as dt

import pytest

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.model import Principal
from helsefellesskap.access.users import get_user
from helsefellesskap.db import Database
from helsefellesskap.errors import Forbidden, InvalidInput
from helsefellesskap.settings import Settings
from helsefellesskap.transitions import service
from helsefellesskap.transitions.sample import synthetic_national_id
from transitions_support import OTHER_PERSON, PERSON, at, auth, waiting_stay
from transitions_support import builder as api_builder
from web_transitions_support import ADMITTED, DAY, NOW, WAITING, builder, seed, send

READY_TOO = synthetic_national_id(606)  # a third Hamar resident in hospital, ready, not answered
GONE = synthetic_national_id(707)  # a Hamar resident discharged yesterday
HAMAR = sorted([WAITING, ADMITTED, READY_TOO])


def _seed(db: Database) -> None:
    """The board seed (Hamar: WAITING ready, ADMITTED admitted; a Ringsaker resident) and two more Hamar stays."""
    seed(db)
    ready = builder("SIH-4", READY_TOO)
    ready.admission(NOW - 6 * DAY)
    ready.ready(NOW - 3 * DAY)
    gone = builder("SIH-5", GONE)
    gone.admission(NOW - 9 * DAY)
    gone.discharge(NOW - DAY, destination="home")
    send(db, ready.messages + gone.messages)


def _last_seq(db: Database) -> int:
    with db.reading() as session:
        return max((e.seq for e in audit_log.query(session, audit_log.AuditFilter(limit=1))), default=0)


def _audited_since(db: Database, seq: int, username: str) -> list[str]:
    with db.reading() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(user=username))
        return sorted(e.national_id for e in entries if e.seq > seq and e.national_id)


def _page(db: Database, username: str = "tildeling", **options: object) -> service.MunicipalBoardPage:
    with db.unit_of_work() as session:
        return service.municipality_board_page(session, get_user(session, username), now=dt.datetime.now(dt.UTC),
                                               **options)  # type: ignore[arg-type]


def test_a_page_holds_its_rows_of_the_sorted_board_and_the_total(db) -> None:
    _seed(db)
    first = _page(db, sort="patient", descending=False, limit=2)
    assert [r.patient for r in first.rows] == HAMAR[:2] and first.total == 3 and first.offset == 0
    rest = _page(db, sort="patient", descending=False, limit=2, offset=2)
    assert [r.patient for r in rest.rows] == HAMAR[2:] and rest.total == 3 and rest.offset == 2
    assert [r.patient for r in _page(db, sort="patient", descending=True, limit=2).rows] == HAMAR[::-1][:2]
    assert _page(db, sort="patient", limit=2, offset=10).rows == []  # past the end: nothing, the total still
    everything = _page(db, state="all", sort="patient", descending=False)
    assert [r.patient for r in everything.rows] == sorted([*HAMAR, GONE]) and everything.total == 4


def test_only_the_persons_shown_are_audited(db) -> None:
    _seed(db)
    before = _last_seq(db)
    page = _page(db, sort="patient", descending=False, limit=2, offset=1)
    assert _audited_since(db, before, "tildeling") == sorted(r.patient for r in page.rows) == HAMAR[1:]
    with db.reading() as session:
        assert audit_log.verify(session).intact


def test_the_totals_count_every_matching_stay_not_only_the_page(db) -> None:
    _seed(db)
    totals = _page(db, limit=1).totals
    assert (totals.awaiting, totals.ready) == (2, 2)  # WAITING and READY_TOO, though one row is shown
    assert totals == _page(db).totals
    assert totals.payable_days == sum(r.payable_days for r in _page(db).rows)


def test_service_alerts_and_one_stay_filter_before_paging(db) -> None:
    _seed(db)
    mental = _page(db, service="mental_health")
    assert [r.patient for r in mental.rows] == [ADMITTED] and mental.total == 1
    assert (mental.totals.awaiting, mental.totals.ready) == (0, 0)
    alerts = _page(db, alerts_only=True)
    assert alerts.rows and all(r.open_alerts > 0 for r in alerts.rows)
    assert alerts.total < 3  # the admitted stay has no alert
    one = _page(db, stay_id="SIH-1")
    assert [r.patient for r in one.rows] == [WAITING] and one.total == 1
    assert _page(db, stay_id="SIH-3").total == 0  # Ringsaker's resident is not on Hamar's board


def test_the_page_is_sorted_like_the_web_page_by_name_and_without_values_last(db) -> None:
    _seed(db)
    by_ready = _page(db, sort="ready_at", descending=False)
    assert by_ready.rows[-1].patient == ADMITTED  # not ready: no value, last either way
    assert _page(db, sort="ready_at", descending=True).rows[-1].patient == ADMITTED
    assert _page(db, sort="hospital").total == 3  # a page sort key the API does not take


@pytest.mark.parametrize("options", [{"offset": -1}, {"limit": -1}, {"sort": "nonsense"}, {"state": "nonsense"},
                                     {"sort": "hospital", "page_order": False}])
def test_bad_paging_or_sort_is_invalid_input(db, options: dict[str, object]) -> None:
    _seed(db)
    with pytest.raises(InvalidInput):
        _page(db, **options)


def test_the_hospital_staff_may_not_read_the_municipal_board(db) -> None:
    _seed(db)
    with pytest.raises(Forbidden):
        _page(db, "utskrivning")


# ---- over HTTP ---------------------------------------------------------------------------------------------------

def _send_all(client, settings: Settings, parties: dict[str, Principal], messages: list[dict]) -> None:
    for message in messages:
        sender = parties["municipal_system" if message["type"] == "municipal_response" else "hospital_system"]
        response = client.post("/api/v1/messages", json=message, headers=auth(settings, sender))
        assert response.status_code == 200, response.text


def test_the_api_pages_the_municipal_board_with_the_total(client, db, settings, parties) -> None:
    third = api_builder("C", synthetic_national_id(7))
    third.admission(at(2))
    third.ready(at(3))
    _send_all(client, settings, parties, waiting_stay("A", PERSON) + waiting_stay("B", OTHER_PERSON, discharged=False)
              + third.messages)
    municipal = auth(settings, parties["allocation"])
    everything = client.get("/api/v1/boards/municipality?state=all&sort=stay_id&descending=false", headers=municipal)
    assert [r["stay_id"] for r in everything.json()] == ["A", "B", "C"]
    assert everything.headers["X-Total-Count"] == "3"
    before = _last_seq(db)
    second = client.get("/api/v1/boards/municipality?state=all&sort=stay_id&descending=false&limit=1&offset=1",
                        headers=municipal)
    assert second.status_code == 200 and [r["stay_id"] for r in second.json()] == ["B"]
    assert second.headers["X-Total-Count"] == "3"
    assert _audited_since(db, before, "alloc") == [OTHER_PERSON]  # only the row returned
    active = client.get("/api/v1/boards/municipality?limit=1&sort=stay_id", headers=municipal)  # descending
    assert [r["stay_id"] for r in active.json()] == ["C"] and active.headers["X-Total-Count"] == "2"
    past = client.get("/api/v1/boards/municipality?offset=50", headers=municipal)
    assert past.json() == [] and past.headers["X-Total-Count"] == "2"
    other = client.get("/api/v1/boards/municipality?limit=5", headers=auth(settings, parties["other_allocation"]))
    assert other.json() == [] and other.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "limit=-1", "limit=ten", "offset=-1", "offset=1.5",
                                   "offset=10000001", "sort=hospital", "state=nonsense"])
def test_bad_paging_values_are_422_problem_json(client, settings, parties, query: str) -> None:
    response = client.get(f"/api/v1/boards/municipality?{query}", headers=auth(settings, parties["allocation"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-Total-Count" not in response.headers
