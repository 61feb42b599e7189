"""The demo: built once (register, users, a twin ending today, messages up to now through the transitions
service, the demo patient's stays), then a second run reuses it."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from sqlalchemy import select

from helsefellesskap.access.users import demo_patient_national_id, get_user
from helsefellesskap.demo import prepare_demo
from helsefellesskap.transitions import rates_service
from helsefellesskap.transitions import service as transitions
from helsefellesskap.transitions.projection import aware
from helsefellesskap.transitions.store import StayRow


def test_demo_is_built_once_with_a_live_today(db, settings, tmp_path) -> None:
    settings = settings.model_copy(update={"demo_scale": 0.002})
    now = dt.datetime.now(dt.UTC)
    quiet = Console(quiet=True)
    state = prepare_demo(settings, db, now=now, directory=tmp_path, console=quiet, quiet=True)
    assert state.today == now.date().isoformat()
    assert (tmp_path / "demo-state.json").is_file()
    run_file = tmp_path / "twin" / "run.json"
    built = run_file.stat().st_mtime_ns

    with db.unit_of_work() as session:
        patient = get_user(session, "pasient")
        stays = transitions.person_pathway(session, patient, demo_patient_national_id(), now=now)
        board = transitions.hospital_board(session, get_user(session, "utskrivning"), now=now)
        waiting = transitions.municipality_board(session, get_user(session, "tildeling"), now=now)
        gp_patients = transitions.gp_list(session, get_user(session, "fastlege"), now=now)
    assert len(stays) == 2
    assert any(row.patient == demo_patient_national_id() for row in gp_patients)  # the demo GP has patients
    assert any(row.patient == demo_patient_national_id() for row in board)
    assert any(row.patient == demo_patient_national_id() and row.answer is None for row in waiting)
    assert sum(row.state == "ready_for_discharge" and row.answer is None for row in waiting) >= 5  # notices waiting
    with db.unit_of_work() as session:  # a year of history through the service, the open stays as of now
        stays = [(aware(s.admitted_at) if s.admitted_at else now, s.state) for s in session.scalars(select(StayRow))]
        assert transitions.refresh_stays(session, now=now) == 0  # already up to now: nothing to rewrite
    assert min(admitted for admitted, _ in stays) < now - dt.timedelta(days=300)
    assert sum(state == "discharged" for _, state in stays) > 50
    with db.unit_of_work() as session:  # the year's alerts were worked weekly: the inbox holds the last weeks'
        inbox = transitions.list_alerts(session, get_user(session, "utskrivning"), now=now, status="all")
    assert any(alert.status == "acknowledged" and alert.acknowledged_by == "utskrivning" for alert in inbox)
    assert not [alert for alert in inbox if alert.status == "open" and alert.raised_at < now - dt.timedelta(days=60)]
    with db.unit_of_work() as session:  # labelled estimates where the shipped table has no døgnpris
        rates = rates_service.effective_rates(session)
    for year in (2025, 2026):
        rate = rates.rate(year)
        assert rate is not None and rate.nok_per_day is not None and rate.nok_per_day > 5745
        assert rate.source.startswith("DEMOANSLAG, IKKE DEN OFFISIELLE SATSEN")

    # The indicators' period is the year that ends today (the simulated year moved with the tables), so the API's
    # indicators count the demo's recent months, not only those that fall in the calendar year simulated.
    from helsefellesskap.indicators.catalogue import TRANSITIONS
    from helsefellesskap.indicators.model import Dimension
    from helsefellesskap.indicators.service import loaded_results

    computed = loaded_results(db, TRANSITIONS, (Dimension.month,), threshold=1)
    assert computed.period.end == now.date() + dt.timedelta(days=1)
    assert (computed.period.end - computed.period.start).days in (365, 366)
    counted = {r.dimensions["month"] for r in computed.results if r.numerator}
    assert now.strftime("%Y-%m") in counted and len(counted) >= 12

    later = now + dt.timedelta(hours=1)
    again = prepare_demo(settings, db, now=later, directory=tmp_path, console=quiet, quiet=True)
    assert run_file.stat().st_mtime_ns == built  # not regenerated
    assert again.fed_until == later.isoformat()

    # A demo built before its recorded period moved with the year (the calendar year simulated) is built again.
    import json

    run = json.loads(run_file.read_text(encoding="utf-8"))
    run["period"] = {"start": f"{now.year - 1}-01-01", "end": f"{now.year}-01-01"}
    run_file.write_text(json.dumps(run), encoding="utf-8")
    prepare_demo(settings, db, now=later, directory=tmp_path, console=quiet, quiet=True)
    # Built again at `later`: the year ends with later's day (another day than now's in the last hour of a day).
    assert json.loads(run_file.read_text(encoding="utf-8"))["period"]["end"] == (later.date() + dt.timedelta(days=1)
                                                                                  ).isoformat()


def _serve_demo(tmp_path, port: int) -> str:
    """Start `helsefellesskap demo --port N --no-browser` (the smallest scale), wait until it serves, read the
    sign-in page, stop it; returns what it printed."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    env = {**os.environ, "HELSEFELLESSKAP_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
           "HELSEFELLESSKAP_DEMO_SCALE": "0.002"}
    command = [str(Path(sys.executable).parent / "helsefellesskap"), "demo", "--port", str(port), "--no-browser"]
    log = tmp_path / f"demo-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                        assert page.status == 200
                        break
                except OSError:
                    assert process.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.3)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return log.read_text()


def test_demo_command_serves_and_prints_the_address_and_logins(tmp_path) -> None:
    from browser_fixtures import free_port

    port = free_port()
    first = _serve_demo(tmp_path, port)
    assert f"http://127.0.0.1:{port}" in first
    assert "helsefellesskap-demo" in first and "tildeling" in first and "pasient" in first
    assert "twin of innlandet" in first
    second = _serve_demo(tmp_path, port)
    assert "twin of innlandet" not in second  # nothing regenerated
    assert "demo built" in second
