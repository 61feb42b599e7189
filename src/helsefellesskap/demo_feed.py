"""Feeding the demo's messages through the transitions service, as the organisations' integration clients would:
the hospital's messages as the seeded `integrasjon` user (the hospital's EPJ), each municipality's answers as that
municipality's own messaging system. Also the demo patient's own stays, so that "who has looked at my data" has
something to show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.access.seeding import DEMO_GP_OFFICE, DEMO_MUNICIPALITY, default_demo_organisations
from helsefellesskap.access.service import party_of
from helsefellesskap.access.users import demo_patient_national_id, get_user
from helsefellesskap.db import Database
from helsefellesskap.errors import DomainError
from helsefellesskap.transitions import service as transitions
from helsefellesskap.transitions.batch import Submission
from helsefellesskap.transitions.calendar import end_of_oslo_day
from helsefellesskap.transitions.replay import paused_gc
from helsefellesskap.transitions.sample import StayBuilder, synthetic_national_id

SOURCE = "demo"
BATCH = 2000  # messages per unit of work at most (a busy day of the default twin has about 300)
INBOX_ROUND = dt.timedelta(days=7)  # the demo users acknowledge alerts older than this, once a week
INBOX_USERS = ("utskrivning", "tildeling")  # the hospital's and Hamar's inboxes (a GP has none: alerts on timelines)


class Senders:
    """The principal that submits a message: the hospital's integration user for the hospital party's messages,
    a messaging system of the sending organisation for the others (municipalities)."""

    def __init__(self, session: Session, hospital_system: Principal) -> None:
        self.hospital_system = hospital_system
        self._hospital_party = _party(session, hospital_system.organisation_address)
        self._systems: dict[str, Principal] = {}

    def of(self, session: Session, sender: str) -> Principal:
        if sender not in self._systems:
            self._systems[sender] = self.hospital_system if _party(session, sender) == self._hospital_party else (
                Principal(user_id=f"demo-system-{sender}", username=f"fagsystem-{sender}",
                          display_name=f"Fagsystem {sender}", organisation_address=sender,
                          roles=frozenset({Role.MESSAGING_SYSTEM}), national_id=None, hpr=None))
        return self._systems[sender]


def _party(session: Session, address: str | None) -> str | None:
    try:
        return party_of(session, address) if address else None
    except DomainError:
        return None


def feed(database: Database, messages: Iterable[dict[str, Any]], *, now: dt.datetime,
         progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Receive the messages (in the order they were sent) as the senders' systems would have, day by day: each
    day's messages (Oslo calendar day of sending) as batches of at most BATCH messages
    (`transitions.service.receive_messages`, one unit of work each) with the service clock at the end of that day
    — or at `now` for today —, then bring the stays still open up to `now` (`refresh_stays`). Counts by receipt
    status (or by the error a refused message got)."""
    with database.reading() as session:
        senders = Senders(session, get_user(session, "integrasjon"))
    # A year of messages keeps many objects alive (the batch's folds, settled evaluations and parsed messages): the
    # cyclic collector would rescan them over and over (about a tenth of the feed); what it would find is small.
    with paused_gc():
        counts = _feed_days(database, senders, messages, now=now, progress=progress)
    with database.unit_of_work() as session:
        transitions.refresh_stays(session, now=now)
    return counts


