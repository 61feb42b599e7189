"""`helsefellesskap priority-groups classify`: groups and cited reasons; bad input exits 2 with one line."""

from __future__ import annotations

import json

import pytest


def test_classify_prints_groups_reasons_and_sources(cli) -> None:
    result = cli("priority-groups", "classify", "--age", "82", "--sex", "F", "--codes", "F00.1,W19,I50,J44")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "priority groups: frail_elderly, multiple_chronic_conditions"
    assert any("Hospital Frailty Risk Score 10.3" in line for line in lines)
    assert any(line.strip().startswith("source: SKDE, Helseatlas for kroniske sykdommer (2022)") for line in lines)
    assert lines[-1] == "Hospital Frailty Risk Score: 10.3 (intermediate; F00, W19)"


def test_classify_json_with_phv_contacts(cli) -> None:
    result = cli("priority-groups", "classify", "--age", "30", "--sex", "K", "--codes", "F20, O80",
                 "--phv-contacts", "1", "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["groups"] == ["pregnancy_birth_postnatal", "severe_mental_illness_and_substance_use"]
    assert [r["rule"] for r in body["reasons"]] == [
        "severe_mental_illness.hdir_2021", "pregnancy_birth_postnatal.icd10_chapter_xv",
    ]
    assert body["reasons"][0]["basis"] == "V" and body["hfrs"] == {"score": "0", "band": "low", "codes": []}


def test_classify_without_groups_says_none(cli) -> None:
    result = cli("priority-groups", "classify", "--age", "45", "--services", "21")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "priority groups: none"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--age", "30", "--codes", "F20,X1"], "error: not an ICD-10 code: 'X1'"),
        (["--age", "30", "--codes", "F2O"], "error: not an ICD-10 code: 'F2O'"),
        (["--age", "30", "--sex", "Q"], "error: unknown sex 'Q'"),
        (["--age", "-3"], "error: age must be between 0 and 130"),
        (["--age", "82", "--services", "15,abc"], "error: not a Volven 9151 service type (a number, e.g. 15 or 21)"),
    ],
)
def test_classify_bad_input_exits_2_with_one_line(cli, args: list[str], message: str) -> None:
    result = cli("priority-groups", "classify", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
