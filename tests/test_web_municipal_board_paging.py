"""The municipal board's pages through the real app: sorted across every stay then paged, the caption and the
bokmål pager (the hospital board's), only the persons shown audited, the totals over all, the refresh keeping the
page, and an answer from a later page."""

from __future__ import annotations

import re

from helsefellesskap.access import audit as audit_log
from helsefellesskap.transitions.sample import synthetic_national_id
from helsefellesskap.web import boards as boards_page
from web_transitions_support import ADMITTED, DAY, NOW, WAITING, builder, seed, send, sign_in

HTMX = {"HX-Request": "true"}
READY_TOO = synthetic_national_id(606)  # a third Hamar resident, ready for discharge, not answered
HAMAR = sorted([WAITING, ADMITTED, READY_TOO])


def _patients(html: str) -> list[str]:
    return re.findall(r'<a href="/persons/(\d{11})"', html)


def _seed(db) -> None:
    seed(db)
    ready = builder("SIH-4", READY_TOO)
    ready.admission(NOW - 6 * DAY)
    ready.ready(NOW - 3 * DAY)
    send(db, ready.messages)


def _audited_since(db, seq: int) -> list[str]:
    with db.reading() as session:
        entries = audit_log.query(session, audit_log.AuditFilter(user="tildeling"))
        return sorted(e.national_id for e in entries if e.seq > seq and e.national_id)


def _last_seq(db) -> int:
    with db.reading() as session:
        return max((e.seq for e in audit_log.query(session, audit_log.AuditFilter(limit=1))), default=0)


def test_the_municipal_board_is_sorted_across_all_stays_then_paged(client, db, monkeypatch) -> None:
    _seed(db)
    sign_in(client, "tildeling")
    unpaged = client.get("/boards/municipality?sort=patient&dir=asc").text
    assert _patients(unpaged) == HAMAR and 'class="pager"' not in unpaged  # one page: no pager
    monkeypatch.setattr(boards_page, "BOARD_PAGE_SIZE", 2)
    before = _last_seq(db)
    first = client.get("/boards/municipality?sort=patient&dir=asc")
    assert first.status_code == 200 and _patients(first.text) == HAMAR[:2]
    assert _audited_since(db, before) == HAMAR[:2]  # only the persons shown
    assert "Opphold: 3. Viser 1–2." in first.text and "Side 1 av 2" in first.text
    assert 'aria-label="Sider med opphold"' in first.text and "Neste side" in first.text
    assert 'href="/boards/municipality?sort=patient&amp;dir=asc&amp;page=2"' in first.text
    assert 'hx-get="/boards/municipality/rows"' in first.text and 'rel="prev"' not in first.text
    assert 'hx-include="#board-filters, #board-sort, #board-page"' in first.text  # the refresh keeps the page
    # the totals count every stay, not only the page's: two notices awaiting an answer (WAITING, READY_TOO)
    summary = first.text.split('id="board-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    assert re.search(r'<strong class="figure">2</strong> meldinger om utskrivningsklar venter på svar', summary)
    second = client.get("/boards/municipality/rows?sort=patient&dir=asc&page=2", headers=HTMX)
    assert _patients(second.text) == HAMAR[2:] and 'rel="next"' not in second.text and "Forrige side" in second.text
    assert "Side 2 av 2" in second.text and "Opphold: 3. Viser 3–3." in second.text
    assert second.headers["HX-Push-Url"] == "/boards/municipality?sort=patient&dir=asc&page=2"
    assert '<input type="hidden" name="page" value="2">' in second.text
    refresh = client.get("/boards/municipality/rows?sort=patient&dir=asc&page=2",
                         headers={**HTMX, "HX-Trigger": "board"})
    assert _patients(refresh.text) == HAMAR[2:] and "HX-Push-Url" not in refresh.headers
    assert _patients(client.get("/boards/municipality?sort=patient&dir=asc&page=999").text) == HAMAR[2:]
    assert _patients(client.get("/boards/municipality?sort=patient&dir=asc&page=junk").text) == HAMAR[:2]
    assert _patients(client.get("/boards/municipality?sort=patient&dir=desc").text) == HAMAR[::-1][:2]
    assert _patients(client.get("/boards/municipality?sort=patient&dir=asc&service=mental_health").text) == [ADMITTED]


def test_an_answer_on_a_later_page_swaps_its_row_and_audits_only_that_person(client, db, monkeypatch) -> None:
    _seed(db)
    sign_in(client, "tildeling")
    monkeypatch.setattr(boards_page, "BOARD_PAGE_SIZE", 1)
    stay_of = {WAITING: "SIH-1", READY_TOO: "SIH-4"}
    last = _patients(client.get("/boards/municipality?sort=patient&dir=asc&page=3").text)
    assert len(last) == 1 and last[0] in stay_of  # a ready stay, not on page 1
    before = _last_seq(db)
    response = client.post(f"/boards/municipality/stays/{stay_of[last[0]]}/answer", headers=HTMX,
                           data={"answer": "cannot"})
    assert response.status_code == 200 and _patients(response.text) == last
    assert "Kan ikke ta imot ennå" in response.text
    with db.reading() as session:
        read = [e.national_id for e in audit_log.query(session, audit_log.AuditFilter(user="tildeling"))
                if e.seq > before and e.resource == "board.municipality"]
    assert read == last  # the row re-read, not the whole board
