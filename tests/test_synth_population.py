"""The twin's population: generated from any register that honours the registry contract (a small fixture
register here), with unique synthetic identity numbers and Norway's age structure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from helsefellesskap.errors import NotFound
from helsefellesskap.identity.national_id import parse_national_id
from helsefellesskap.synth.geography import places_from_reference
from helsefellesskap.synth.population import NationalIds, single_year_shares
from helsefellesskap.synth.twin import TwinSpec, generate, plan


@dataclass
class Row:
    id: str = ""
    number: str = ""
    name: str = ""
    population: int = 0
    address: str = ""
    regional_health_authority: str = ""
    hospitals: list[Row] = field(default_factory=list)
    local_hospital: bool = True
    valid_to: dt.date | None = None


class FixtureReference:
    """Two municipalities of one community, one served per district, with one trust and two hospitals: a local
    one and a regional one (no local-hospital responsibility)."""

    def __init__(self) -> None:
        self.communities = {"fjord": Row(id="fjord", name="Fjord", regional_health_authority="helse-vest")}
        self.municipalities = {"4601": Row(number="4601", name="Byen", population=40_000),
                               "4602": Row(number="4602", name="Bygda", population=2_000),
                               "4699": Row(number="4699", name="Gamle", population=999, valid_to=dt.date(2020, 1, 1))}
        self.health_trusts = {"fjord-hf": Row(id="fjord-hf", address="9000001", hospitals=[
            Row(id="fjord-a", address="9000011"), Row(id="fjord-b", address="9000012", local_hospital=False)])}
        self.districts = {"460101": Row(number="460101", population=30_000),
                          "460102": Row(number="460102", population=10_000)}  # fmt: skip

    def community_of_municipality(self, number: str) -> str:
        return "fjord"

    def health_trust_for(self, number: str, district: str | None = None) -> str:
        return "fjord-hf"

    def municipality_address(self, number: str) -> str:
        return f"8{number}"

    def health_trust_address(self, trust: str) -> str:
        return "9000001"

    def hospital_address(self, hospital: str) -> str:
        return {"fjord-a": "9000011", "fjord-b": "9000012"}[hospital]


def test_places_come_from_the_register_contract_without_retired_municipalities() -> None:
    places = places_from_reference(FixtureReference())
    assert [p.number for p in places] == ["4601", "4602"]
    city = places[0]
    assert city.hospital_addresses == ("9000011",) and city.address == "84601"
    assert city.transfer_address == "9000012"
    assert [d.number for d in city.districts] == ["460101", "460102"]
    assert city.regional_health_authority == "helse-vest"


def test_an_unknown_community_is_not_found() -> None:
    with pytest.raises(NotFound, match="unknown community 'nowhere'"):
        places_from_reference(FixtureReference(), "nowhere")


def test_a_twin_of_the_fixture_register_has_its_municipalities_districts_and_hospitals(tmp_path: Path) -> None:
    places = places_from_reference(FixtureReference())
    generate(TwinSpec(scale=0.05, years=1, seed=3), places, tmp_path)
    persons = pl.read_parquet(tmp_path / "persons.parquet")
    assert persons.group_by("municipality").len().sort("municipality")["len"].to_list() == [2_000, 100]
    city = persons.filter(pl.col("municipality") == "4601")
    assert set(city["district"]) == {"460101", "460102"}
    assert persons.filter(pl.col("municipality") == "4602")["district"].null_count() == 100
    assert 0.6 < city.filter(pl.col("district") == "460101").height / city.height < 0.9
    stays = pl.read_parquet(tmp_path / "stays.parquet")
    assert set(stays["hospital"]) == {"fjord-a"}  # the local hospital; the regional one receives transfers
    messages = pl.read_parquet(tmp_path / "messages.parquet")
    discharges = messages.filter(pl.col("type") == "discharge")
    transfers = discharges.filter(pl.col("destination") == "other_hospital")
    assert transfers.height > 0 and set(transfers["to_hospital"]) == {"9000012"}
    assert discharges.filter(pl.col("destination") != "other_hospital")["to_hospital"].null_count() == (
        discharges.height - transfers.height)
    assert set(messages.filter(pl.col("type") == "admission")["recipient"]) <= {"84601", "84602"}


def test_big_municipalities_are_split_into_bounded_chunks() -> None:
    places = places_from_reference(FixtureReference())
    chunks = plan(places, 1.0)
    assert [(c.place.number, c.part, c.persons) for c in chunks] == [("4601", 0, 40_000), ("4602", 0, 2_000)]
    from helsefellesskap.synth import twin

    original = twin.CHUNK_PERSONS
    try:
        twin.CHUNK_PERSONS = 15_000
        assert [c.persons for c in plan(places, 1.0)] == [13_334, 13_333, 13_333, 2_000]
    finally:
        twin.CHUNK_PERSONS = original


def test_national_ids_stay_unique_across_chunks_even_for_crowded_birth_days() -> None:
    ids = NationalIds()
    born = np.full(150, np.datetime64("1950-06-15"))
    sex = np.tile(np.array([0, 1], dtype=np.int8), 75)
    first, second = ids.assign(born, sex), ids.assign(born, sex)  # two chunks, same birth day
    numbers = np.concatenate([first, second])
    assert len(set(numbers)) == 300
    for number, s in zip(numbers, np.concatenate([sex, sex]), strict=True):
        parsed = parse_national_id(str(number))
        assert parsed.is_synthetic and parsed.birth_date == dt.date(1950, 6, 15)
        assert parsed.sex == ("male" if s == 1 else "female")


def test_children_born_after_2000_get_the_individual_numbers_of_their_century() -> None:
    numbers = NationalIds().assign(np.array([np.datetime64("2015-02-01")] * 4), np.array([0, 1, 0, 1], np.int8))
    assert all(500 <= int(n[6:9]) <= 999 for n in numbers)
    assert all(parse_national_id(str(n)).birth_date == dt.date(2015, 2, 1) for n in numbers)


def test_the_age_pyramid_has_norways_elderly_shares() -> None:
    # Fact sheet § 6.4 [S90, S92]: 70+ ≈ 13 % (2022), 80+ ≈ 4-4.6 %, 67+ ≈ 16 %.
    shares = single_year_shares().sum(axis=1)
    assert shares.sum() == pytest.approx(1.0)
    assert 0.12 < shares[70:].sum() < 0.15
    assert 0.04 < shares[80:].sum() < 0.05
    assert 0.15 < shares[67:].sum() < 0.18
