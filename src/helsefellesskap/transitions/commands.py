"""CLI commands of the transitions capability: offline replay of a message log, and the message schema."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from helsefellesskap.errors import DomainError, InvalidInput
from helsefellesskap.moments import check_moment
from helsefellesskap.transitions.calendar import OSLO

if TYPE_CHECKING:  # the engine, the message models, the database and rich are imported by the commands that run
    from rich.console import Console
    from sqlalchemy.orm import Session

    from helsefellesskap.access.model import Principal
    from helsefellesskap.transitions.alerts import PriorityPatientTest
    from helsefellesskap.transitions.messages import Message
    from helsefellesskap.transitions.pathway import StayProjection
    from helsefellesskap.transitions.replay import InvalidMessage, StayResult
    from helsefellesskap.transitions.rules import TransitionRules

app = typer.Typer(help="Care transitions: replay a message log, ingest it into the database, boards, the GP's "
                  "list, the message schema.", no_args_is_help=True)


def _console(width: int) -> Console:
    from rich.console import Console

    return Console(width=width)


def _read_messages(log: Path) -> list[Message | InvalidMessage]:
    from helsefellesskap.transitions.replay import read_log

    try:
        with log.open("rb") as handle:
            return list(read_log(handle))
    except OSError as exc:
        raise InvalidInput(f"cannot read {log}: {exc.strerror}") from None


def _priority_test(path: Path | None, classify: bool) -> PriorityPatientTest | None:
    from helsefellesskap.transitions.priority import priority_patient_test

    classifier = priority_patient_test() if classify else None
    if path is None:
        return classifier
    try:
        ids = {line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()}
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None

    def is_priority(stay: StayProjection) -> bool:
        return stay.patient in ids or (classifier is not None and classifier(stay))

    return is_priority


def _parse_as_of(text: str | None, option: str = "--as-of") -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option}: not an ISO 8601 time: {text}") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{option} needs a UTC offset, e.g. 2024-03-01T12:00:00+01:00")
    try:
        return check_moment(moment, option)
    except ValueError as exc:  # year 0001 or 9999: a traceback when converted to UTC
        raise InvalidInput(str(exc)) from None


AnswerDeadlines = Annotated[
    list[str] | None,
    typer.Option("--answer-deadline", help="KEY=HOURS: the municipality's answer deadline for 'default', a "
                 "community id or a municipality number (repeatable; default 24 hours)."),
]


def _rules(assignments: list[str] | None) -> TransitionRules:
    from helsefellesskap.transitions.rules import DEFAULT_RULES, with_answer_deadlines

    if not assignments:
        return DEFAULT_RULES
    deadlines: dict[str, dt.timedelta] = {}
    for item in assignments:
        key, _, hours = item.partition("=")
        try:
            deadlines[key.strip()] = dt.timedelta(hours=float(hours))
        except (ValueError, OverflowError):  # not a number, NaN, or beyond timedelta's range (inf, 1e12)
            raise InvalidInput(f"--answer-deadline {item}: expected KEY=HOURS, e.g. ostfold=6") from None
    from helsefellesskap.registry.reference import load_reference

    members = {cid: list(c.municipality_numbers) for cid, c in load_reference().communities.items()}
    return with_answer_deadlines(DEFAULT_RULES, deadlines, members)


def _replay_log(log: Path, as_of: str | None, final: bool, rules: TransitionRules,
                test: PriorityPatientTest | None = None) -> tuple[list[StayResult], dt.datetime | None]:
    from helsefellesskap.transitions.replay import latest_time, paused_gc, replay

    if final and as_of is not None:
        raise InvalidInput("--final reads the log as complete: give it or --as-of, not both")
    with paused_gc():
        messages = _read_messages(log)
        moment = None if final else (_parse_as_of(as_of) or latest_time(messages))
        return replay(messages, rules=rules, as_of=moment, is_priority_patient=test), moment


@app.command("replay")
def replay_command(
    log: Annotated[Path, typer.Argument(help="JSONL file: one message per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Evaluate deadlines at this time (default: the log's latest).")]
    = None,
    final: Annotated[bool, typer.Option(help="Read the log as complete: every unmet obligation is missing.")]
    = False,
    priority_ids: Annotated[
        Path | None, typer.Option(help="File of national ids (one a line) of priority-group patients.")
    ] = None,
    classify_priority: Annotated[
        bool, typer.Option(help="Decide priority groups with the priority-groups classifier (age, sex, ICD-10).")
    ] = False,
    answer_deadline: AnswerDeadlines = None,
) -> None:
    """Replay a message log with the same engine as the service and print each stay's pathway."""
    from helsefellesskap.transitions.report import stay_summary, totals

    test = _priority_test(priority_ids, classify_priority)
    results, moment = _replay_log(log, as_of, final, _rules(answer_deadline), test)
    if as_json:
        document = {"as_of": moment.isoformat() if moment else None, "totals": totals(results),
                    "stays": [stay_summary(result) for result in results]}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_table(results, moment)


