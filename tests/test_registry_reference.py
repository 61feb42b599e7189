"""The shipped register (fact sheet § 1 and Appendix A) and the loader's validation of its data files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from helsefellesskap.errors import NotFound
from helsefellesskap.registry.model import RegisterDataError
from helsefellesskap.registry.reference import DATA_DIR, load_reference, read_reference

# Municipalities per community in 2024 (fact sheet § 1.1, SKDE 2024) [V S2]
EXPECTED_COUNTS = {
    "ostfold": 13, "ahus": 21, "oslo": 1, "innlandet": 42, "vestre-viken": 21, "vestfold": 6, "telemark": 17,
    "agder": 25, "sor-rogaland": 15, "fonna": 17, "bergen": 16, "sogn-og-fjordane": 18, "more-og-romsdal": 27,
    "st-olavs": 19, "nordre-trondelag": 19, "helgeland": 18, "lofoten-vesteralen-salten": 20,
    "troms-og-ofoten": 24, "finnmark": 18,
}


def test_the_19_communities_hold_all_357_municipalities() -> None:
    reference = load_reference()
    assert {c.id: len(c.municipality_numbers) for c in reference.communities.values()} == EXPECTED_COUNTS
    assert len(reference.municipalities) == 357
    assert sum(m.population for m in reference.municipalities.values()) == reference.national.population_total


def test_oslo_community_includes_the_non_profit_hospitals_and_bergen_haraldsplass() -> None:
    reference = load_reference()
    assert reference.communities["oslo"].health_trusts == ["ous", "lovisenberg", "diakonhjemmet", "ahus"]
    assert "haraldsplass" in reference.communities["bergen"].health_trusts


def test_oslo_districts_alna_grorud_stovner_are_served_by_ahus_but_belong_to_oslo() -> None:
    # fact sheet § 1.2: 030110 Grorud, 030111 Stovner, 030112 Alna are Ahus's catchment area [V S2, S16]
    reference = load_reference()
    for district in ("030110", "030111", "030112"):
        assert reference.health_trust_for("0301", district) == "ahus"
    assert reference.health_trust_for("0301", "030101") == "lovisenberg"
    assert reference.health_trust_for("0301", "030105") == "diakonhjemmet"
    assert reference.health_trust_for("0301") == "ous"  # unknown district: OUS, as in SKDE's table
    assert reference.community_of_municipality("0301") == "oslo"
    assert sum(d.population for d in reference.districts_of("0301")) == reference.municipalities["0301"].population


def test_cross_border_catchments() -> None:
    # fact sheet § 1.2: Vestby to Østfold, Lunner to Innlandet, Jevnaker to Vestre Viken, Kongsvinger to Ahus,
    # Narvik to UNN [V S2]
    reference = load_reference()
    assert reference.community_of_municipality("3216") == "ostfold"
    assert reference.community_of_municipality("3234") == "innlandet"
    assert reference.community_of_municipality("3236") == "vestre-viken"
    assert reference.health_trust_for("3401") == "ahus"
    assert reference.health_trust_for("1806") == "unn"


def test_addresses_are_stable_and_distinct() -> None:
    reference = load_reference()
    assert reference.municipality_address("0301") == "2030100"
    assert reference.health_trust_address("ous").isdigit()
    assert reference.hospital_address("haukeland") != reference.health_trust_address("helse-bergen")
    with pytest.raises(NotFound):
        reference.municipality_address("9999")


def test_unknown_district_of_a_municipality_is_not_found() -> None:
    with pytest.raises(NotFound):
        load_reference().health_trust_for("3401", "030110")


def test_three_levels_and_telemark_has_two_ssus() -> None:
    reference = load_reference()
    assert {"partnership_meeting", "strategic_committee", "professional_committee"} <= set(reference.forum_levels)
    for level in ("partnership_meeting", "strategic_committee", "professional_committee"):
        kinds = reference.forum_levels[level].member_kinds
        assert {"health_trust", "municipality", "gp_representative", "user_representative"} <= set(kinds)
    telemark_ssus = [f for f in reference.forums.values()
                     if f.community_id == "telemark" and f.level == "strategic_committee"]
    assert len(telemark_ssus) == 2
    assert all(f.parent_id == "telemark-partnership-meeting" for f in telemark_ssus)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _rewrite_csv(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_copied_data_reads_the_same(data_copy: Path) -> None:
    assert len(read_reference(data_copy).municipalities) == 357


def test_duplicate_municipality_number_is_named(data_copy: Path) -> None:
    _rewrite_csv(data_copy / "municipalities.csv", lambda rows: [*rows, rows[1]])
    with pytest.raises(RegisterDataError, match=r"municipalities.csv: duplicate municipality numbers: 1101"):
        read_reference(data_copy)


def test_municipality_without_community_is_named(data_copy: Path) -> None:
    _rewrite_csv(data_copy / "memberships.csv", lambda rows: [r for r in rows if r["municipality_number"] != "5636"])
    with pytest.raises(RegisterDataError, match=r"5636 Nesseby is in no community"):
        read_reference(data_copy)


def test_populations_must_sum_to_the_national_total(data_copy: Path) -> None:
    def add_one(rows):
        rows[5]["population"] = str(int(rows[5]["population"]) + 1)
        return rows

    _rewrite_csv(data_copy / "municipalities.csv", add_one)
    with pytest.raises(RegisterDataError, match=r"populations sum to 5550204, national.json says 5550203"):
        read_reference(data_copy)


def test_districts_must_sum_to_their_municipality(data_copy: Path) -> None:
    def add_one(rows):
        rows[0]["population"] = str(int(rows[0]["population"]) + 1)
        return rows

    _rewrite_csv(data_copy / "oslo_districts.csv", add_one)
    with pytest.raises(RegisterDataError, match=r"districts of 0301 sum to"):
        read_reference(data_copy)


def test_bad_value_names_file_and_line(data_copy: Path) -> None:
    def bad(rows):
        rows[2]["population"] = "many"
        return rows

    _rewrite_csv(data_copy / "municipalities.csv", bad)
    with pytest.raises(RegisterDataError, match=r"municipalities.csv line 4: population"):
        read_reference(data_copy)


def test_malformed_json_and_missing_file_are_clear(data_copy: Path) -> None:
    (data_copy / "communities.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RegisterDataError, match="malformed"):
        read_reference(data_copy)
    (data_copy / "forums.json").unlink()
    with pytest.raises(RegisterDataError, match=r"missing .*forums\.json"):
        read_reference(data_copy)


def test_unknown_trust_in_a_community_is_named(data_copy: Path) -> None:
    path = data_copy / "communities.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["communities"][0]["health_trusts"].append("no-such-trust")
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegisterDataError, match="no-such-trust"):
        read_reference(data_copy)


def test_versioned_membership_answers_by_date_and_rejects_overlap(data_copy: Path) -> None:
    # A made-up history (not a fact): the old row ends where the current one begins.
    def history(rows):
        rows.append({"municipality_number": "3216", "community_id": "ahus", "health_trust_id": "ahus",
                     "valid_from": "2020-01-01", "valid_to": "2023-12-31"})
        return rows

    _rewrite_csv(data_copy / "memberships.csv", history)
    reference = read_reference(data_copy)
    assert reference.community_of_municipality("3216") == "ostfold"
    assert reference.community_of_municipality("3216", dt.date(2022, 6, 1)) == "ahus"
    assert reference.community_of_municipality("3216", dt.date(2024, 6, 1)) == "ostfold"

    def overlap(rows):
        rows[-1]["valid_to"] = "2024-02-01"
        return rows

    _rewrite_csv(data_copy / "memberships.csv", overlap)
    with pytest.raises(RegisterDataError, match="overlapping memberships for 3216"):
        read_reference(data_copy)


def test_forums_nest_to_any_depth_and_a_cycle_is_refused(data_copy: Path) -> None:
    path = data_copy / "forums.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["forums"] += [
        {"id": "oslo-fsu-elderly", "community_id": "oslo", "parent_id": "oslo-ssu",
         "level": "professional_committee", "name": "FSU eldre"},
        {"id": "oslo-local-ous", "community_id": "oslo", "parent_id": "oslo-fsu-elderly",
         "level": "local_forum", "name": "Lokalt samarbeidsutvalg"},
    ]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_reference(data_copy).forums["oslo-local-ous"].parent_id == "oslo-fsu-elderly"
    meeting = next(f for f in data["forums"] if f["id"] == "oslo-partnership-meeting")
    meeting["parent_id"] = "oslo-local-ous"  # a partnership meeting under its own descendant
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegisterDataError, match="broken parent chain"):
        read_reference(data_copy)
