"""Benchmark: generating the synthetic twin, then the full indicator set on DuckDB — from the twin's Parquet files,
and from its prepared store (`helsefellesskap prepare-twin`) — against two baselines measured in the same run.

    .venv/bin/python benchmarks/indicators.py                     # the issue's figures: twin of Norway at scale 1.0
    .venv/bin/python benchmarks/indicators.py --scale 0.05        # quick: a smaller twin
    .venv/bin/python benchmarks/indicators.py --data DIR          # a twin written by `helsefellesskap synth`
                                                                  # (prepares it: writes DIR/indicators.duckdb)

- generation (unless --data): the twin of Norway at `--scale` (default 1.0, all of Norway: about 5.6 million
  persons), one year, seed 1, into a temporary directory, as `helsefellesskap synth` writes it: persons per
  second (CPU and wall-clock) and the process's peak memory (`benchmarks/synth.py` measures generation alone,
  against a floor of its own);
- indicators: every indicator of the catalogue by community and municipality (what `helsefellesskap indicators
  --by municipality` runs), then the same with all four dimensions (community, municipality, priority group,
  month) — each from the Parquet files, and, after preparing the twin once (timed), from the prepared store; on
  the store also over two chosen periods by all four: eleven months (its priority groups stored) and to the
  middle of the eleventh month (classified from the stored codes);
- floor: DuckDB's own minimal scan-and-group of the same columns, from the Parquet files: one query per table a
  run reads, grouping by a low-cardinality key and aggregating every column it uses (no joins, no logic) —
  measured twice, for the columns the run by municipality reads and for those the run by all dimensions reads
  (the priority groups add every diagnosis code and GP contact); each run is compared with its own floor;
- the same floors once more over the prepared store's copy of those columns (what reading them costs there);
- pandas: a straightforward pandas implementation of the same indicators by municipality (what an analyst would
  otherwise write), checked to give the same numerators and denominators as both runs by municipality.

Goal (the issue): indicators within 2x of the floor, and at least 20x faster than pandas. Wall-clock seconds
(DuckDB runs on all cores, pandas on one) with CPU seconds beside; best of `--repeat` runs (preparing and pandas
once). A new twin's first run costs preparing it and then a prepared run: that sum is reported too.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from helsefellesskap.indicators.catalogue import CATALOGUE
from helsefellesskap.indicators.engines import duckdb_twin
from helsefellesskap.indicators.model import DIMENSION_ORDER, Dimension, Period, ResultColumns
from helsefellesskap.indicators.phases import Stopwatch
from helsefellesskap.indicators.prepared import prepare, store_path
from helsefellesskap.indicators.service import compute_columns, period_of

BY_MUNICIPALITY = (Dimension.community, Dimension.municipality)
FLOOR_MUNICIPALITY, FLOOR_ALL = "floor: columns read by municipality", "floor: columns read by all dimensions"
BY_MUNICIPALITY_RUN, ALL_DIMENSIONS_RUN = "indicators by municipality, Parquet", "indicators by all four, Parquet"
PREPARE_RUN = "prepare-twin (once per twin)"
STORE_FLOOR_MUNICIPALITY = "floor in the store: columns by municipality"
STORE_FLOOR_ALL = "floor in the store: columns by all dimensions"
PREPARED_MUNICIPALITY_RUN = "indicators by municipality, prepared"
PREPARED_ALL_RUN = "indicators by all four, prepared"
PREPARED_CHOSEN_RUN = "indicators by all four, prepared, 11 months"  # a period ending with a month: groups stored
PREPARED_MID_MONTH_RUN = "indicators by all four, prepared, to mid-month"  # groups classified from stored codes
PANDAS_RUN = "pandas by municipality"


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU seconds of `repeat` runs, and what the fastest (wall-clock) run returned."""
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        returned = run()
        elapsed = time.perf_counter() - wall
        best_cpu = min(best_cpu, time.process_time() - cpu)
        if elapsed < best_wall:
            best_wall, result = elapsed, returned
    return best_wall, best_cpu, result


