"""The platform's base: schema migrations, problem+json on every error path, the CLI's contract."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from helsefellesskap import __version__
from helsefellesskap.db import Database
from helsefellesskap.migrations import current_revision, head_revision, upgrade
from helsefellesskap.schema import metadata


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_reaches_head(db: Database) -> None:
    upgrade(db.engine)
    assert current_revision(db.engine) == head_revision()


def test_health_reports_ok(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_unknown_route_is_problem_json(client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found" and "type" in body


def test_security_headers_are_set(client) -> None:
    response = client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_openapi_docs_are_served(client) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "helsefellesskap"


def test_cli_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"helsefellesskap {__version__}"


def test_cli_db_upgrade_reports_revision(cli) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert head_revision() in result.stdout


def test_cli_unknown_command_exits_2(cli) -> None:
    result = cli("no-such-command")
    assert result.exit_code == 2


def test_data_model_doc_is_current() -> None:
    from pathlib import Path

    from helsefellesskap.schema_doc import render

    doc = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"
    assert doc.read_text(encoding="utf-8") == render(), "regenerate: helsefellesskap db schema-doc > docs/data-model.md"


def test_api_docs_load_no_asset_from_outside(client) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower()
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in page
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_language_choice_is_remembered_in_a_cookie(client) -> None:
    response = client.post("/language", data={"lang": "en"}, follow_redirects=False)
    assert response.status_code == 303
    assert "lang=en" in response.headers["set-cookie"]