def _show(moment: dt.datetime | None) -> str:
    return moment.astimezone(OSLO).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _print_table(results: list[StayResult], as_of: dt.datetime | None) -> None:
    from rich.table import Table

    from helsefellesskap.transitions.report import totals

    console = _console(200)
    table = Table(title=f"Stays (deadlines as of {_show(as_of) if as_of else 'the end: log read as final'}, "
                  "times Europe/Oslo)")
    for column in ("stay_id", "state", "obligations (due → met: status)", "payable_days", "amount_nok", "alerts"):
        table.add_column(column, overflow="fold")
    for result in results:
        owed = "\n".join(f"{o.kind}: {_show(o.due_at)} → {_show(o.met_at)}: {o.status}" for o in result.obligations)
        amount = f"{result.payment.amount_nok:.2f}"
        if result.payment.unpriced_days:
            amount += f" (+{len(result.payment.unpriced_days)} unpriced)"
        alerts = "\n".join(alert.rule_id for alert in result.alerts)
        table.add_row(result.stay_id, str(result.state), owed, str(result.payment.payable_days), amount, alerts)
    console.print(table)
    for result in results:
        for note in result.payment.notes:
            console.print(f"{result.stay_id}: {note.text}", markup=False)
        for receipt in result.receipts:
            for error in receipt.errors:
                where = f" [{error.field}]" if error.field else ""
                sender = f" from {receipt.sender}" if receipt.sender else ""  # ids are per sender
                console.print(f"{result.stay_id}: message {receipt.message_id}{sender} {receipt.status}: "
                              f"{error.code}{where}: {error.detail}", markup=False)
    summary = totals(results)
    console.print(f"{summary['stays']} stays, {summary['payable_days']} payable days, NOK {summary['amount_nok']}",
                  markup=False)


