"""A municipality answers a readiness notice whatever characters the hospital's stay id holds: the contract allows any
1–128 characters, and a "/" (an id like "SIH/2024/000123"), "#", "?" or a space in it sent the board's form and the
API's route to another address (404), so the stay could not be answered."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from helsefellesskap.db import Database
from helsefellesskap.transitions import service
from helsefellesskap.transitions.store import StayRow
from transitions_support import NOW, auth, setup_parties, waiting_stay
from web_transitions_support import DAY, WAITING, builder, send, sign_in
from web_transitions_support import NOW as WALL_CLOCK
from web_transitions_support import seed as seed_web

STAY_IDS = ["SIH/2024/000123", "SIH 2024 #7?x=1&y=2", "SIH/answer"]


@pytest.mark.parametrize("stay_id", STAY_IDS)
def test_the_api_answers_a_stay_whatever_its_id_holds(client, db: Database, settings, stay_id: str) -> None:
    parties = setup_parties(db)
    with db.unit_of_work() as session:
        for message in waiting_stay(stay_id, discharged=False)[:3]:  # admitted, notice, ready
            service.receive_message(session, parties["hospital_system"], message, now=NOW)
    answer = client.post(f"/api/v1/stays/{quote(stay_id, safe='/')}/municipal-response", json={"can_receive": False},
                         headers=auth(settings, parties["allocation"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["stay_id"] == stay_id and answer.json()["status"] == "ok"


@pytest.mark.parametrize("stay_id", STAY_IDS)
def test_the_board_form_answers_a_stay_whatever_its_id_holds(client, db: Database, stay_id: str) -> None:
    seed_web(db)
    stay = builder(stay_id, WAITING)
    stay.admission(WALL_CLOCK - 5 * DAY)
    stay.ready(WALL_CLOCK - DAY)
    send(db, stay.messages)
    sign_in(client, "tildeling")
    board = client.get("/boards/municipality?sort=stay_id").text
    actions = [unescape(a) for a in re.findall(r'<form method="post" action="([^"]+)"', board) if "/stays/" in a]
    action = next(a for a in actions if "SIH-1" not in a)
    answered = client.post(action, data={"answer": "cannot"}, follow_redirects=False)
    assert answered.status_code == 303, answered.text
    with db.reading() as session:
        assert session.get(StayRow, stay_id).state == "municipality_cannot_receive"