def _feed_days(database: Database, senders: Senders, messages: Iterable[dict[str, Any]], *, now: dt.datetime,
               progress: Callable[[int], None] | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    handled_until: dt.datetime | None = None
    for clock, batch in daily_batches(messages, now):
        def submissions(session: Session, batch: list[dict[str, Any]] = batch) -> list[Submission]:
            return [(senders.of(session, message["sender"]), message) for message in batch]

        for outcome in transitions.receive_batch(database, submissions, now=clock, source=SOURCE):
            status = type(outcome).__name__ if isinstance(outcome, DomainError) else str(outcome.status)
            counts[status] = counts.get(status, 0) + 1
        if handled_until is None:
            handled_until = clock - INBOX_ROUND
        elif clock - INBOX_ROUND >= handled_until + INBOX_ROUND:
            work_the_inboxes(database, now=clock, raised_since=handled_until)
            handled_until = clock - INBOX_ROUND
        if progress is not None:
            progress(len(batch))
    return counts


def work_the_inboxes(database: Database, *, now: dt.datetime, raised_since: dt.datetime | None = None) -> int:
    """The demo users work their alert inboxes, as coordinators would over the year: each lists its open alerts
    (audited, `list_alerts`) and acknowledges those raised since the last round and at least one round
    (`INBOX_ROUND`) before `now` (`acknowledge_alerts`, audited; the care relation is checked as for any user).
    So the history holds handled alerts and the inboxes the last week or two's open ones, not a year of them.
    Returns how many were acknowledged."""
    acknowledged = 0
    for username in INBOX_USERS:
        with database.unit_of_work() as session:
            user = get_user(session, username)
            due = [alert.id for alert in transitions.list_alerts(session, user, now=now, status="open")
                   if alert.raised_at < now - INBOX_ROUND and (raised_since is None or alert.raised_at >= raised_since)]
            # a refused one (e.g. the alert is no longer the party's) stays open, as it would
            acknowledged += len(transitions.acknowledge_alerts(session, user, due, now=now))
    return acknowledged


def daily_batches(messages: Iterable[dict[str, Any]],
                  now: dt.datetime) -> Iterator[tuple[dt.datetime, list[dict[str, Any]]]]:
    """The messages in batches of one Oslo day (at most BATCH each), with the clock at the end of that day (the
    next midnight), never later than `now`."""
    batch: list[dict[str, Any]] = []
    end: dt.datetime | None = None
    for message in messages:
        day_end = end_of_oslo_day(dt.datetime.fromisoformat(message["sent_at"]))
        if batch and end is not None and (day_end != end or len(batch) >= BATCH):
            yield min(end, now), batch
            batch = []
        end = day_end
        batch.append(message)
    if batch and end is not None:
        yield min(end, now), batch


def demo_patient_messages(now: dt.datetime) -> list[dict[str, Any]]:
    """The demo patient's stays at the demo hospital: one last spring (discharged home with services, epikrise
    to the demo GP), and one now — admitted five days ago, ready for discharge since yesterday, the municipality's
    answer still awaited."""
    organisations = default_demo_organisations()
    patient = demo_patient_national_id()
    hour = dt.timedelta(hours=1)
    day = dt.timedelta(days=1)
    earlier = StayBuilder("DEMO-PASIENT-1", patient, hospital=organisations.hospital, municipality=DEMO_MUNICIPALITY,
                          municipality_address=organisations.municipality, gp=DEMO_GP_OFFICE)
    admitted = _morning(now - 200 * day)
    earlier.admission(admitted, diagnoses=("I50.1",))
    earlier.admission_notice(admitted + 3 * hour, (admitted + 6 * day).date())
    earlier.ready(admitted + 5 * day)
    earlier.response(admitted + 5 * day + 4 * hour, can_receive=True, receive_from=admitted + 6 * day)
    earlier.discharge(admitted + 6 * day)
    earlier.discharge_summary(admitted + 6 * day + 5 * hour)
    current = StayBuilder("DEMO-PASIENT-2", patient, hospital=organisations.hospital, municipality=DEMO_MUNICIPALITY,
                          municipality_address=organisations.municipality, gp=DEMO_GP_OFFICE)
    admitted = _morning(now - 5 * day)
    current.admission(admitted, diagnoses=("J44.1",))
    current.admission_notice(admitted + 2 * hour, (now + day).date())
    current.health_information(admitted + 6 * hour)
    current.ready(_morning(now - day) + 3 * hour)
    return [m for m in earlier.messages + current.messages if m["sent_at"] <= now.isoformat()]


def hamar_waiting_messages(now: dt.datetime, count: int = 8) -> list[dict[str, Any]]:
    """Hamar residents at the demo hospital whose readiness notices wait for the allocation office: ready from
    a few hours to three days ago, no answer yet (the older ones past the answer deadline); and two the
    municipality could not receive yet, whose payable days accumulate."""
    organisations = default_demo_organisations()
    hour = dt.timedelta(hours=1)
    messages: list[dict[str, Any]] = []
    for n in range(count + 2):
        stay = StayBuilder(f"DEMO-HAMAR-{n + 1}", synthetic_national_id(900_000 + 37 * n),
                           hospital=organisations.hospital, municipality=DEMO_MUNICIPALITY,
                           municipality_address=organisations.municipality, gp=DEMO_GP_OFFICE)
        ready = now - hour * (3 + 9 * n)
        admitted = _morning(ready - hour * (30 + 12 * (n % 4)))
        stay.admission(admitted, diagnoses=(("I50.1", "J44.1", "S72.0", "I63.9")[n % 4],))
        stay.admission_notice(admitted + 2 * hour, (ready + 2 * hour * 24).date())
        stay.ready(ready)
        if n >= count:
            stay.response(ready + 4 * hour, can_receive=False)
        messages += [m for m in stay.messages if m["sent_at"] <= now.isoformat()]
    return messages


def _morning(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=7, minute=30, second=0, microsecond=0)


def demo_patient_reads(database: Database, *, now: dt.datetime) -> None:
    """Staff look at the demo patient's pathway, as they would from their boards (audited reads)."""
    patient = demo_patient_national_id()
    with database.unit_of_work() as session:
        for username in ("sykepleier", "tildeling"):
            try:
                transitions.person_pathway(session, get_user(session, username), patient, now=now)
            except DomainError:
                continue  # no care relation (yet): the reader simply has nothing to see
