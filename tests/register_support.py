"""The register for tests that create users or grant care relations by hand: those refuse an organisation the
register does not hold, so the test loads the shipped register and the GP offices it needs (created in Hamar,
like the demo's)."""

from __future__ import annotations

import datetime as dt

from helsefellesskap.db import Database
from helsefellesskap.errors import NotFound
from helsefellesskap.registry.service import create_organisation, get_organisation, load_register

GP_OFFICE = "3990001"  # the demo GP office's address
OTHER_GP_OFFICE = "3990002"
HAMAR = "3403"


def load_register_with_gp_offices(db: Database, *gp_offices: str, now: dt.datetime | None = None) -> None:
    """The shipped register (trusts, hospitals, municipalities) and the given GP offices (default the demo's)."""
    now = now or dt.datetime.now(dt.UTC)
    load_register(db, now=now)
    with db.unit_of_work() as session:
        for address in gp_offices or (GP_OFFICE,):
            try:
                get_organisation(session, address)
            except NotFound:
                create_organisation(
                    session,
                    kind="gp_office",
                    name=f"Legekontor {address}",
                    municipality_number=HAMAR,
                    address=address,
                    now=now,
                )
