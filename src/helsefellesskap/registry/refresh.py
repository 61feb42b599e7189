"""``registry refresh``: municipalities (KLASS 131, counties 104) and populations (PxWebApi v2, table 06913) from
Statistics Norway, written to the data files after the same validation the loader applies.

The request shapes follow SSB's published API documentation; the tests run them against a recorded response
served over real HTTP on 127.0.0.1 (no network here). A split or merger is never guessed: a municipality that
SSB lists and the register has no membership for stops the refresh with a message saying what to add."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from helsefellesskap.errors import InvalidInput
from helsefellesskap.registry.model import MAX_POPULATION, Municipality, SourceUnavailable
from helsefellesskap.registry.reference import DATA_DIR, DATA_FILES, Reference, read_reference

# SSB table 06913 "Befolkning og endringar": ContentsCode Folketallet1 = population 1 January [B: SSB table
# metadata, not fetched here]; codelist agg_KommSummer gives municipality codes "K-NNNN" in current numbering.
POPULATION_TABLE = "06913"
POPULATION_CONTENTS = "Folketallet1"
MUNICIPALITY_CLASSIFICATION = 131
COUNTY_CLASSIFICATION = 104
# Not municipalities of the mainland register: Svalbard and Jan Mayen (21xx, 22xx, 23xx) and "unknown" (9999).
_EXCLUDED_PREFIXES = ("21", "22", "23", "99")
_FIELDS = ["number", "name", "county_number", "county", "population", "valid_from", "valid_to"]


@dataclass
class RefreshReport:
    data_dir: Path
    population_date: dt.date
    total_before: int
    total_after: int
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    population_changed: int = 0

    def lines(self) -> list[str]:
        lines = [f"refreshed {self.data_dir} from Statistics Norway (population {self.population_date})",
                 f"population total: {self.total_before} -> {self.total_after}",
                 f"municipalities with a changed population: {self.population_changed}"]
        lines += [f"added: {item}" for item in self.added]
        lines += [f"renamed: {item}" for item in self.renamed]
        if self.data_dir == DATA_DIR:
            lines.append("run `helsefellesskap registry load` to load the refreshed files into the database")
        return lines


def _get(client: httpx.Client, path: str, params: dict[str, str]) -> Any:
    try:
        response = client.get(path, params=params, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except httpx.HTTPStatusError as exc:
        raise SourceUnavailable(f"Statistics Norway answered {exc.response.status_code} for {path}.") from None
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"Statistics Norway could not be reached ({type(exc).__name__}).") from None
    except ValueError:
        raise SourceUnavailable(f"Statistics Norway's answer to {path} is not JSON.") from None


def _klass_codes(client: httpx.Client, classification: int, day: dt.date) -> dict[str, str]:
    data = _get(client, f"klass/v1/classifications/{classification}/codesAt", {"date": day.isoformat()})
    try:
        pairs = [(str(code["code"]), code["name"]) for code in data["codes"]]
    except (KeyError, TypeError):
        raise SourceUnavailable(f"KLASS classification {classification}: unexpected answer.") from None
    codes: dict[str, str] = {}
    for number, name in pairs:  # a name is written to the data files as it comes: no null, blank or control chars
        if not isinstance(name, str) or not name.strip() or not name.isprintable():
            raise SourceUnavailable(f"KLASS classification {classification}: code {number} has no usable name.")
        if number in codes:
            raise SourceUnavailable(f"KLASS classification {classification}: code {number} is listed twice.")
        codes[number] = name.strip()
    return codes


def _population(value: Any) -> int | None:
    """A json-stat2 value as a population: None (no figure) or a whole number in the column's range."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POPULATION:
        raise ValueError(f"not a population: {value!r}")
    return value


def _json_stat_values(data: Any, dimension: str) -> dict[str, int]:
    """Values of a json-stat2 dataset by the codes of one dimension (the others hold a single value each)."""
    try:
        ids: list[str] = data["id"]
        sizes: list[int] = data["size"]
        index = data["dimension"][dimension]["category"]["index"]
        positions = index if isinstance(index, dict) else {code: i for i, code in enumerate(index)}
        stride = 1
        for name, size in zip(reversed(ids), reversed(sizes), strict=True):
            if name == dimension:
                break
            stride *= size
        values = data["value"]
        populations = {code: _population(values[pos * stride]) for code, pos in positions.items()}
    except (KeyError, TypeError, IndexError, AttributeError):
        raise SourceUnavailable(f"Table {POPULATION_TABLE}: unexpected json-stat2 answer.") from None
    except ValueError as exc:
        raise SourceUnavailable(f"Table {POPULATION_TABLE}: unexpected json-stat2 answer ({exc}).") from None
    return {code: value for code, value in populations.items() if value is not None}


def _populations(client: httpx.Client, numbers: list[str], year: int) -> dict[str, int]:
    params = {
        "lang": "no", "outputFormat": "json-stat2",
        "valueCodes[ContentsCode]": POPULATION_CONTENTS, "valueCodes[Tid]": str(year),
        "valueCodes[Region]": ",".join(f"K-{n}" for n in numbers),
        "codelist[Region]": "agg_KommSummer", "outputValues[Region]": "aggregated",
    }
    data = _get(client, f"pxwebapi/v2/tables/{POPULATION_TABLE}/data", params)
    return {code.removeprefix("K-"): value for code, value in _json_stat_values(data, "Region").items()}


