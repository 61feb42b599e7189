"""`helsefellesskap transitions replay|schema` through the real entry point."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from helsefellesskap.transitions.calendar import OSLO
from helsefellesskap.transitions.messages import message_json_schema
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

DOCS = Path(__file__).resolve().parents[1] / "docs"


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=OSLO)


def waiting_stay(stay_id: str = "S1") -> list[dict[str, Any]]:
    builder = StayBuilder(stay_id, synthetic_national_id(5))
    builder.admission(at(1))
    builder.admission_notice(at(1, 12))
    builder.ready(at(4))
    builder.response(at(4, 13), can_receive=False)
    builder.discharge(at(7), destination="nursing_home")
    builder.discharge_report(at(7, 11))
    return builder.messages


def write_log(path: Path, messages: list[dict[str, Any]], extra_lines: tuple[str, ...] = ()) -> Path:
    path.write_text("\n".join([*(json.dumps(m) for m in messages), *extra_lines]) + "\n", encoding="utf-8")
    return path


def test_replay_prints_each_stay_as_a_table(cli, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", waiting_stay())
    result = cli("transitions", "replay", str(log))
    assert result.exit_code == 0, result.stderr
    assert "S1" in result.stdout and "discharged" in result.stdout and "17235.00" in result.stdout
    assert "discharge_summary: 2024-03-14 10:00 → -: due" in result.stdout  # as of the log's latest time
    final = cli("transitions", "replay", str(log), "--final")
    assert "discharge_summary: 2024-03-14 10:00 → -: missing" in final.stdout
    assert "KB-OVERDUE-OBLIGATION" in final.stdout


def test_replay_json_gives_state_obligations_payment_and_alerts(cli, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", waiting_stay())
    result = cli("transitions", "replay", str(log), "--json", "--final")
    assert result.exit_code == 0, result.stderr
    stay = json.loads(result.stdout)["stays"][0]
    assert (stay["stay_id"], stay["state"], stay["payable_days"], stay["amount_nok"]) == ("S1", "discharged", 3,
                                                                                          "17235.00")
    kinds = {o["kind"]: o for o in stay["obligations"]}
    assert kinds["municipal_response"]["status"] == "met" and kinds["municipal_response"]["met_at"]
    assert kinds["discharge_summary"]["status"] == "missing"
    assert [a["id"] for a in stay["alerts"]] == ["KB-OVERDUE-OBLIGATION"]


def test_invalid_messages_are_reported_as_rejected_receipts_not_a_crash(cli, tmp_path: Path) -> None:
    messages = waiting_stay()
    messages[2]["criteria"]["functional_level_assessed"] = False
    messages[3]["sent_at"] = "2024-03-04T13:00:00"  # naive time
    log = write_log(tmp_path / "log.jsonl", messages)
    result = cli("transitions", "replay", str(log), "--json")
    assert result.exit_code == 0, result.stderr
    receipts = {r["message_id"]: r for r in json.loads(result.stdout)["stays"][0]["receipts"]}
    assert receipts["S1-3"]["status"] == "rejected"
    assert receipts["S1-3"]["errors"][0]["code"] == "readiness-criteria-missing"
    assert receipts["S1-4"]["status"] == "rejected" and receipts["S1-4"]["errors"][0]["code"] == "invalid-message"


def test_a_bad_line_exits_2_naming_the_line(cli, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", waiting_stay(), ("[1, 2]",))
    result = cli("transitions", "replay", str(log))
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: line 7: a message must be a JSON object"


def test_a_missing_file_exits_2(cli, tmp_path: Path) -> None:
    result = cli("transitions", "replay", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2 and result.stderr.startswith("error: cannot read")


def test_priority_ids_file_enables_the_priority_alerts(cli, tmp_path: Path) -> None:
    messages = [m for m in waiting_stay() if m["type"] not in ("municipal_response", "discharge_report")]
    log = write_log(tmp_path / "log.jsonl", messages)
    ids = tmp_path / "priority.txt"
    ids.write_text(synthetic_national_id(5) + "\n", encoding="utf-8")
    result = cli("transitions", "replay", str(log), "--json", "--final", "--priority-ids", str(ids))
    alerts = {a["id"] for a in json.loads(result.stdout)["stays"][0]["alerts"]}
    assert {"KB-PRIORITY-NO-MUNICIPAL-ANSWER", "KB-PRIORITY-NO-DISCHARGE-REPORT"} <= alerts


def test_schema_prints_the_message_json_schema_and_docs_hold_the_same(cli) -> None:
    result = cli("transitions", "schema")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == message_json_schema()
    assert set(printed["discriminator"]["mapping"]) >= {"admission", "ready_for_discharge", "discharge_summary"}
    assert json.loads((DOCS / "message-schema.json").read_text(encoding="utf-8")) == printed, (
        "docs/message-schema.json is stale: regenerate with `helsefellesskap transitions schema`"
    )


def test_answer_deadline_can_be_set_per_community_and_municipality(cli, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", waiting_stay())  # municipality 3403, answered after 3 hours

    def answer_status(*options: str) -> str:
        result = cli("transitions", "replay", str(log), "--json", *options)
        assert result.exit_code == 0, result.stderr
        owed = json.loads(result.stdout)["stays"][0]["obligations"]
        return next(o["status"] for o in owed if o["kind"] == "municipal_response")

    assert answer_status() == "met"
    assert answer_status("--answer-deadline", "3403=2") == "late"
    assert answer_status("--answer-deadline", "innlandet=2") == "late"
    assert answer_status("--answer-deadline", "innlandet=2", "--answer-deadline", "3403=4") == "met"
    bad = cli("transitions", "replay", str(log), "--answer-deadline", "atlantis=2")
    assert bad.exit_code == 2 and "unknown community or municipality: atlantis" in bad.stderr


def test_ledger_sums_per_municipality_trust_and_month(cli, tmp_path: Path) -> None:
    messages = waiting_stay("S1") + [dict(m, id="B" + m["id"], stay_id="S2") for m in waiting_stay("S2")]
    log = write_log(tmp_path / "log.jsonl", messages)
    result = cli("transitions", "ledger", str(log), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["ledger"] == [
        {"municipality": "3403", "health_trust": "80000001", "month": "2024-03", "payable_days": 6,
         "unpriced_days": 0, "amount_ore": 6 * 574500, "amount_nok": "34470.00"}
    ]


def test_ledger_names_the_health_trust_of_a_registered_hospital(cli, tmp_path: Path) -> None:
    from helsefellesskap.registry.reference import load_reference

    reference = load_reference()
    hospital_id, hospital = next(iter(reference.hospitals.items()))
    messages = [dict(m, sender=hospital.address) if m["sender"] == "80000001" else m for m in waiting_stay()]
    result = cli("transitions", "ledger", str(write_log(tmp_path / "log.jsonl", messages)), "--json")
    assert [x["health_trust"] for x in json.loads(result.stdout)["ledger"]] == [reference.hospital_trust[hospital_id]]


def test_ingest_names_the_now_option_when_its_time_is_bad(cli, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", waiting_stay())
    bad = cli("transitions", "ingest", str(log), "--as", "anyone", "--now", "soon")
    assert bad.exit_code == 2 and bad.stderr == "error: --now: not an ISO 8601 time: soon\n"
    naive = cli("transitions", "ingest", str(log), "--as", "anyone", "--now", "2024-03-01T12:00")
    assert naive.exit_code == 2 and naive.stderr.startswith("error: --now needs a UTC offset")
