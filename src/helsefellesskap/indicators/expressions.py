"""One Ibis expression per indicator, written against the abstract `Twin` tables, so the same code runs on
DuckDB, SQLite, PostgreSQL and Spark.

Each indicator builds its *units*: one row per thing counted, with the columns
`person_id, municipality, month, numerator, denominator, spread` (month null unless the result is by month;
person_id null in rows that count many persons at once, which only a run without the priority groups builds:
`by_person` False).
Numerator and denominator rows may be different things (stays and inhabitants): they are summed per group by
`aggregate`, which adds the community (from the municipality) and the priority group (from the person) when asked
for. A population denominator counts every person in every month (`spread`: EVERY_MONTH, or EVERY_DAY for
person-days): `aggregate` sums such rows by the other dimensions first and only then spreads the sums over the
months — instead of crossing 5.5 million persons with the months — and the few persons who died add corrections.
The definitions and their sources are in `catalogue.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from helsefellesskap.indicators import catalogue as c
from helsefellesskap.indicators.engines import MESSAGE_TYPES, Twin, union_all
from helsefellesskap.indicators.groups import GROUP_BITS, STORED_CODES, matching_rows, person_codes
from helsefellesskap.indicators.model import NO_PRIORITY_GROUP, Dimension, Period, next_month
from helsefellesskap.indicators.timeline import (
    DAY,
    EPOCH,
    HOUR,
    LOCAL_OFFSET,
    aged_at_least,
    aged_on_days,
    day_number,
    day_of,
    local_day,
    seconds,
)
from helsefellesskap.priority_groups.codes import CodeSet

UNIT_COLUMNS = ("person_id", "municipality", "month", "numerator", "denominator", "spread", "known_mask")
# `spread` of a unit: its own month (or none); in every month of the period; in every day of the period (per month:
# times the days of the month; not by month: times the days of the period).
OWN_MONTH, EVERY_MONTH, EVERY_DAY = 0, 1, 2
NO_MONTH = ibis.null("int64")
NO_MASK = ibis.null("int64")
READMISSION_CODES = CodeSet(frozenset(p for group in c.READMISSION_GROUPS.values() for p in group))
INSTITUTIONAL_SERVICES = ("short_term_stay", "nursing_home", "municipal_acute_bed")


def _units(table: ir.Table, *, numerator: ir.Value | int, denominator: ir.Value | int,
           month: ir.Value = NO_MONTH, spread: int = OWN_MONTH, known_mask: ir.Value | None = None) -> ir.Table:
    """The unit columns, in order and with the same types on every engine. `known_mask`: the priority groups
    (`groups.GROUP_BITS`) of units that count many persons at once (person_id null) by their groups; null where
    `aggregate` looks them up by the person."""

    def value(v: ir.Value | int) -> ir.Value:
        return ibis.literal(v) if isinstance(v, int) else v

    return table.select(
        person_id=table.person_id.cast("int64"), municipality=table.municipality.cast("string"),
        month=month.cast("int64"), numerator=value(numerator).cast("int64"),
        denominator=value(denominator).cast("int64"), spread=ibis.literal(spread).cast("int64"),
        known_mask=(NO_MASK if known_mask is None else known_mask).cast("int64"),
    )


def _anchored(table: ir.Table, day: ir.IntegerValue, period: Period, by_month: bool) -> tuple[ir.Table, ir.Value]:
    """The table and its `month`: the calendar month of `day` (a day number), or null when not by month.
    Months are looked up in a small table of the days (an equi-join: a hash lookup per row, where a range join
    over the months sorted all 1.7 million transition events at scale 1.0) that reaches a year past the period,
    so an event after the period's end keeps its month."""
    if not by_month:
        return table, NO_MONTH
    calendar = days_of(Period(period.start, date(period.end.year + 1, period.end.month, 1)))
    joined = table.join(calendar, day == calendar.calendar_day)
    return joined, joined.month


def days_of(period: Period) -> ir.Table:
    """calendar_day (day number), month (YYYYMM): every day of the period."""
    first, last = day_of(period.start), day_of(period.end)
    dates = [EPOCH + timedelta(days=d) for d in range(first, last)]
    return ibis.memtable({"calendar_day": list(range(first, last)), "month": [d.year * 100 + d.month for d in dates]})