# The columns each run reads (those of `engines.TWIN_COLUMNS` the expressions use): by municipality, and with all
# four dimensions, where the priority groups add sex, the services' end, every diagnosis code and GP contact.
READ_BY_MUNICIPALITY: dict[str, tuple[str, ...]] = {
    "municipalities": ("municipality", "community"),
    "persons": ("person_id", "birth_date", "municipality"),
    "stays": ("stay_id", "person_id", "municipality", "service", "acute", "admitted_at", "ready_at", "withdrawn_at",
              "ready_again_at", "discharged_at", "destination", "primary_diagnosis"),
    "messages": ("type", "stay_id", "sent_at", "can_receive"),
    "services": ("person_id", "municipality", "kind", "start", "origin"),
    "deaths": ("person_id", "died_on"),
}  # fmt: skip
READ_BY_ALL_DIMENSIONS: dict[str, tuple[str, ...]] = {
    **READ_BY_MUNICIPALITY,
    "persons": (*READ_BY_MUNICIPALITY["persons"], "sex"),
    "stays": (*READ_BY_MUNICIPALITY["stays"], "diagnoses"),
    "services": (*READ_BY_MUNICIPALITY["services"], "end"),
    "conditions": ("person_id", "code", "onset_date"),
    "gp_contacts": ("person_id", "contact_date", "icpc2"),
}
FLOOR_KEYS = {"stays": "municipality", "messages": "type", "persons": "municipality", "services": "kind",
              "municipalities": "community", "conditions": "person_id % 16", "gp_contacts": "person_id % 16",
              "deaths": "person_id % 16"}  # fmt: skip


def floor(directory: Path, read: dict[str, tuple[str, ...]]) -> None:
    """Scan every column a run reads and group by a small key (no joins, no indicator logic): one query per
    table, each column aggregated (a list column by its length)."""
    con = duckdb.connect()
    for table, columns in read.items():
        aggregates = ", ".join(
            f'count("{c}")' if c in ("acute", "can_receive") else f'max(len("{c}"))' if c == "diagnoses"
            else f'max("{c}")' for c in columns
        )  # fmt: skip
        con.execute(f"SELECT {FLOOR_KEYS[table]}, {aggregates} FROM read_parquet('{directory / table}.parquet') "
                    f"GROUP BY ALL").fetchall()


def store_floor(directory: Path, read: dict[str, tuple[str, ...]]) -> None:
    """The same scan-and-group of the same columns in the prepared store (`prepare-twin`) instead of the Parquet
    files: what reading the store's copy of them costs (the persons' sex is in its twin_traits, the stays'
    diagnoses one per row in twin_stay_diagnoses; its messages are the three types the indicators read)."""
    con = duckdb.connect(str(store_path(directory)), read_only=True)
    try:
        for table, columns in read.items():
            parts = {table: [c for c in columns if c not in ("sex", "diagnoses")]}
            if "sex" in columns:
                parts["traits"] = ["sex"]
            if "diagnoses" in columns:
                parts["stay_diagnoses"] = ["code"]
            for name, chosen in parts.items():
                aggregates = ", ".join(f'count("{c}")' if c in ("acute", "can_receive") else f'max("{c}")'
                                       for c in chosen)
                key = FLOOR_KEYS.get(name, "left(code, 1)" if name == "stay_diagnoses" else "person_id % 16")
                con.execute(f'SELECT {key}, {aggregates} FROM "twin_{name}" GROUP BY ALL').fetchall()
    finally:
        con.close()


def engine_run(directory: Path, dimensions: tuple[Dimension, ...], *, prepared: bool = False,
               period: Period | None = None) -> tuple[list[ResultColumns], Stopwatch]:
    """The indicators by `dimensions`, as `helsefellesskap indicators` runs them, with the time of each phase: from
    the Parquet files, or (`prepared`) from the twin's prepared store, which must be current; over `period` (default
    the twin's recorded period)."""
    watch = Stopwatch()
    with watch.phase("open twin"):  # Parquet: loading the tables every indicator reads into DuckDB's memory
        twin = duckdb_twin(directory, prepared=prepared)
    if prepared and twin.store is None:
        raise RuntimeError(f"{directory} has no current prepared store")
    try:
        return compute_columns(twin, CATALOGUE, dimensions, period=period, threshold=1, stopwatch=watch), watch
    finally:
        twin.backend.disconnect()


def totals(results: list[ResultColumns]) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.indicator, r.dimensions["municipality"]): (r.numerator or 0, r.denominator or 0)
            for columns in results for r in columns.rows()}


# --- the pandas baseline: the same definitions, written the way an analyst would, by municipality -------------

DAY_S, HOUR_S = 86_400, 3_600


def _secs(column: pd.Series) -> pd.Series:
    return column.astype("datetime64[us, UTC]").astype("int64") // 1_000_000


