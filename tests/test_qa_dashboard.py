"""The community dashboard for every demo user: the figures for analysts and administrators, a bokmål 403 page
(never the figures, never a problem+json) for every other role, with or without htmx."""

from __future__ import annotations

import pytest

from helsefellesskap.access.model import Role
from helsefellesskap.access.seeding import default_demo_organisations
from helsefellesskap.access.users import demo_users
from helsefellesskap.indicators import service as indicators
from web_seed import seed_users, sign_in_client, tiny_twin

AUDIENCE = {"analytiker", "admin"}  # dashboard.DASHBOARD_ROLES: analysts and administrators


@pytest.fixture(scope="session")
def twin_dir(tmp_path_factory):
    return tiny_twin(tmp_path_factory.getbasetemp() / "tiny-twin")


def test_only_analysts_and_administrators_see_the_figures(client, db, twin_dir) -> None:
    seed_users(db)
    indicators.load_twin(db, twin_dir)
    usernames = [user.username for user in demo_users(default_demo_organisations(), None)]
    assert set(usernames) > AUDIENCE and len(usernames) == len(Role)  # one user per role
    for username in usernames:
        client.cookies.clear()
        assert sign_in_client(client, username).status_code == 303, username
        for headers in ({}, {"HX-Request": "true"}):
            page = client.get("/dashboard?indicator=notices_on_time", headers=headers)
            assert page.headers["content-type"].startswith("text/html"), username
            if username in AUDIENCE:
                assert page.status_code == 200 and 'id="chart-month-title"' in page.text, username
            else:
                assert page.status_code == 403, (username, page.status_code)
                assert "chart-month" not in page.text and "teller, nevner og rate" not in page.text, username