@app.command("ledger")
def ledger_command(
    log: Annotated[Path, typer.Argument(help="JSONL file: one message per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Count open waits up to this time (default: the log's latest).")]
    = None,
    final: Annotated[bool, typer.Option(help="Read the log as complete: open waits are not counted.")] = False,
) -> None:
    """Payable days and amounts per paying municipality x health trust x month (to check an invoice)."""
    from rich.table import Table

    from helsefellesskap.transitions.report import ledger
    from helsefellesskap.transitions.rules import DEFAULT_RULES

    results, _ = _replay_log(log, as_of, final, DEFAULT_RULES)
    lines = ledger(results, _health_trust_of())
    rows = [{"municipality": x.municipality, "health_trust": x.health_trust, "month": x.month,
             "payable_days": x.payable_days, "unpriced_days": x.unpriced_days, "amount_ore": x.amount_ore,
             "amount_nok": f"{x.amount_nok:.2f}"} for x in lines]
    if as_json:
        typer.echo(json.dumps({"ledger": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(title="Municipal payment ledger (forskrift § 13)")
    for column in ("municipality", "health_trust", "month", "payable_days", "unpriced_days", "amount_nok"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("municipality", "health_trust", "month", "payable_days",
                                               "unpriced_days", "amount_nok")))
    _console(160).print(table)


def _health_trust_of() -> Callable[[str], str]:
    """Hospital (or trust) address -> health trust id, from the shipped register (the same mapping as the
    service's ledger); unknown addresses stay as they are."""
    from helsefellesskap.transitions.projection import health_trust_of

    return health_trust_of


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of one message (the wire contract)."""
    from helsefellesskap.transitions.messages import message_json_schema

    typer.echo(json.dumps(message_json_schema(), ensure_ascii=False, indent=2))


def _principal(session: Session, username: str) -> Principal:
    from helsefellesskap.access.users import get_user

    return get_user(session, username)


@app.command("ingest")
def ingest_command(
    log: Annotated[Path, typer.Argument(help="JSONL file: one message per line.")],
    username: Annotated[str, typer.Option("--as", help="The user (e.g. a messaging_system of the sending "
                                                       "organisation) the messages are submitted as.")],
    now: Annotated[str | None, typer.Option(help="The service's clock for deadlines (default: the wall clock).")]
    = None,
) -> None:
    """Feed a log through the service into the configured database, in one transaction (all or nothing), as one
    batch (`receive_messages`: what receiving each line in turn gives, with far fewer SQL statements).
    Redelivering the same log changes nothing: every message is then a duplicate."""
    from helsefellesskap.cli import open_database
    from helsefellesskap.transitions.batch import Outcome, Submission, receive_batch
    from helsefellesskap.transitions.replay import paused_gc
    from helsefellesskap.transitions.views import ReceiptView

    moment = _parse_as_of(now, "--now") or dt.datetime.now(dt.UTC)
    counts = {"accepted": 0, "flagged": 0, "duplicate": 0, "rejected": 0}
    try:
        lines = [line for line in log.read_bytes().splitlines() if line.strip()]
    except OSError as exc:
        raise InvalidInput(f"cannot read {log}: {exc.strerror}") from None
    def submissions(session: Session) -> list[Submission]:
        principal = _principal(session, username)
        return [(principal, line) for line in lines]

    def refuse_any(outcomes: list[Outcome]) -> None:
        for number, receipt in enumerate(outcomes, start=1):
            if isinstance(receipt, DomainError):  # the whole ingest is rolled back
                receipt.detail = f"line {number}: {receipt.detail}"
                raise receipt

    database = open_database()
    with paused_gc():
        outcomes = receive_batch(database, submissions, now=moment, source=f"cli ingest {log.name}", check=refuse_any)
    for receipt in outcomes:
        assert isinstance(receipt, ReceiptView)  # refuse_any let none else through
        if receipt.duplicate:
            counts["duplicate"] += 1
        elif receipt.status == "rejected":
            counts["rejected"] += 1
        else:
            counts["accepted"] += 1
            counts["flagged"] += receipt.status == "ok_with_errors"
    database.dispose()
    typer.echo(f"{len(lines)} messages: {counts['accepted']} accepted ({counts['flagged']} flagged), "
               f"{counts['duplicate']} duplicate, {counts['rejected']} rejected")


@app.command("board")
def board_command(
    username: Annotated[str, typer.Option("--as", help="The user whose board it is.")],
    municipality: Annotated[bool, typer.Option("--municipality", help="The municipality's board.")] = False,
    hospital: Annotated[bool, typer.Option("--hospital", help="The hospital's board (the default).")] = False,
    state: Annotated[str | None, typer.Option(help="A state, or 'all' (default: active stays).")] = None,
) -> None:
    """Print a board of stays as the user sees it (audited like the web board)."""
    from rich.table import Table

    from helsefellesskap.cli import open_database
    from helsefellesskap.transitions.boards import hospital_board, municipality_board

    if municipality and hospital:
        raise InvalidInput("choose --hospital or --municipality")
    database = open_database()
    moment = dt.datetime.now(dt.UTC)
    with database.unit_of_work() as session:
        principal = _principal(session, username)
        board = municipality_board if municipality else hospital_board
        rows = board(session, principal, now=moment, state=state)
    database.dispose()
    table = Table(title=f"{'Municipality' if municipality else 'Hospital'} board of {username} (times Europe/Oslo)")
    for column in ("stay_id", "patient", "hospital", "municipality", "state", "ready", "answer", "days_waiting",
                   "payable_days", "alerts"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.stay_id, row.patient, row.hospital.name or row.hospital.address or "-",
                      row.municipality.name or row.municipality.number or "-", row.state, _show(row.ready_at),
                      row.answer or "-", str(row.days_waiting if row.days_waiting is not None else "-"),
                      str(row.payable_days), str(row.open_alerts))
    _console(200).print(table)


@app.command("gp-list")
def gp_list_command(
    username: Annotated[str, typer.Option("--as", help="The GP whose list it is.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print the GP's list ("Mine pasienter") as the user sees it: the patients on the GP office's list in hospital
    now or discharged in the last 30 days (GPs only; audited like the API, one entry per person shown)."""
    from rich.table import Table

    from helsefellesskap.cli import open_database
    from helsefellesskap.transitions.gp_list import RECENT_DAYS, gp_list

    database = open_database()
    with database.unit_of_work() as session:
        principal = _principal(session, username)
        rows = gp_list(session, principal, now=dt.datetime.now(dt.UTC))
    database.dispose()
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Patients of {username} in hospital now or discharged in the last {RECENT_DAYS} days "
                  "(times Europe/Oslo)")
    for column in ("patient", "age", "sex", "stay_id", "hospital", "state", "admitted", "discharged", "alerts",
                   "discharge_summary"):
        table.add_column(column)
    for row in rows:
        summary = row.discharge_summary + (f" {_show(row.discharge_summary_at)}" if row.discharge_summary_at else "")
        table.add_row(row.patient, str(row.age) if row.age is not None else "-", row.sex or "-", row.stay_id,
                      row.hospital.name or row.hospital.address or "-", row.state, _show(row.admitted_at),
                      _show(row.discharged_at), str(row.open_alerts), summary)
    _console(200).print(table)


rates_app = typer.Typer(help="The daily rate (døgnpris) of each year: list them, or set one (administrator).",
                        no_args_is_help=True)
app.add_typer(rates_app, name="rates")


def _operator() -> Principal:
    """The CLI acts as the local administrator, named by the OS account in the audit log (as `access` commands)."""
    import getpass

    from helsefellesskap.access.model import Principal, Role

    name = f"cli:{getpass.getuser()}"
    return Principal(name, name, f"CLI operator {getpass.getuser()}", None, frozenset({Role.ADMINISTRATOR}))


def _whole_number(text: str, what: str) -> int:
    """An argument read as a whole number; anything else is bad input (exit 2, one line)."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if not cleaned.isascii() or not cleaned.isdigit():
        raise InvalidInput(f"{what} must be a whole number, not {text!r}")
    return int(cleaned)


@rates_app.command("list")
def rates_list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every year's effective daily rate, its source, and whether it is from the shipped official table."""
    from rich.table import Table

    from helsefellesskap.cli import open_database
    from helsefellesskap.transitions.rates_service import list_rates

    database = open_database()
    with database.unit_of_work() as session:
        rates = list_rates(session, _operator(), now=dt.datetime.now(dt.UTC))
    database.dispose()
    if as_json:
        typer.echo(json.dumps([rate.model_dump(mode="json") for rate in rates], ensure_ascii=False, indent=2))
        return
    table = Table(title="Daily rates (døgnpris, forskrift § 13)")
    for column in ("year", "NOK per day", "origin", "source"):
        table.add_column(column)
    for rate in rates:
        origin = "shipped (official)" if rate.official else f"operator: {rate.set_by}, {_show(rate.set_at)}"
        table.add_row(str(rate.year), str(rate.nok_per_day) if rate.nok_per_day is not None else "unknown", origin,
                      rate.source)
    _console(200).print(table)


@rates_app.command("set")
def rates_set_command(
    year: Annotated[str, typer.Argument(help="The calendar year (2012 or later).")],
    nok: Annotated[str, typer.Argument(help="NOK per delayed-discharge day, a whole number.")],
    source: Annotated[str | None, typer.Option("--source", help="Where the figure comes from (required), e.g. "
                                                   "'Prop. 1 S (2024–2025), Helse- og omsorgsdepartementet'.")]
    = None,
) -> None:
    """Set a year's daily rate in the database, over the shipped table (audited as the CLI operator; the stored
    ledger of that year is repriced)."""
    import platform

    from helsefellesskap.cli import open_database
    from helsefellesskap.transitions.rates_service import set_rate

    chosen_year, nok_per_day = _whole_number(year, "YEAR"), _whole_number(nok, "NOK")
    database = open_database()
    with database.unit_of_work() as session:
        rate = set_rate(session, _operator(), chosen_year, nok_per_day, source or "", now=dt.datetime.now(dt.UTC),
                        request_source=f"cli {platform.node()}")
    database.dispose()
    typer.echo(f"daily rate {rate.year}: {rate.nok_per_day} NOK per day (source: {rate.source})")