def months_of(period: Period) -> ir.Table:
    """month (YYYYMM), first_day, next_day: the calendar months of the period, as day numbers."""
    rows: list[tuple[int, int, int]] = []
    first = date(period.start.year, period.start.month, 1)
    while first < period.end:
        following = next_month(first)
        month = first.year * 100 + first.month
        rows.append((month, day_of(max(first, period.start)), day_of(min(following, period.end))))
        first = following
    return ibis.memtable({
        "month": [r[0] for r in rows], "first_day": [r[1] for r in rows], "next_day": [r[2] for r in rows],
    })  # fmt: skip


def in_period(day: ir.IntegerValue, period: Period) -> ir.BooleanValue:
    """A (local) day number inside the period [start, end): each indicator counts what its anchor day puts in the
    period — an admission, a discharge, a transition — so a chosen period (and the twin's spill-over into the
    next year: a stay admitted on 31 December and discharged in January) counts only its own events."""
    return (day >= day_of(period.start)) & (day < day_of(period.end))


def admission_days(twin: Twin) -> tuple[int, int]:
    """The first and last (local) admission days of the twin's stays (one small query, once per twin)."""
    if "admission_days" not in twin.facts:
        day = local_day(twin.stays.admitted_at)
        span = twin.backend.execute(twin.stays.aggregate(first=day.min(), last=day.max())).iloc[0]
        twin.facts["admission_days"] = (0, -1) if span.isna().any() else (int(span["first"]), int(span["last"]))
    return twin.facts["admission_days"]  # type: ignore[no-any-return]


def _with_births(twin: Twin, stays: ir.Table) -> ir.Table:
    """`stays` with `born`, the patient's birth date: from the stays' birth dates a prepared twin stores
    (`stay_births`), else from the persons — one join of just these stays with them."""
    stored = twin.shared.get("stay_births")
    if stored is not None:
        births = stored.select(born_stay=stored.stay_id, born=stored.born)
        return stays.join(births, stays.stay_id == births.born_stay).drop("born_stay")
    persons = twin.persons.select(born_person=twin.persons.person_id, born=twin.persons.birth_date)
    return stays.join(persons, stays.person_id == persons.born_person).drop("born_person")


def _aged_at_admission(twin: Twin, stays: ir.Table, years: int) -> ir.Table:
    """The `stays` whose patient was aged `years` or more on the (local) day of admission."""
    joined = _with_births(twin, stays)
    aged = aged_on_days(joined.born, local_day(joined.admitted_at), years, *admission_days(twin))
    return joined.filter(aged).select(*stays.columns)


def _stay_births(twin: Twin) -> ir.Table:
    """stay_id, born: every stay with its patient's birth date, as a prepared twin stores it (`_with_births`): the
    ages at admission of three indicators without a join of the stays with the 5.5 million persons."""
    return _with_births(twin, twin.stays).select("stay_id", "born")


def _readmission_index(twin: Twin) -> ir.Table:
    """stay_id, person_id, municipality, discharged (epoch seconds), readmissions: every index stay of the
    readmission indicator, whatever the period — somatic, not ending in death or a transfer, with one of the
    diagnosis groups, patient 67+ at admission — with its acute readmissions at any hospital (each the same for
    every period: `readmission` keeps the stays its period discharges)."""
    s = twin.stays
    index = s.filter((s.service == "somatic") & ~s.destination.isin(["died", "other_hospital"]))
    index = matching_rows(twin, index, "primary_diagnosis", READMISSION_CODES)
    index = _aged_at_admission(twin, index, c.READMISSION_MIN_AGE)
    index = index.select("stay_id", "person_id", "municipality", discharged=seconds(index.discharged_at))
    acute = twin.stays.filter(twin.stays.acute).select(later_person=twin.stays.person_id,
                                                        later_admitted=seconds(twin.stays.admitted_at))
    # One pass over the index stays (used once, so the engine filters them once): each with its readmissions.
    paired = index.left_join(acute, [
        index.person_id == acute.later_person,
        acute.later_admitted >= index.discharged + c.READMISSION_MIN_HOURS * HOUR,
        acute.later_admitted <= index.discharged + c.READMISSION_MAX_DAYS * DAY,
    ])
    return paired.group_by(["stay_id", "person_id", "municipality", "discharged"]).aggregate(
        readmissions=paired.later_person.count()
    )


