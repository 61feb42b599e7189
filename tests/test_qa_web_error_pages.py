"""A browser gets an error page in bokmål — never the API's problem+json or a traceback — for an address that is no
page, a method a page does not take, input the page's parameters refuse, and an internal error. The API's paths
keep problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient

from helsefellesskap.api import create_app
from helsefellesskap.db import Database
from helsefellesskap.settings import Settings
from web_transitions_support import seed, sign_in


def _is_bokmal_page(response, title: str) -> bool:
    return (response.headers["content-type"].startswith("text/html") and '<html lang="nb">' in response.text
            and title in response.text and "Traceback" not in response.text)


def test_an_unknown_page_is_a_bokmal_404_page_with_the_menu(client, db: Database) -> None:
    anonymous = client.get("/no-such-page")
    assert anonymous.status_code == 404 and _is_bokmal_page(anonymous, "Fant ikke siden")
    seed(db)
    sign_in(client, "utskrivning")
    signed_in = client.get("/boards/hospitals")  # a mistyped link
    assert signed_in.status_code == 404 and _is_bokmal_page(signed_in, "Fant ikke siden")
    assert 'href="/boards/hospital"' in signed_in.text  # the menu, to find the way back


def test_a_method_a_page_does_not_take_is_a_bokmal_page(client) -> None:
    response = client.get("/logout")
    assert response.status_code == 405 and _is_bokmal_page(response, "Forespørselen kunne ikke behandles")
    assert "POST" in response.headers["allow"]


def test_a_form_missing_its_field_is_a_bokmal_422_page(client) -> None:
    response = client.post("/language", data={})
    assert response.status_code == 422 and _is_bokmal_page(response, "Ugyldige opplysninger")


def test_the_api_keeps_problem_json(client) -> None:
    for response in (client.get("/api/v1/no-such-route"), client.get("/static/no-such-file.css")):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_an_internal_error_on_a_page_is_a_bokmal_500_page_and_on_the_api_problem_json(db: Database,
                                                                                      settings: Settings) -> None:
    app = create_app(settings, database=db)

    @app.get("/qa-broken-page")
    def broken_page() -> None:
        raise RuntimeError("a defect")

    @app.get("/api/v1/qa-broken")
    def broken_api() -> None:
        raise RuntimeError("a defect")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/qa-broken-page")
        assert page.status_code == 500 and _is_bokmal_page(page, "Noe gikk galt")
        assert "a defect" not in page.text
        api = client.get("/api/v1/qa-broken")
        assert api.status_code == 500 and api.headers["content-type"] == "application/problem+json"
        assert "a defect" not in api.text