def _local_day(column: pd.Series) -> pd.Series:
    return (_secs(column) + HOUR_S) // DAY_S


def _days(column: pd.Series) -> pd.Series:
    return (pd.to_datetime(column) - pd.Timestamp("1970-01-01")).dt.days


def _age_reached(birth: pd.Series, years: int, day: pd.Series) -> pd.Series:
    born = pd.to_datetime(birth)
    birthday = pd.to_datetime(pd.DataFrame({"year": born.dt.year + years, "month": born.dt.month, "day": 1}))
    birthday = birthday + pd.to_timedelta(born.dt.day - 1, unit="D")  # 29 February -> 1 March
    return _days(birthday) <= day


def _count(frame: pd.DataFrame, numerator: str, denominator: str) -> dict[str, tuple[int, int]]:
    sums = frame.groupby("municipality")[[numerator, denominator]].sum()
    return {m: (int(r[numerator]), int(r[denominator])) for m, r in sums.iterrows()}


def pandas_indicators(directory: Path, period: object) -> dict[tuple[str, str], tuple[int, int]]:
    from helsefellesskap.indicators import catalogue as c
    from helsefellesskap.indicators.expressions import READMISSION_CODES

    def read(name: str) -> pd.DataFrame:
        return pd.read_parquet(directory / f"{name}.parquet", columns=list(READ_BY_MUNICIPALITY[name]))

    start, end = _days(pd.Series([period.start]))[0], _days(pd.Series([period.end]))[0]  # type: ignore[attr-defined]
    persons, stays, messages = read("persons"), read("stays"), read("messages")
    services, deaths = read("services"), read("deaths")
    out: dict[tuple[str, str], tuple[int, int]] = {}

    def put(indicator: str, counts: dict[str, tuple[int, int]]) -> None:
        out.update({(indicator, m): v for m, v in counts.items()})

    s = stays.merge(persons[["person_id", "birth_date"]], on="person_id")
    s["admitted"], s["discharged"] = _secs(s.admitted_at), _secs(s.discharged_at)
    s["admitted_day"], s["discharged_day"] = _local_day(s.admitted_at), _local_day(s.discharged_at)
    codes = s.primary_diagnosis.str.replace(".", "").str.upper()
    in_groups = pd.Series(False, index=s.index)
    for prefix in READMISSION_CODES.include:
        in_groups |= codes.str.startswith(prefix)
    index = s[(s.service == "somatic") & _age_reached(s.birth_date, 67, s.admitted_day) & in_groups
              & ~s.destination.isin(["died", "other_hospital"]) & (s.discharged_day >= start)
              & (s.discharged <= (end - 30) * DAY_S)].copy()
    later = s[s.acute][["person_id", "admitted"]].rename(columns={"admitted": "later"})
    pairs = index[["stay_id", "person_id", "discharged"]].merge(later, on="person_id")
    hit = pairs[(pairs.later >= pairs.discharged + 8 * HOUR_S) & (pairs.later <= pairs.discharged + 30 * DAY_S)]
    index["num"], index["den"] = index.stay_id.isin(hit.stay_id).astype(int), 1
    put(c.READMISSION.id, _count(index, "num", "den"))

    was_ready, again_ready = s.ready_at.notna(), s.ready_again_at.notna()
    first = s[was_ready][["stay_id"]].assign(
        start=_secs(s.ready_at[was_ready]), end=_secs(s.withdrawn_at.fillna(s.discharged_at))[was_ready])
    again = s[again_ready][["stay_id"]].assign(start=_secs(s.ready_again_at[again_ready]),
                                               end=s.discharged[again_ready])
    periods = pd.concat([first, again], ignore_index=True).reset_index(names="period")
    answers = messages[messages.type == "municipal_response"][["stay_id", "sent_at", "can_receive"]]
    answers = answers.assign(sent=_secs(answers.sent_at))
    joined = periods.merge(answers, on="stay_id", how="left")
    joined = joined[(joined.sent >= joined.start) & (joined.sent <= joined.end)]
    yes = joined[joined.can_receive == True].groupby("period").sent.min()  # noqa: E712
    no = joined[joined.can_receive == False].groupby("period").sent.min()  # noqa: E712
    periods["yes"], periods["no"] = periods.period.map(yes), periods.period.map(no)
    payable = periods.yes.isna() | (periods.no.notna() & (periods.no < periods.yes))
    days = ((periods.end + HOUR_S) // DAY_S - (periods.start + HOUR_S) // DAY_S).clip(lower=0)
    periods["days"] = days.where(payable, 0)
    stay_days = periods.groupby("stay_id").days.sum()
    people = persons.assign(born=pd.to_datetime(persons.birth_date))
    for definition, years in ((c.DELAYED_67, 67), (c.DELAYED_80, 80)):
        staying = s[_age_reached(s.birth_date, years, s.admitted_day) & (s.discharged_day >= start)
                    & (s.discharged_day < end)]
        staying = staying.assign(num=staying.stay_id.map(stay_days), den=0).dropna(subset=["num"])
        old = people[_age_reached(people.birth_date, years, pd.Series(start, index=people.index))]
        counts = pd.concat([staying[["municipality", "num", "den"]],
                            old[["municipality"]].assign(num=0, den=1)])
        put(definition.id, _count(counts, "num", "den"))

    ready = s[s.ready_at.notna()].copy()
    admitted_in = (ready.admitted_day >= start) & (ready.admitted_day < end)
    firsts = messages.assign(sent=_secs(messages.sent_at)).groupby(["stay_id", "type"]).sent.min().unstack()
    ready["adm_sent"] = ready.stay_id.map(firsts.get("admission_notice", pd.Series(dtype="float64")))
    ready["rdy_sent"] = ready.stay_id.map(firsts.get("ready_for_discharge", pd.Series(dtype="float64")))
    same_day = (ready.rdy_sent + HOUR_S) // DAY_S == _local_day(ready.ready_at)
    ok = (ready.adm_sent <= ready.admitted + 24 * HOUR_S) & same_day
    put(c.NOTICES.id, _count(ready[admitted_in].assign(num=ok[admitted_in].astype(int), den=1), "num", "den"))

    institutional = services[services.kind.isin(["short_term_stay", "nursing_home", "municipal_acute_bed"])
                             & ~services.origin.isin(["baseline", "discharge"])]
    alive = s.destination != "died"
    events = pd.concat([s[["person_id", "municipality"]].assign(at=s.admitted),
                        s[alive][["person_id", "municipality"]].assign(at=s.discharged[alive]),
                        institutional[["person_id", "municipality"]].assign(at=_days(institutional.start) * DAY_S)])
    day = (events["at"] + HOUR_S) // DAY_S
    events = events[(day >= start) & (day < end)]
    lived = persons.merge(deaths.assign(died=_days(deaths.died_on)), on="person_id", how="left")
    lived_days = (lived.died.fillna(end).clip(upper=end) - start).clip(lower=0)
    put(c.TRANSITIONS.id, _count(pd.concat([events[["municipality"]].assign(num=1, den=0),
                                            lived[["municipality"]].assign(num=0, den=lived_days)]), "num", "den"))
    events = events.sort_values(["person_id", "at"])
    third = events.groupby("person_id")["at"].shift(-2)
    events["starts"] = (third.notna() & (third - events["at"] <= 30 * DAY_S)).astype(int)
    clustered = events.groupby(["person_id", "municipality"]).starts.max().reset_index()
    put(c.CLUSTERED.id, _count(clustered.assign(den=1), "starts", "den"))

    done = ready[(ready.destination != "died") & (ready.discharged_day >= start) & (ready.discharged_day < end)]
    waited = (done.discharged_day - _local_day(done.ready_again_at.fillna(done.ready_at))).clip(lower=0)
    put(c.READY_TO_DISCHARGE.id, _count(done.assign(num=waited, den=1), "num", "den"))

    in_period = s[(s.admitted_day >= start) & (s.admitted_day < end)]
    first_stay = in_period.groupby("person_id").admitted_day.min().rename("first").reset_index()
    homes = services[services.kind == "nursing_home"].assign(home=lambda f: _days(f.start))[["person_id", "home"]]
    pairs = first_stay.merge(homes, on="person_id")
    before = pairs[pairs.home < pairs["first"]].person_id.unique()
    after = pairs[pairs.home >= pairs["first"]].groupby("person_id").agg(first=("first", "min"), home=("home", "min"))
    after = after[~after.index.isin(before)].reset_index().merge(persons[["person_id", "municipality"]])
    put(c.FIRST_STAY_TO_NURSING_HOME.id, _count(after.assign(num=after.home - after["first"], den=1), "num", "den"))
    return out


def same_numbers(pandas_totals: dict[tuple[str, str], tuple[int, int]],
                 engine_totals: dict[tuple[str, str], tuple[int, int]]) -> bool:
    """The same numerator and denominator for every (indicator, municipality) either reports (absent = 0/0)."""
    keys = set(pandas_totals) | set(engine_totals)
    differ = [k for k in keys if pandas_totals.get(k, (0, 0)) != engine_totals.get(k, (0, 0))]
    for key in sorted(differ)[:5]:
        print("differs:", key, "pandas", pandas_totals.get(key), "indicators", engine_totals.get(key))
    return not differ



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="an existing twin directory")
    parser.add_argument("--scale", type=float, default=1.0, help="generate a twin of Norway at this scale (1.0: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.data
        if directory is None:
            from helsefellesskap.synth.geography import load_places
            from helsefellesskap.synth.twin import TwinSpec, generate

            directory = Path(tmp)
            wall, cpu = time.perf_counter(), time.process_time()
            rows = generate(TwinSpec(scale=args.scale, years=1, seed=1), load_places(None), directory)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"generation at scale {args.scale}: {rows['persons']:,} persons, {sum(rows.values()):,} rows in "
                  f"{wall:.1f} s wall ({cpu:.1f} s CPU): {rows['persons'] / wall:,.0f} persons/s wall, "
                  f"{rows['persons'] / cpu:,.0f} per CPU s; peak memory {peak:,.0f} MB")
        parquet_twin = duckdb_twin(directory, prepared=False)
        period = period_of(parquet_twin)
        parquet_twin.backend.disconnect()
        last_month = date(period.end.year - (period.end.month == 1), (period.end.month - 2) % 12 + 1, 1)
        eleven_months = Period(period.start, max(last_month, period.start + timedelta(days=1)))
        mid_month = Period(period.start, max(last_month - timedelta(days=15), period.start + timedelta(days=1)))
        stays = duckdb.sql(f"SELECT count(*) FROM read_parquet('{directory}/stays.parquet')").fetchall()[0][0]
        persons = duckdb.sql(f"SELECT count(*) FROM read_parquet('{directory}/persons.parquet')").fetchall()[0][0]
        print(f"twin {directory}: {persons:,} persons, {stays:,} stays, {period.start}–{period.end}")
        runs = {
            FLOOR_MUNICIPALITY: lambda: floor(directory, READ_BY_MUNICIPALITY),
            BY_MUNICIPALITY_RUN: lambda: engine_run(directory, BY_MUNICIPALITY),
            FLOOR_ALL: lambda: floor(directory, READ_BY_ALL_DIMENSIONS),
            ALL_DIMENSIONS_RUN: lambda: engine_run(directory, DIMENSION_ORDER),
            PREPARE_RUN: lambda: prepare(directory),
            STORE_FLOOR_MUNICIPALITY: lambda: store_floor(directory, READ_BY_MUNICIPALITY),
            STORE_FLOOR_ALL: lambda: store_floor(directory, READ_BY_ALL_DIMENSIONS),
            PREPARED_MUNICIPALITY_RUN: lambda: engine_run(directory, BY_MUNICIPALITY, prepared=True),
            PREPARED_ALL_RUN: lambda: engine_run(directory, DIMENSION_ORDER, prepared=True),
            PREPARED_CHOSEN_RUN: lambda: engine_run(directory, DIMENSION_ORDER, prepared=True, period=eleven_months),
            PREPARED_MID_MONTH_RUN: lambda: engine_run(directory, DIMENSION_ORDER, prepared=True, period=mid_month),
            PANDAS_RUN: lambda: pandas_indicators(directory, period),
        }
        once = (PANDAS_RUN, PREPARE_RUN)
        measured = {name: timed(run, 1 if name in once else args.repeat) for name, run in runs.items()}
        agree = {name: same_numbers(measured[PANDAS_RUN][2], totals(measured[name][2][0]))  # type: ignore[index,arg-type]
                 for name in (BY_MUNICIPALITY_RUN, PREPARED_MUNICIPALITY_RUN)}
        print(f"{'run':<48} {'wall s':>8} {'CPU s':>8}")
        for name, (wall, cpu, _) in measured.items():
            print(f"{name:<48} {wall:8.2f} {cpu:8.2f}")
        print(f"prepared store: {measured[PREPARE_RUN][2].bytes / 2**20:,.0f} MiB")  # type: ignore[union-attr]
        runs_and_floors = ((BY_MUNICIPALITY_RUN, FLOOR_MUNICIPALITY), (ALL_DIMENSIONS_RUN, FLOOR_ALL),
                           (PREPARED_MUNICIPALITY_RUN, FLOOR_MUNICIPALITY), (PREPARED_ALL_RUN, FLOOR_ALL))
        for name, floor_name in runs_and_floors:
            watch: Stopwatch = measured[name][2][1]  # type: ignore[index]
            floor_wall = measured[floor_name][0]
            print(f"phases of the fastest run of {name} (wall s / its floor's wall s):")
            for lap, line in zip([*watch.laps, watch.total()], watch.lines(), strict=True):
                print(f"    {line}   {lap.wall / floor_wall:5.2f}x")

        def ratio(a: str, b: str) -> str:
            return f"{measured[a][0] / measured[b][0]:.1f}x wall, {measured[a][1] / measured[b][1]:.1f}x CPU"

        def first_run(run: str, floor_name: str) -> str:
            """Preparing and the prepared run together, against the floor: the first run on a new twin."""
            wall = measured[PREPARE_RUN][0] + measured[run][0]
            cpu = measured[PREPARE_RUN][1] + measured[run][1]
            return f"{wall / measured[floor_name][0]:.1f}x wall, {cpu / measured[floor_name][1]:.1f}x CPU"

        def pandas_against_first_run() -> str:
            """pandas against preparing and one prepared run by municipality: both computing from the files."""
            wall = measured[PREPARE_RUN][0] + measured[PREPARED_MUNICIPALITY_RUN][0]
            cpu = measured[PREPARE_RUN][1] + measured[PREPARED_MUNICIPALITY_RUN][1]
            return f"{measured[PANDAS_RUN][0] / wall:.1f}x wall, {measured[PANDAS_RUN][1] / cpu:.1f}x CPU"

        print("goal: within 2x of the floor, and at least 20x faster than pandas")
        print("- as measured for the goal: a prepared twin, against the floor of the Parquet files it came from")
        print(f"  prepared, by municipality / its floor: {ratio(PREPARED_MUNICIPALITY_RUN, FLOOR_MUNICIPALITY)}")
        print(f"  prepared, by all four dimensions / their floor: {ratio(PREPARED_ALL_RUN, FLOOR_ALL)}")
        print(f"  prepared, by all four over 11 months / their floor: {ratio(PREPARED_CHOSEN_RUN, FLOOR_ALL)}")
        print(f"  prepared, by all four to mid-month (groups classified) / their floor: "
              f"{ratio(PREPARED_MID_MONTH_RUN, FLOOR_ALL)}")
        print(f"  pandas / prepared by municipality: {ratio(PANDAS_RUN, PREPARED_MUNICIPALITY_RUN)}; "
              f"same numbers: {agree[PREPARED_MUNICIPALITY_RUN]}")
        print("- like for like: a prepared run against reading its own store; pandas against preparing and one run")
        print(f"  prepared, by municipality / the floor of its columns in the store: "
              f"{ratio(PREPARED_MUNICIPALITY_RUN, STORE_FLOOR_MUNICIPALITY)}; by all four dimensions: "
              f"{ratio(PREPARED_ALL_RUN, STORE_FLOOR_ALL)}")
        print(f"  pandas / (prepare-twin + prepared by municipality): {pandas_against_first_run()}")
        first = first_run(PREPARED_MUNICIPALITY_RUN, FLOOR_MUNICIPALITY)
        print(f"  prepare-twin / floor of all columns: {ratio(PREPARE_RUN, FLOOR_ALL)}; a new twin's first run "
              f"(prepare, then by municipality) / its floor: {first}")
        print("- from the Parquet files (a twin not prepared)")
        print(f"  Parquet, by municipality / its floor: {ratio(BY_MUNICIPALITY_RUN, FLOOR_MUNICIPALITY)}")
        print(f"  Parquet, by all four dimensions / their floor: {ratio(ALL_DIMENSIONS_RUN, FLOOR_ALL)}")
        print(f"  pandas / Parquet by municipality: {ratio(PANDAS_RUN, BY_MUNICIPALITY_RUN)}; "
              f"same numbers: {agree[BY_MUNICIPALITY_RUN]}")
        print(f"  pandas / floor by municipality: {ratio(PANDAS_RUN, FLOOR_MUNICIPALITY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
