"""Allocated organisation addresses (3NNNNNN) after an organisation was created with its own address at the top of
that range: the allocator counted on to an 8-digit address, and every creation after the second one was a 409
'taken meanwhile' for good."""

from __future__ import annotations

import datetime as dt

import pytest

from helsefellesskap.db import Database
from helsefellesskap.registry.service import create_organisation, load_register

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


@pytest.fixture
def register(db: Database) -> Database:
    load_register(db)
    return db


def _create(database: Database, name: str, address: str | None = None) -> str:
    with database.unit_of_work() as session:
        return create_organisation(session, kind="gp_office", name=name, municipality_number="4601",
                                   address=address, now=NOW).address


def test_allocation_goes_on_below_an_address_given_at_the_top_of_the_range(register: Database) -> None:
    first = _create(register, "Legekontor 1")
    assert _create(register, "Legekontor med egen HER-id", address="3999999") == "3999999"
    later = [_create(register, f"Legekontor {n}") for n in range(2, 5)]
    assert all(len(address) == 7 and address.startswith("3") for address in later), later
    assert len({first, "3999999", *later}) == 5


def test_the_cli_keeps_creating_after_an_address_given_at_the_top_of_the_range(register: Database, cli) -> None:
    given = cli("registry", "organisation", "create", "--kind", "gp_office", "--name", "A", "--municipality", "4601",
                "--address", "3999999")
    assert given.exit_code == 0, given.stderr
    for name in ("B", "C"):
        result = cli("registry", "organisation", "create", "--kind", "gp_office", "--name", name,
                     "--municipality", "4601")
        assert result.exit_code == 0, result.stderr
