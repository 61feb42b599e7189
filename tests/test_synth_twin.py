"""The synthetic twin's files: deterministic for a seed, the documented schemas, referential integrity,
synthetic identities only, and messages that the transitions engine accepts."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from stdnum.no import fodselsnummer

from helsefellesskap.identity.national_id import is_synthetic, parse_national_id
from helsefellesskap.synth.geography import load_places
from helsefellesskap.synth.tables import SCHEMAS
from helsefellesskap.synth.twin import TwinSpec, generate
from helsefellesskap.transitions.messages import parse_message
from helsefellesskap.transitions.replay import InvalidMessage, read_log

SPEC = TwinSpec(scale=0.01, years=1, seed=7, jsonl=True)


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twin")
    generate(SPEC, load_places("ostfold"), out)
    return out


def _read(twin: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(twin / f"{name}.parquet")


def test_every_table_is_written_with_its_documented_schema(twin: Path) -> None:
    for name, schema in SCHEMAS.items():
        assert pq.read_schema(twin / f"{name}.parquet").equals(schema, check_metadata=False), name
    assert _read(twin, "persons").height > 2_000
    assert _read(twin, "stays").height > 200


def test_the_same_seed_gives_byte_identical_files_and_another_seed_differs(twin: Path, tmp_path: Path) -> None:
    generate(SPEC, load_places("ostfold"), tmp_path / "again")
    generate(TwinSpec(scale=0.01, years=1, seed=8, jsonl=True), load_places("ostfold"), tmp_path / "other")
    for name in SCHEMAS:
        file = f"{name}.parquet"
        assert (twin / file).read_bytes() == (tmp_path / "again" / file).read_bytes(), name
    assert (twin / "messages.jsonl").read_bytes() == (tmp_path / "again" / "messages.jsonl").read_bytes()
    for name in ("persons", "stays", "messages"):
        file = f"{name}.parquet"
        assert (twin / file).read_bytes() != (tmp_path / "other" / file).read_bytes(), name


def test_ids_are_unique_and_every_reference_resolves(twin: Path) -> None:
    persons, stays, messages = _read(twin, "persons"), _read(twin, "stays"), _read(twin, "messages")
    services, deaths, conditions = _read(twin, "services"), _read(twin, "deaths"), _read(twin, "conditions")
    contacts, gps = _read(twin, "gp_contacts"), _read(twin, "gps")
    assert persons["person_id"].is_unique().all() and persons["national_id"].is_unique().all()
    assert stays["stay_id"].is_unique().all() and messages["id"].is_unique().all()
    assert services["service_id"].is_unique().all() and deaths["person_id"].is_unique().all()
    person_ids = set(persons["person_id"])
    for frame in (stays, services, deaths, conditions, contacts):
        assert set(frame["person_id"]) <= person_ids
    stay_ids = set(stays["stay_id"])
    assert set(messages["stay_id"]) <= stay_ids
    assert set(stays["readmission_of"].drop_nulls()) <= stay_ids
    assert set(services["stay_id"].drop_nulls()) <= stay_ids
    assert set(deaths["stay_id"].drop_nulls()) <= stay_ids
    assert set(persons["gp_hpr"]) <= set(gps["gp_hpr"])
    patients = dict(zip(persons["person_id"], persons["national_id"], strict=True))
    by_stay = dict(zip(stays["stay_id"], stays["person_id"], strict=True))
    assert all(patients[by_stay[s]] == p for s, p in zip(messages["stay_id"], messages["patient"], strict=True))


def test_stays_are_in_time_order_and_do_not_overlap_for_a_person(twin: Path) -> None:
    stays = _read(twin, "stays").sort("person_id", "admitted_at")
    assert (stays["discharged_at"] > stays["admitted_at"]).all()
    ready = stays.filter(pl.col("ready_at").is_not_null())
    assert (ready["ready_at"] >= ready["admitted_at"]).all() and (ready["discharged_at"] >= ready["ready_at"]).all()
    following = stays.with_columns(previous_out=pl.col("discharged_at").shift(1).over("person_id"))
    assert following.filter(pl.col("admitted_at") < pl.col("previous_out")).height == 0
    deaths = _read(twin, "deaths")
    after_death = stays.join(deaths, on="person_id").filter(pl.col("admitted_at").dt.date() > pl.col("died_on"))
    assert after_death.height == 0


def test_national_ids_are_synthetic_by_the_identity_module_and_never_ordinary_numbers(twin: Path) -> None:
    persons = _read(twin, "persons")
    for number, born, sex in persons.head(500).select("national_id", "birth_date", "sex").iter_rows():
        assert is_synthetic(number), number
        assert not fodselsnummer.is_valid(number), number  # a month of 81-92 is not an ordinary number
        parsed = parse_national_id(number)
        assert parsed.birth_date == born
        assert parsed.sex == sex


def test_the_jsonl_is_exactly_the_contract_and_the_transitions_engine_reads_every_line(twin: Path) -> None:
    lines = (twin / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == _read(twin, "messages").height
    parsed = list(read_log(line.encode() for line in lines))
    assert not [m for m in parsed if isinstance(m, InvalidMessage)]
    types = {m.type for m in parsed}  # type: ignore[union-attr]
    assert types >= {"admission", "admission_notice", "ready_for_discharge", "municipal_response", "discharge",
                     "discharge_report", "discharge_summary"}  # fmt: skip
    first = json.loads(lines[0])
    assert first["sent_at"][-6:] in {"+01:00", "+02:00"}  # an explicit UTC offset (Europe/Oslo)
    assert parse_message(lines[0]).type == first["type"]
    for line in lines[:2000]:
        data = json.loads(line)
        model = parse_message(line)
        assert set(data) <= {f.name for f in dataclasses.fields(model)} | {"type"}  # type: ignore[arg-type]


def test_messages_go_from_the_hospital_to_the_municipality_and_the_summary_to_the_gp(twin: Path) -> None:
    from helsefellesskap.registry.reference import load_reference

    reference = load_reference()
    messages, persons = _read(twin, "messages"), _read(twin, "persons")
    hospitals = {h.address for t in reference.health_trusts.values() for h in t.hospitals}
    hospitals |= {t.address for t in reference.health_trusts.values()}
    municipalities = {reference.municipality_address(n) for n in reference.communities["ostfold"].municipality_numbers}
    notices = messages.filter(pl.col("type").is_in(["admission_notice", "ready_for_discharge", "discharge_report"]))
    assert set(notices["sender"]) <= hospitals and set(notices["recipient"]) <= municipalities
    answers = messages.filter(pl.col("type") == "municipal_response")
    assert set(answers["sender"]) <= municipalities and set(answers["recipient"]) <= hospitals
    summaries = messages.filter(pl.col("type") == "discharge_summary")
    assert set(summaries["recipient"]) <= set(persons["gp_office"]) and set(summaries["gp"]) <= set(persons["gp_hpr"])


def test_admission_notices_are_mostly_within_24_hours_and_some_are_late_or_missing(twin: Path) -> None:
    stays = _read(twin, "stays").filter(pl.col("municipal_needs"))
    notices = _read(twin, "messages").filter(pl.col("type") == "admission_notice").select("stay_id", "sent_at")
    joined = stays.join(notices, on="stay_id", how="left").with_columns(
        hours=(pl.col("sent_at") - pl.col("admitted_at")).dt.total_minutes() / 60)
    on_time = joined.filter(pl.col("hours") <= 24).height / joined.height
    assert 0.75 < on_time < 0.95
    assert joined.filter(pl.col("hours").is_null()).height > 0
    assert joined.filter(pl.col("hours") > 24).height > 0


def test_services_after_a_discharge_start_on_the_day_of_discharge(twin: Path) -> None:
    services = _read(twin, "services").filter(pl.col("origin") == "discharge")
    stays = _read(twin, "stays").select("stay_id", "discharged_at")
    first = services.join(stays, on="stay_id").filter(pl.col("kind").is_in(["short_term_stay", "municipal_acute_bed"]))
    local_day = pl.col("discharged_at").dt.convert_time_zone("Europe/Oslo").dt.date()
    assert first.height > 0
    assert first.filter(pl.col("start") != local_day).height <= first.height * 0.02  # UTC+1 approximation


def test_a_community_run_draws_the_same_stays_as_the_national_run_for_its_municipalities(tmp_path: Path) -> None:
    generate(TwinSpec(scale=0.004, years=1, seed=5), load_places(), tmp_path / "norway")
    generate(TwinSpec(scale=0.004, years=1, seed=5), load_places("ostfold"), tmp_path / "ostfold")
    columns = ["admitted_at", "discharged_at", "primary_diagnosis", "destination", "delayed_discharge_days"]
    national = pl.read_parquet(tmp_path / "norway" / "stays.parquet").filter(pl.col("municipality") == "3101")
    community = pl.read_parquet(tmp_path / "ostfold" / "stays.parquet").filter(pl.col("municipality") == "3101")
    assert community.height > 0
    assert national.select(columns).equals(community.select(columns))


def test_the_vectorised_jsonl_equals_the_contract_message_of_each_row(twin: Path) -> None:
    from helsefellesskap.synth.writer import contract_message

    # messages.parquet is clustered by type, messages.jsonl keeps the generated order: matched by message id.
    rows = {row["id"]: row for row in pq.read_table(twin / "messages.parquet").to_pylist()}
    lines = (twin / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows)
    for line in lines:
        message = json.loads(line)
        assert message == contract_message(rows[message["id"]])


def test_messages_parquet_is_clustered_by_type_with_row_groups_of_one_type(twin: Path) -> None:
    file = pq.ParquetFile(twin / "messages.parquet")
    types = file.read(columns=["type"]).column("type").to_pylist()
    assert types == sorted(types) and len(set(types)) == 8
    for index in range(file.metadata.num_row_groups):
        statistics = file.metadata.row_group(index).column(file.schema_arrow.get_field_index("type")).statistics
        assert statistics.min == statistics.max  # a reader skips the other types by the statistics
    assert not list(twin.glob(".messages-*"))  # the temporary files per type are gone


def test_a_two_year_twin_covers_both_years(tmp_path: Path) -> None:
    generate(TwinSpec(scale=0.01, years=2, seed=2, start_year=2023), load_places("ostfold"), tmp_path)
    stays = pl.read_parquet(tmp_path / "stays.parquet")
    years = stays.group_by(pl.col("admitted_at").dt.year()).len().sort("admitted_at")
    assert years["admitted_at"].to_list() == [2023, 2024]
    low, high = sorted(years["len"].to_list())
    assert high < 1.3 * low  # a similar number of stays each year
    deaths = pl.read_parquet(tmp_path / "deaths.parquet")
    assert set(deaths["died_on"].dt.year()) == {2023, 2024}