def readmission(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
    # NKI "Reinnleggelser av eldre innen 30 dager" [V S42]: 67+, 11 diagnosis groups, acute readmission at any
    # hospital 8 hours to 30 days after discharge [V S84]; exclusions [B] (catalogue.READMISSION).
    stays = shared(twin, "readmission_index")
    stays = stays.filter(
        ((stays.discharged + LOCAL_OFFSET) // DAY >= day_of(period.start))  # index stays discharged in the period
        & (stays.discharged <= day_of(period.end) * DAY - c.READMISSION_MAX_DAYS * DAY)
    )
    stays, month = _anchored(stays, (stays.discharged + LOCAL_OFFSET) // DAY, period, by_month)
    return _units(stays, numerator=ibis.ifelse(stays.readmissions > 0, 1, 0), denominator=1, month=month)


def messages_of(twin: Twin, kind: str) -> ir.Table:
    """The twin's messages of one type; only the types of `engines.MESSAGE_TYPES` (all DuckDB holds in memory)."""
    if kind not in MESSAGE_TYPES:
        raise ValueError(f"message type {kind!r} is not in engines.MESSAGE_TYPES: add it there first")
    return twin.messages.filter(twin.messages.type == kind)


def _payable_days(twin: Twin) -> ir.Table:
    """stay_id, days: overliggerdøgn per stay. A readiness period runs from the readiness time to the withdrawal
    or the discharge; its days count unless the municipality's first answer in it was 'can receive'
    (§ 13: payable when the municipality cannot receive or has not answered [B])."""
    s = twin.stays
    first = s.filter(s.ready_at.notnull()).select(
        "stay_id", start_s=seconds(s.ready_at), end_s=seconds(s.withdrawn_at.fill_null(s.discharged_at))
    )
    again = s.filter(s.ready_again_at.notnull()).select(
        "stay_id", start_s=seconds(s.ready_again_at), end_s=seconds(s.discharged_at)
    )
    periods = union_all(first, again)
    m = messages_of(twin, "municipal_response")
    answers = m.select(
        answer_stay=m.stay_id, sent=seconds(m.sent_at), can_receive=m.can_receive
    )
    joined = periods.left_join(answers, [
        periods.stay_id == answers.answer_stay, answers.sent >= periods.start_s, answers.sent <= periods.end_s,
    ])
    firsts = joined.group_by(["stay_id", "start_s", "end_s"]).aggregate(
        first_yes=joined.sent.min(where=joined.can_receive), first_no=joined.sent.min(where=~joined.can_receive),
    )
    payable = firsts.first_yes.isnull() | (firsts.first_no.notnull() & (firsts.first_no < firsts.first_yes))
    days = ibis.greatest((firsts.end_s + HOUR) // DAY - (firsts.start_s + HOUR) // DAY, 0)
    counted = firsts.mutate(days=ibis.ifelse(payable, days, 0))
    return counted.group_by("stay_id").aggregate(days=counted.days.sum())


def _deaths(twin: Twin, persons: ir.Table) -> ir.Table:
    """`persons` who died, with `died` (day number)."""
    deaths = twin.deaths.select(dead_person=twin.deaths.person_id, died=day_number(twin.deaths.died_on))
    return persons.join(deaths, persons.person_id == deaths.dead_person)


def _inhabitants(twin: Twin, period: Period, by_month: bool, min_age: int) -> ir.Table:
    persons = twin.persons.filter(aged_at_least(twin.persons.birth_date, period.start, min_age))
    if not by_month:
        return _units(persons, numerator=0, denominator=1)
    # Alive at the start of each month: everyone in every month, less the dead in the months that start after.
    every = _units(persons, numerator=0, denominator=1, spread=EVERY_MONTH)
    gone = _deaths(twin, persons).cross_join(months_of(period))
    gone = gone.filter(gone.died < gone.first_day)
    return union_all(every, _units(gone, numerator=0, denominator=-1, month=gone.month))


def _delayed_stays(twin: Twin) -> ir.Table:
    """stay_id, person_id, municipality, admitted and discharged (local day numbers), born, days: every stay with a
    readiness, its payable days (`_payable_days`) and its patient's birth date, whatever the period."""
    s = twin.stays
    joined = _with_births(twin, s.join(shared(twin, "payable_days"), "stay_id"))
    return joined.select("stay_id", "person_id", "municipality", admitted=local_day(joined.admitted_at),
                         discharged=local_day(joined.discharged_at), born=joined.born, days=joined.days)


def delayed_discharge_days(min_age: int) -> Callable[[Twin, Period, bool, bool], ir.Table]:
    def build(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
        # Overliggerdøgn per 1 000 inhabitants [V S85, S86]; counted days per forskrift § 13 [B].
        stays = shared(twin, "delayed_stays")
        days = stays.filter(in_period(stays.discharged, period)
                            & aged_on_days(stays.born, stays.admitted, min_age, *admission_days(twin)))
        days, month = _anchored(days, days.discharged, period, by_month)
        numerator = _units(days, numerator=days.days, denominator=0, month=month)
        return union_all(numerator, _inhabitants(twin, period, by_month, min_age))

    return build


def _first_sent(twin: Twin, kind: str) -> ir.Table:
    m = messages_of(twin, kind)
    return m.group_by(m.stay_id.name(f"{kind}_stay")).aggregate(**{f"{kind}_sent": seconds(m.sent_at).min()})


def _notice_stays(twin: Twin) -> ir.Table:
    """stay_id, person_id, municipality, admitted (local day number), on_time (0 or 1): every stay with a readiness
    and whether both its notices met their deadlines, whatever the period."""
    # § 8: admission notice within 24 hours of admission; § 10: readiness notice the same day [B].
    stays = twin.stays.filter(twin.stays.ready_at.notnull())
    admission, readiness = _first_sent(twin, "admission_notice"), _first_sent(twin, "ready_for_discharge")
    joined = stays.left_join(admission, stays.stay_id == admission.admission_notice_stay)
    joined = joined.left_join(readiness, joined.stay_id == readiness.ready_for_discharge_stay)
    admitted_ok = joined.admission_notice_sent <= seconds(joined.admitted_at) + c.ADMISSION_NOTICE_HOURS * HOUR
    ready_ok = (joined.ready_for_discharge_sent + HOUR) // DAY == local_day(joined.ready_at)
    on_time = admitted_ok.fill_null(False) & ready_ok.fill_null(False)
    return joined.select("stay_id", "person_id", "municipality", admitted=local_day(joined.admitted_at),
                         on_time=ibis.ifelse(on_time, 1, 0))


def notices_on_time(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
    # § 8: admission notice within 24 hours of admission; § 10: readiness notice the same day [B].
    stays = shared(twin, "notice_stays")
    stays = stays.filter(in_period(stays.admitted, period))
    stays, month = _anchored(stays, stays.admitted, period, by_month)
    return _units(stays, numerator=stays.on_time, denominator=1, month=month)


def transition_events(twin: Twin, period: Period) -> ir.Table:
    """person_id, municipality (of residence, as the stay or service records it), at (epoch seconds) and third_at
    (`_transition_events`): every transition in the period."""
    events = shared(twin, "transition_events")
    day = (events.at + HOUR) // DAY
    return events.filter((day >= day_of(period.start)) & (day < day_of(period.end)))


def _transition_events(twin: Twin) -> ir.Table:
    """person_id, municipality, at: every transition of the twin, whatever the period, and third_at: the time of
    the person's second transition after this one (null when there is none). Looking forward only, it is the
    same within any period that holds the event: the transitions between it and that one lie in the period
    exactly when that one does (`three_transitions_in_30_days`) — so the window is run once per twin, not per
    period, and a prepared twin (`prepared.py`) stores it."""
    # Each event in the municipality its stay or service records (the patient's municipality of residence then,
    # as NPR and KPR record it): no join of 1.7 million events with the persons (0.2 CPU s at scale 1.0).
    s = twin.stays
    admissions = s.select("person_id", "municipality", at=seconds(s.admitted_at))
    discharges = s.filter(s.destination != "died").select("person_id", "municipality", at=seconds(s.discharged_at))
    v = twin.services
    started = v.filter(v.kind.isin(list(INSTITUTIONAL_SERVICES)) & ~v.origin.isin(["baseline", "discharge"]))
    services = started.select("person_id", "municipality", at=day_number(started.start) * DAY)
    events = union_all(admissions, discharges, services)
    # Transitions at the same time (a discharge from one municipality's stay and an admission recorded in another
    # at the same instant) in a fixed order, by municipality: otherwise which of them starts a run of three is
    # the engine's choice of the moment, and a run's result would depend on how it was planned. Ties in the same
    # municipality are the same row for every column read, whichever comes first.
    third = events.at.lead(c.CLUSTER_TRANSITIONS - 1).over(group_by=events.person_id,
                                                           order_by=[events.at, events.municipality])
    return events.mutate(third_at=third)


def _residents(twin: Twin) -> ir.Table:
    """municipality, persons: the twin's persons counted by municipality of residence."""
    persons = twin.persons
    return persons.group_by("municipality").aggregate(persons=persons.count())


def group_residents(twin: Twin, masks: ir.Table) -> ir.Table:
    """municipality, group_mask, persons: the twin's persons counted by municipality of residence and priority
    groups (`masks`: `groups.group_masks` as of some day; a person not in it is in no group), as a prepared twin
    stores them for its reference date (`Twin.group_residents`)."""
    persons = twin.persons.left_join(masks, twin.persons.person_id == masks.group_person)
    mask = persons.group_mask.fill_null(GROUP_BITS[NO_PRIORITY_GROUP])
    return persons.group_by(municipality=persons.municipality, group_mask=mask).aggregate(persons=persons.count())


def transitions_per_person_year(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
    # A transition = a move between levels of care (the definition) [B].
    events = transition_events(twin, period)
    anchored, month = _anchored(events, (events.at + HOUR) // DAY, period, by_month)
    numerator = _units(anchored, numerator=1, denominator=0, month=month)
    # Person-days: every day of the period for everyone, less the days after death (to the death day). Without a
    # breakdown by person (priority groups), everyone counted by municipality: one row each, not one per person.
    counted = twin.group_residents.get(period.last_day)  # a prepared twin's, for its priority groups' reference
    if by_person and counted is not None:  # by priority group: the residents counted by municipality and groups
        counted = counted.mutate(person_id=ibis.null("int64"))
        every = _units(counted, numerator=0, denominator=counted.persons, spread=EVERY_DAY,
                       known_mask=counted.group_mask)
    elif by_person:
        every = _units(twin.persons, numerator=0, denominator=1, spread=EVERY_DAY)
    else:
        residents = shared(twin, "residents").mutate(person_id=ibis.null("int64"))
        every = _units(residents, numerator=0, denominator=residents.persons, spread=EVERY_DAY)
    dead = _deaths(twin, twin.persons)
    start, end = day_of(period.start), day_of(period.end)
    if not by_month:
        lost = ibis.greatest(ibis.least(dead.died, end) - start, 0) - (end - start)
        return union_all(numerator, every, _units(dead, numerator=0, denominator=lost))
    months = dead.cross_join(months_of(period))
    lived = ibis.greatest(ibis.least(months.died, months.next_day) - months.first_day, 0)
    lost = lived - (months.next_day - months.first_day)
    return union_all(numerator, every, _units(months, numerator=0, denominator=lost, month=months.month))


def three_transitions_in_30_days(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
    # Three or more transitions within 30 days: the third at most 30 days after the first [B].
    events = transition_events(twin, period)
    # The third transition counts when it too lies in the period (it does when its day is before the end: it is
    # no earlier than the first, which is in the period).
    third = events.third_at
    third_in_period = (third + HOUR) // DAY < day_of(period.end)
    flagged = events.mutate(starts=ibis.ifelse(
        third.notnull() & (third - events.at <= c.CLUSTER_DAYS * DAY) & third_in_period, 1, 0))
    flagged, month = _anchored(flagged, (flagged.at + HOUR) // DAY, period, by_month)
    flagged = flagged.mutate(month=month)
    persons = flagged.group_by(["person_id", "municipality", "month"]).aggregate(numerator=flagged.starts.max())
    return _units(persons, numerator=persons.numerator, denominator=1, month=persons.month)


def days_ready_to_discharge(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
    # NPR time points utskrivningsklar and discharge [V S47]; the last readiness counts after a withdrawal.
    s = twin.stays.filter(twin.stays.ready_at.notnull() & (twin.stays.destination != "died")
                          & in_period(local_day(twin.stays.discharged_at), period))
    ready = s.ready_again_at.fill_null(s.ready_at)
    days = ibis.greatest(local_day(s.discharged_at) - local_day(ready), 0)
    s, month = _anchored(s, local_day(s.discharged_at), period, by_month)
    return _units(s, numerator=days, denominator=1, month=month)


def days_first_stay_to_nursing_home(twin: Twin, period: Period, by_month: bool, by_person: bool = True) -> ir.Table:
    homes = twin.services.filter(twin.services.kind == "nursing_home")
    homes = homes.select(home_person=homes.person_id, home_day=day_number(homes.start))
    # The first stays of the persons with a nursing-home place only (a semi-join: 34 000 of 600 000 patients at
    # scale 1.0), not every patient's first stay grouped and then joined.
    s = twin.stays.filter(twin.stays.person_id.isin(homes.home_person)
                          & in_period(local_day(twin.stays.admitted_at), period))  # the first stay in the period
    first = s.group_by("person_id").aggregate(first_stay_day=local_day(s.admitted_at).min())
    joined = first.join(homes, first.person_id == homes.home_person)
    per_person = joined.group_by(["person_id", "first_stay_day"]).aggregate(
        before=joined.home_day.min(where=joined.home_day < joined.first_stay_day),
        after=joined.home_day.min(where=joined.home_day >= joined.first_stay_day),
    )
    # Persons already in a nursing home before their first stay are left out.
    admitted = per_person.filter(per_person.before.isnull() & per_person.after.notnull())
    admitted = admitted.join(twin.persons.select("person_id", "municipality"), "person_id")
    admitted, month = _anchored(admitted, admitted.first_stay_day, period, by_month)
    return _units(admitted, numerator=admitted.after - admitted.first_stay_day, denominator=1, month=month)


# Sub-expressions the indicators read, each the same for every period (the indicators restrict them to theirs;
# name: the indicators that store it for a run, the expression). A prepared twin (`prepared.py`) holds them all
# (`Twin.shared`); a run on the Parquet files or the database stores those two or more of its indicators read
# (`service._with_shared`; on SQLite those one reads) as temporary tables, and computes the others inside the
# query of the indicator that reads them — where the engine restricts them to what that indicator needs.
SHARED: dict[str, tuple[tuple[str, ...], Callable[[Twin], ir.Table]]] = {
    "payable_days": ((c.DELAYED_67.id, c.DELAYED_80.id), _payable_days),
    "transition_events": ((c.TRANSITIONS.id, c.CLUSTERED.id), _transition_events),
    # Stored by a prepared twin only (`_with_births`); in a run each indicator joins its own stays to the persons.
    "stay_births": ((), _stay_births),
    # The units of an indicator, stored by a prepared twin: the indicator then only keeps its period's.
    "readmission_index": ((), _readmission_index),
    "delayed_stays": ((), _delayed_stays),
    "notice_stays": ((), _notice_stays),
    "residents": ((), _residents),
    # Every classified diagnosis code of every person, whatever the day: the priority groups of a period whose
    # groups the prepared twin does not hold are classified from these, not from the 20+ million source rows.
    STORED_CODES: ((), person_codes),
}


def shared(twin: Twin, name: str) -> ir.Table:
    """The shared sub-expression `name` (see SHARED): the stored table when there is one."""
    stored = twin.shared.get(name)
    return SHARED[name][1](twin) if stored is None else stored


EXPRESSIONS: dict[str, Callable[[Twin, Period, bool, bool], ir.Table]] = {
    c.READMISSION.id: readmission,
    c.DELAYED_67.id: delayed_discharge_days(67),
    c.DELAYED_80.id: delayed_discharge_days(80),
    c.NOTICES.id: notices_on_time,
    c.TRANSITIONS.id: transitions_per_person_year,
    c.CLUSTERED.id: three_transitions_in_30_days,
    c.READY_TO_DISCHARGE.id: days_ready_to_discharge,
    c.FIRST_STAY_TO_NURSING_HOME.id: days_first_stay_to_nursing_home,
}


# The column that tells apart the indicators whose units `aggregate` sums together (`tagged`).
INDICATOR = "indicator_position"


def tagged(units: list[ir.Table]) -> ir.Table:
    """The units of several indicators as one table, each row with its indicator's position in `units`
    (`INDICATOR`): `aggregate` then sums them all in one pass — one lookup of the priority groups, the
    communities and the months for all of them, not one per indicator."""
    return union_all(*(u.mutate(**{INDICATOR: ibis.literal(i, "int64")}) for i, u in enumerate(units)))


def aggregate(units: ir.Table, twin: Twin, dimensions: tuple[Dimension, ...], groups: ir.Table | None,
              period: Period, community: str | None = None) -> ir.Table:
    """Sum numerator and denominator per requested dimension (community via the municipality, priority group
    via the person), and per indicator when the units are `tagged`; `community` keeps only that community's
    municipalities. The units are summed by municipality, priority group, month and spread first; only those sums
    meet the municipalities' communities and, when spread (see `spread`), the months. Tagged units without a
    dimension give no row for an indicator without units (`service` gives it its empty row)."""
    table = units.view()  # a fresh relation: joining onto a finished join chain confuses Ibis otherwise
    by_group = Dimension.priority_group in dimensions
    by_indicator = INDICATOR in units.columns
    inner: list[str | ir.Value] = [INDICATOR] if by_indicator else []
    if by_group:
        if groups is None:
            raise ValueError("grouping by priority group needs the group_masks table")
        # One row per person in some group (their groups as bits): the units are summed by the mask, and only the
        # sums are told apart into the groups (a person in several counts in each) — not every unit once per
        # group. A person not in the table is in no group.
        table = table.left_join(groups, table.person_id == groups.group_person)
        mask = ibis.coalesce(table.known_mask, table.group_mask, GROUP_BITS[NO_PRIORITY_GROUP])
        inner.append(mask.name("group_mask"))
    by_place = community is not None or bool({Dimension.community, Dimension.municipality} & set(dimensions))
    by_month = Dimension.month in dimensions
    inner += [k for k, wanted in (("municipality", by_place), ("month", by_month)) if wanted]
    # One pass over the units (referenced once: a second reference nests too deep for SQLite's parser).
    grouped = table.group_by([*inner, "spread"]).aggregate(
        group_numerator=table.numerator.sum(), group_denominator=table.denominator.sum())
    if by_place:
        m = twin.municipalities
        places = m.select(place=m.municipality, community=m.community)
        grouped = grouped.join(places, grouped.municipality == places.place)
        if community is not None:
            grouped = grouped.filter(grouped.community == community)
    if by_group:
        names = ibis.memtable({"priority_group": list(GROUP_BITS), "group_bit": list(GROUP_BITS.values())})
        grouped = grouped.cross_join(names)
        grouped = grouped.filter((grouped.group_mask // grouped.group_bit) % 2 == 1)
    if by_month:
        # Spread sums joined to every month of the period, the others to none.
        months = months_of(period)
        months = months.select(every_month=months.month, days=months.next_day - months.first_day)
        grouped = grouped.left_join(months, grouped.spread != OWN_MONTH)
        weight = ibis.ifelse(grouped.spread == EVERY_DAY, grouped.days, 1)
        month = {"month": ibis.ifelse(grouped.spread == OWN_MONTH, grouped.month, grouped.every_month)}
    else:
        weight, month = ibis.ifelse(grouped.spread == EVERY_DAY, period.days, 1), {}
    keys = [*([INDICATOR] if by_indicator else []), *(d.value for d in dimensions)]
    rows = grouped.select(*(grouped[k] for k in keys if k != "month"), **month,
                          numerator=grouped.group_numerator * weight, denominator=grouped.group_denominator * weight)
    sums = {"numerator": rows.numerator.sum(), "denominator": rows.denominator.sum()}
    return rows.group_by(keys).aggregate(**sums) if keys else rows.aggregate(**sums)