def _new_municipalities(current: Reference, names: dict[str, str], counties: dict[str, str],
                        populations: dict[str, int], day: dt.date) -> list[Municipality]:
    kept = [m for m in current.municipalities.values() if m.valid_to is not None and m.valid_to < day]
    result = []
    for number, name in sorted(names.items()):
        if number not in populations:
            raise SourceUnavailable(f"Table {POPULATION_TABLE} has no population for {number} {name} in {day.year}.")
        old = current.municipalities.get(number)
        county = counties.get(number[:2]) or (old.county if old else number[:2])
        result.append(Municipality(number=number, name=name, county_number=number[:2], county=county,
                                   population=populations[number], valid_from=old.valid_from if old else day))
    return kept + result


def _write(directory: Path, source: Path, municipalities: list[Municipality], national: dict[str, Any]) -> None:
    for name in DATA_FILES:
        if source != directory:
            shutil.copyfile(source / name, directory / name)
    with (directory / "municipalities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_FIELDS)
        for m in sorted(municipalities, key=lambda m: (m.number, m.valid_from)):
            writer.writerow([m.number, m.name, m.county_number, m.county, m.population, m.valid_from.isoformat(),
                             m.valid_to.isoformat() if m.valid_to else ""])
    (directory / "national.json").write_text(json.dumps(national, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")


def refresh_register(base_url: str, data_dir: Path | None = None, *, population_date: dt.date | None = None,
                     now: dt.datetime | None = None, timeout: float = 30.0) -> RefreshReport:
    """Fetch, validate and write; nothing is written unless the refreshed files pass the loader's checks."""
    target = data_dir or DATA_DIR
    source = target if all((target / name).is_file() for name in DATA_FILES) else DATA_DIR
    current = read_reference(source)
    day = population_date or current.national.population_date
    try:
        with httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=timeout) as client:
            names = {n: v for n, v in _klass_codes(client, MUNICIPALITY_CLASSIFICATION, day).items()
                     if len(n) == 4 and n.isdigit() and n.isascii() and not n.startswith(_EXCLUDED_PREFIXES)}
            counties = _klass_codes(client, COUNTY_CLASSIFICATION, day)
            populations = _populations(client, sorted(names), day.year)
    except httpx.InvalidURL as exc:  # not an HTTPError: the base URL setting itself is broken
        raise InvalidInput(f"HELSEFELLESSKAP_SSB_API_BASE_URL {base_url!r} is not a valid URL ({exc}).") from None
    members = {m.municipality_number for m in current.memberships if m.valid_on(day)}
    unplaced = sorted(f"{n} {names[n]}" for n in names if n not in members)
    if unplaced:
        raise SourceUnavailable(f"SSB lists municipalities with no community here: {', '.join(unplaced)}; "
                                "add them to memberships.csv (and end the old rows) before refreshing.")
    municipalities = _new_municipalities(current, names, counties, populations, day)
    national = current.national.model_dump(mode="json") | {
        "population_date": day.isoformat(), "population_total": sum(m.population for m in municipalities
                                                                     if m.valid_to is None),
        "population_source": f"SSB table {POPULATION_TABLE} ({POPULATION_CONTENTS}), KLASS "
                             f"{MUNICIPALITY_CLASSIFICATION}/{COUNTY_CLASSIFICATION}",
        "population_retrieved_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
    }
    with tempfile.TemporaryDirectory() as staging:
        _write(Path(staging), source, municipalities, national)
        read_reference(Path(staging))  # the loader's checks; raises RegisterDataError before anything is written
        _install(Path(staging), target)
    return _report(target, day, current, municipalities)


def _install(staging: Path, target: Path) -> None:
    """Put the checked files into ``target``, each replaced whole: copied beside it first, then renamed over the
    old one, so a target that cannot be written (a file, no permission, a full disk) is one line and no half-written
    data file (it was a traceback, after the first files were already overwritten)."""
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target, prefix=".refresh-") as beside:
            for name in DATA_FILES:
                shutil.copyfile(staging / name, Path(beside) / name)
            for name in DATA_FILES:
                os.replace(Path(beside) / name, target / name)
    except OSError as exc:
        raise InvalidInput(f"cannot write the register's data files to {target}: {exc.strerror or exc}.") from None


def _report(target: Path, day: dt.date, current: Reference, municipalities: list[Municipality]) -> RefreshReport:
    report = RefreshReport(target, day, current.national.population_total,
                           sum(m.population for m in municipalities if m.valid_to is None))
    for m in municipalities:
        old = current.municipalities.get(m.number)
        if old is None:
            report.added.append(f"{m.number} {m.name}")
        elif old.name != m.name:
            report.renamed.append(f"{m.number} {old.name} -> {m.name}")
        if old is not None and old.population != m.population:
            report.population_changed += 1
    return report
