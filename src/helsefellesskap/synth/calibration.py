"""Calibration: what a generated twin produces beside the published Norwegian figures it aims at.

Every target cites the fact sheet's source id ([Sn], /work/shared/domain/norway-facts.md § 6); [D] marks a
figure derived here from published ones, [B] one not verified. Rates are per 1 000 inhabitants per year so a
twin of any scale (or of one community) compares with the national figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from helsefellesskap.synth.diagnoses import INDICATOR_GROUPS

# Population on 1 January [B: SSB table 07459, from memory], to turn national counts into rates [D].
POPULATION_2019 = 5_328_212
POPULATION_2020 = 5_367_580
POPULATION_2022 = 5_425_270
FRAILTY_ORDER = {"HFRS < 5": 0, "HFRS 5–15": 1, "HFRS > 15": 2}
SMI_CODES = ("F20", "F25", "F30", "F31", "F32", "F33", *(f"F6{i}" for i in range(10)))


@dataclass(frozen=True)
class Figure:
    measure: str
    target: float | None
    source: str
    produced: float | None
    unit: str = ""

    @property
    def ratio(self) -> float | None:
        if self.target in (None, 0) or self.produced is None:
            return None
        return self.produced / self.target


@dataclass(frozen=True)
class Twin:
    stays: pl.DataFrame
    persons: pl.DataFrame
    municipalities: pl.DataFrame
    deaths: pl.DataFrame
    years: float
    start: date

    @property
    def person_years(self) -> float:
        return self.persons.height * self.years


def _mean(frame: pl.DataFrame, column: str) -> float | None:
    value = frame.select(pl.col(column).mean()).item() if frame.height else None
    return None if value is None else float(value)


def read_twin(directory: Path) -> Twin:
    run = json.loads((directory / "run.json").read_text(encoding="utf-8"))
    stays = pl.read_parquet(directory / "stays.parquet")
    persons = pl.read_parquet(directory / "persons.parquet", columns=["person_id", "birth_date", "municipality"])
    years = int(run["years"])
    with_age = stays.join(persons.select("person_id", "birth_date"), on="person_id").with_columns(
        age=((pl.col("admitted_at").dt.date() - pl.col("birth_date")).dt.total_days() / 365.25).floor().cast(pl.Int32),
        los=(pl.col("discharged_at").dt.date() - pl.col("admitted_at").dt.date()).dt.total_days(),
    )
    start = date(int(run["start_year"]), 1, 1)
    return Twin(with_age, persons, pl.read_parquet(directory / "municipalities.parquet"),
                pl.read_parquet(directory / "deaths.parquet"), float(years), start)  # fmt: skip


def _per_1000(twin: Twin, count: float) -> float:
    return 1000 * count / twin.person_years if twin.person_years else 0.0


def readmitted(stays: pl.DataFrame, index: pl.DataFrame, *, min_hours: float = 8.0) -> pl.DataFrame:
    """Index stays with `readmitted`: an acute stay of the same person 8 hours to 30 days after discharge (the
    national indicator's window, fact sheet § 6.1 [V S42]). Index stays whose 30 days run past the data's end
    are left out."""
    end = stays.select(pl.col("discharged_at").max()).item()
    if end is None:  # a twin without stays (a tiny scale): no index stay is followed for 30 days
        return index.clear().with_columns(readmitted=pl.lit(False))
    acute = (
        stays.filter(pl.col("acute"))
        .select("person_id", pl.col("admitted_at").alias("next_admitted"))
        .sort("next_admitted")
    )
    left = index.filter(pl.col("destination").is_in(["died", "other_hospital"]).not_()).filter(
        pl.col("discharged_at") <= pl.lit(end) - timedelta(days=30)).with_columns(
        earliest=pl.col("discharged_at") + timedelta(hours=min_hours)).sort("earliest")  # fmt: skip
    joined = left.join_asof(
        acute, left_on="earliest", right_on="next_admitted", by="person_id", strategy="forward", check_sortedness=False
    )
    return joined.with_columns(
        readmitted=(pl.col("next_admitted").is_not_null()
                    & (pl.col("next_admitted") <= pl.col("discharged_at") + timedelta(days=30))))  # fmt: skip


def _indicator_index(twin: Twin) -> pl.DataFrame:
    return twin.stays.filter(
        (pl.col("service") == "somatic") & (pl.col("age") >= 67) & pl.col("diagnosis_group").is_in(INDICATOR_GROUPS)
    )


def _regional_ratio(twin: Twin) -> float | None:
    days = twin.stays.group_by("municipality").agg(pl.col("delayed_discharge_days").sum())
    regions = (
        twin.municipalities.join(days, on="municipality", how="left")
        .group_by("regional_health_authority")
        .agg(pl.col("delayed_discharge_days").sum(), pl.col("persons").sum())
    )
    rate = {r["regional_health_authority"]: (r["delayed_discharge_days"] or 0) / max(r["persons"], 1)
            for r in regions.iter_rows(named=True)}  # fmt: skip
    south_west = [v for k, v in rate.items() if "vest" in k or "sor-ost" in k or "sør-øst" in k]
    north = [v for k, v in rate.items() if "nord" in k]
    if not north or not south_west or sum(south_west) == 0:
        return None
    return north[0] / (sum(south_west) / len(south_west))


def figures(twin: Twin) -> list[Figure]:
    s = twin.stays
    somatic = s.filter(pl.col("service") == "somatic")
    ready = s.filter(pl.col("ready_at").is_not_null())
    delayed = s.filter(pl.col("delayed_discharge_days") > 0)
    ready_patients = ready["person_id"].n_unique()
    delayed_patients = delayed["person_id"].n_unique()
    index = readmitted(s, _indicator_index(twin))
    ready_index = readmitted(s, ready, min_hours=24.0)
    old = somatic.filter(pl.col("age") >= 80)
    smi = s.filter((pl.col("service") == "mental_health") & (pl.col("age") >= 18)).filter(
        pl.col("diagnoses").list.eval(pl.element().str.slice(0, 3).is_in(SMI_CODES)).list.any()
    )
    ages = twin.persons.with_columns(age=((pl.lit(twin.start) - pl.col("birth_date")).dt.total_days() / 365.25).floor())
    share = {a: ages.filter(pl.col("age") >= a).height / max(ages.height, 1) for a in (67, 70, 80)}
    alos, old_alos = _mean(somatic, "los"), _mean(old, "los")
    readmission, ready_readmission = _mean(index, "readmitted"), _mean(ready_index, "readmitted")
    return [
        Figure("Somatic døgnopphold (discharges) per 1 000 inhabitants", 1000 * 798_390 / POPULATION_2019,
               "798 390 in 2019 [V S87] / population [D]", _per_1000(twin, somatic.height)),
        Figure("Patients with a somatic døgnopphold per 1 000", 1000 * 525_368 / POPULATION_2019,
               "525 368 in 2019 [V S87] [D]", _per_1000(twin, somatic["person_id"].n_unique() / twin.years)),
        Figure("Somatic stays per patient", 798_390 / 525_368, "[V S87] [D]",
               somatic.height / max(somatic["person_id"].n_unique(), 1)),
        Figure("ALOS, somatic (days)", 3_356_250 / 798_390, "3 356 250 liggedager / 798 390, 2019 [V S87] [D]", alos),
        Figure("ALOS 80+ / ALOS all ages", 9.1 / 6.4, "1997: 9.1 vs 6.4 days [V S89b] [D]",
               old_alos / alos if alos and old_alos else None),
        Figure("Primary admissions 67+ in the 11 indicator groups per 1 000", 1000 * 81_416 / POPULATION_2019,
               "81 416 in 2019 [V S83] [D]", _per_1000(twin, _indicator_index(twin).height)),
        Figure("30-day readmission, 67+, 11 groups (%)", 16.0, "≈ 16 % 2019, 15.1 % 2015 [V S83, S42]",
               None if readmission is None else 100 * readmission),
        Figure("Readmission 1–30 days after a utskrivningsklar stay (%)", 21.7, "2022 [V S85]",
               None if ready_readmission is None else 100 * ready_readmission),
        Figure("Utskrivningsklare patients per 1 000", 1000 * 94_000 / POPULATION_2022, "≈ 94 000 in 2022 [V S85] [D]",
               _per_1000(twin, ready_patients / twin.years)),
        Figure("Utskrivningsklare stays per 1 000", 1000 * 154_000 / POPULATION_2022, "> 154 000 in 2022 [V S85] [D]",
               _per_1000(twin, ready.height)),
        Figure("Overliggerdøgn per 1 000", 13.1, "2022 [V S85, S48]",
               _per_1000(twin, float(s.select(pl.col("delayed_discharge_days").sum()).item()))),
        Figure("Stays with overliggerdøgn per 1 000", 3.9, "2022 [V S85]", _per_1000(twin, delayed.height)),
        Figure("Patients with overliggerdøgn per 1 000", 3.4, "2022 [V S85]",
               _per_1000(twin, delayed_patients / twin.years)),
        Figure("Overliggerdøgn per stay with overliggerdøgn", 71_800 / 21_400, "2022 [V S85] [D]; 3.5 days 2021 [V]",
               _mean(delayed, "delayed_discharge_days")),
        Figure("Utskrivningsklare patients without overliggerdøgn (%)", 80.0, "2021 [V S85]",
               100 * (1 - delayed_patients / ready_patients) if ready_patients else None),
        Figure("Overliggerdøgn per inhabitant, Helse Nord / mean of Sør-Øst and Vest", 3.0, "2022 [V S85]",
               _regional_ratio(twin)),
        Figure("SMI patients discharged from døgn mental health care per 1 000", 1000 * 15_587 / POPULATION_2020,
               "15 587 in 2020 [V S40b] [D]", _per_1000(twin, smi["person_id"].n_unique() / twin.years)),
        Figure("Deaths per 1 000", 1000 * 43_000 / 5_500_000, "≈ 43 000 a year [B: SSB]",
               _per_1000(twin, twin.deaths.height)),
        Figure("Population 67+ (%)", 16.0, "[D] from [V S90]", 100 * share[67]),
        Figure("Population 70+ (%)", 13.0, "2022 [V S90]", 100 * share[70]),
        Figure("Population 80+ (%)", 4.3, "4 % 2018, 4.6 % SAMDATA [V S92, S93]", 100 * share[80]),
    ]  # fmt: skip


def readmission_by_risk(twin: Twin) -> pl.DataFrame:
    """The model's stated dependencies (no published target): readmission (67+, 11 groups) by frailty band
    (HFRS < 5 low, 5–15 intermediate, > 15 high, Gilbert 2018) and by early discharge."""
    index = readmitted(twin.stays, _indicator_index(twin)).with_columns(
        frailty=pl.when(pl.col("hfrs") < 5).then(pl.lit("HFRS < 5")).when(pl.col("hfrs") <= 15)
        .then(pl.lit("HFRS 5–15")).otherwise(pl.lit("HFRS > 15")))  # fmt: skip
    return (
        index.group_by("frailty", "early_discharge")
        .agg(pl.len().alias("stays"), (100 * pl.col("readmitted").mean()).round(1).alias("readmitted_percent"))
        .sort(pl.col("frailty").replace_strict(FRAILTY_ORDER, return_dtype=pl.Int8), "early_discharge")
    )


def waits_by_capacity(twin: Twin) -> pl.DataFrame:
    """Overliggerdøgn per 1 000 inhabitants by the municipality's capacity quartile (the model's driver)."""
    days = twin.stays.group_by("municipality").agg(pl.col("delayed_discharge_days").sum().alias("days"))
    table = (
        twin.municipalities.filter(pl.col("persons") > 0)
        .join(days, on="municipality", how="left")
        .with_columns(
            pl.col("days").fill_null(0),
            quartile=(pl.col("capacity").rank("ordinal") * 4 / pl.len()).ceil().cast(pl.Int8),
        )
    )
    per_1000 = (1000 * pl.col("days").sum() / pl.col("persons").sum() / twin.years).round(1)
    return (
        table.group_by("quartile")
        .agg(pl.col("capacity").min().round(2).alias("capacity_from"),
             pl.col("capacity").max().round(2).alias("capacity_to"), per_1000.alias("overliggerdøgn_per_1000"))
        .sort("quartile")
    )  # fmt: skip


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.2f}".replace(",", " ") if abs(value) < 100 else f"{value:,.0f}".replace(",", " ")


def _count(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _markdown_table(frame: pl.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.iter_rows()]
    return lines


def render(twin: Twin, command: str) -> str:
    lines = [
        "# Calibration of the synthetic twin",
        "",
        "Generated by `helsefellesskap synth --report` — do not edit by hand. Regenerate with:",
        "",
        f"    {command}",
        "",
        f"Twin: {_count(twin.persons.height)} persons, {twin.years:g} year(s), {_count(twin.stays.height)} stays.",
        "Targets are national figures from the fact sheet (/work/shared/domain/norway-facts.md § 6); [V] verified in",
        "the cited source, [D] derived here from verified figures (rates use the population of the figure's year),",
        "[B] not verified. A ratio near 1 is a fit; the model's parameters and their status are in docs/synth.md.",
        "",
        "| measure | target | source | produced | ratio |",
        "|---|---|---|---|---|",
    ]
    produced = figures(twin)
    for f in produced:
        ratio = "n/a" if f.ratio is None else f"{f.ratio:.2f}"
        lines.append(f"| {f.measure} | {_number(f.target)} | {f.source} | {_number(f.produced)} | {ratio} |")
    off = [f.measure for f in produced if f.ratio is not None and not 0.9 <= f.ratio <= 1.1]
    lines += ["", "Off by more than 10 %: " + ("; ".join(off) if off else "none") + "."]
    lines += ["The targets mix years (2019 activity, 2022 utskrivningsklare) while the twin's population is 2024's."]
    lines += ["", "## Readmission by frailty and early discharge (67+, 11 groups; the model's assumptions)", ""]
    lines += _markdown_table(readmission_by_risk(twin))
    lines += ["", "## Overliggerdøgn by municipal capacity quartile (the model's driver of waits)", ""]
    lines += _markdown_table(waits_by_capacity(twin))
    return "\n".join(lines) + "\n"


def write_report(directory: Path, report: Path, command: str) -> None:
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render(read_twin(directory), command), encoding="utf-8")
