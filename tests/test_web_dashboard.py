"""The community dashboard, the payment ledger page and the audit page, through the real app, services and
database (no browser)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from html import unescape

import pytest
from fastapi.testclient import TestClient

from helsefellesskap.api import create_app
from helsefellesskap.indicators import service as indicators
from helsefellesskap.indicators.engines import duckdb_twin
from helsefellesskap.indicators.model import Dimension
from helsefellesskap.web.dashboard_figures import twelve_months
from web_seed import feed_waiting_stay, seed_users, sign_in_client, tiny_twin


@pytest.fixture(scope="session")
def twin_dir(tmp_path_factory):
    return tiny_twin(tmp_path_factory.getbasetemp() / "tiny-twin")


def _cells(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, as cell texts."""
    table = html.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1].split("</tbody>", 1)[0], re.S)]


def test_dashboard_shows_the_indicator_by_month_with_chart_and_the_same_numbers(client, db, twin_dir) -> None:
    seed_users(db)
    indicators.load_twin(db, twin_dir)
    sign_in_client(client, "analytiker")
    page = client.get("/dashboard?indicator=transitions_per_person_year")
    assert page.status_code == 200
    html = page.text
    for chart in ("chart-month", "chart-municipality", "chart-group", "chart-community"):
        assert f'<svg class="chart" role="img" aria-labelledby="{chart}-title {chart}-desc"' in html
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    twin = duckdb_twin(twin_dir)
    period = twelve_months(twin)
    expected = indicators.compute(twin, [indicators.definitions_of(["transitions_per_person_year"])[0]],
                                  (Dimension.month,), period=period)
    rows = _cells(html, "Etter måned: teller, nevner og rate")
    short = ["jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des."]  # CLDR nb
    months = [(int(e.dimensions["month"][:4]), int(e.dimensions["month"][5:])) for e in expected]
    assert [r[0] for r in rows] == [f"{short[m - 1]} {y}" for y, m in months]  # by name, not 2026-03
    for y, m in months:  # under the columns too, with a two-digit year
        assert re.search(rf'text-anchor="middle">{re.escape(short[m - 1])} {y % 100:02d}</text>', html)
    for row, result in zip(rows, expected, strict=True):
        shown = [str(result.numerator or "< 5"), str(result.denominator or "< 5")]
        assert [cell.replace("\xa0", "") for cell in row[1:3]] == shown
        assert (row[3] == "skjult") == result.suppressed
        assert "%" not in row[3]  # not a percentage: the unit is in the column header
    assert 'class="num">Rate (per personår)</th>' in html
    days = client.get("/dashboard?indicator=days_ready_to_discharge").text
    assert 'class="num">Rate (døgn i gjennomsnitt)</th>' in days  # no parentheses in parentheses


def test_dashboard_suppresses_small_counts_and_says_which_communities_are_present(client, db, twin_dir) -> None:
    seed_users(db)
    indicators.load_twin(db, twin_dir)
    sign_in_client(client, "admin")
    html = client.get("/dashboard?indicator=readmission_elderly_30d").text
    municipality_rows = _cells(html, "Etter kommune: teller, nevner og rate")
    assert any("< 5" in r[1:3] and r[3] == "skjult" for r in municipality_rows)  # a tiny twin: small cells
    assert 'class="num">Rate (prosent)</th>' in html
    every_row = [row for caption in ("Etter måned", "Etter kommune", "Etter prioritert gruppe", "Etter helsefellesskap")
                 for row in _cells(html, f"{caption}: teller, nevner og rate")]
    rates = [r[3] for r in every_row if r[3] not in ("skjult", "–")]
    # A rate has its unit, one decimal (two under 1).
    assert rates and all(re.fullmatch(r"[1-9][0-9]*(,[0-9])?\xa0%|0(,[0-9]{1,2})?\xa0%", rate) for rate in rates), rates
    assert "1 av de 19 helsefellesskapene: Innlandet" in html


def test_dashboard_reads_a_parquet_twin_when_configured(db, settings, twin_dir) -> None:
    seed_users(db)
    app = create_app(settings.model_copy(update={"twin_directory": twin_dir}), database=db)
    with TestClient(app) as client:
        sign_in_client(client, "analytiker")
        page = client.get("/dashboard", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<div id="dashboard-figures">')  # the htmx fragment only
    assert 'id="chart-month-title"' in page.text


def test_dashboard_without_a_twin_says_so(client, db) -> None:
    seed_users(db)
    sign_in_client(client, "analytiker")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert 'class="warning"' in page.text


def test_dashboard_is_for_analysts_and_administrators_only(client, db) -> None:
    seed_users(db)
    for username in ("tildeling", "pasient", "personvern"):
        sign_in_client(client, username)
        assert client.get("/dashboard").status_code == 403, username
        client.cookies.clear()
    sign_in_client(client, "analytiker")
    for junk in ("nope", "<script>", "x" * 500):
        unknown = client.get(f"/dashboard?indicator={junk}")
        assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html"), junk
        assert "Ukjent indikator" in unknown.text and 'href="/dashboard"' in unknown.text
        assert "<script>" not in unknown.text.split("<main", 1)[1]
    # A NUL character is refused before any page sees it (422, a bokmål page).
    nul = client.get("/dashboard?indicator=%00")
    assert nul.status_code == 422 and nul.headers["content-type"].startswith("text/html")


def test_ledger_page_lists_payable_days_and_offers_the_csv(client, db) -> None:
    seed_users(db)
    now = dt.datetime.now(dt.UTC)
    feed_waiting_stay(db, now=now)
    sign_in_client(client, "tildeling")
    page = client.get("/ledger")
    assert page.status_code == 200
    assert '<a href="/ledger"' in page.text  # in the allocation officer's menu
    rows = _cells(page.text, "Betalingsdøgn og beløp per kommune, helseforetak og måned")
    assert rows and all(r[0] == "Hamar (3403)" for r in rows)
    months = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
              "november", "desember"]
    assert all(re.fullmatch(rf"({'|'.join(months)}) 20[0-9][0-9]", r[2]) for r in rows), rows  # not 2026-03
    assert re.search(r'<time datetime="20[0-9][0-9]-[01][0-9]">', page.text)
    days = sum(int(r[3]) for r in rows)
    assert days > 0
    link = re.search(r'<a href="(/api/v1/ledger\?[^"]+)" download', page.text).group(1).replace("&amp;", "&")
    download = client.get(link)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(download.text)))
    assert sum(int(line["payable_days"]) for line in lines) == days


def test_ledger_page_is_refused_to_analysts_and_hidden_from_their_menu(client, db) -> None:
    seed_users(db)
    sign_in_client(client, "analytiker")
    assert client.get("/ledger").status_code == 403
    assert '<a href="/ledger"' not in client.get("/dashboard").text


def test_audit_page_finds_accesses_to_a_person_and_audits_the_search(client, db) -> None:
    seed_users(db)
    patient = feed_waiting_stay(db, now=dt.datetime.now(dt.UTC))
    sign_in_client(client, "personvern")
    page = client.get(f"/audit?person={patient}")
    assert page.status_code == 200
    assert "Sykehusets EPJ (integrasjon)" in page.text
    # the codes and English reasons the access layer stores, in words (web/audit_words.py)
    assert "Endret · en melding om innleggelse eller utskrivning" in page.text
    assert "Melding sendt av Sykehuset Innlandet" in page.text and "Virksomhetens arbeid" in page.text
    assert "messages.submit" not in page.text and "message submitted as" not in page.text
    again = client.get("/audit?user=personvern")
    assert f"Søk i tilgangsloggen: person={patient}" in again.text  # the first search, itself in the log
    bad = client.get("/audit?person=123")
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    for query in ("since=2026-13-45", "until=junk", "since=31.03.2026"):
        junk = client.get(f"/audit?{query}")
        assert junk.status_code == 422 and "Skriv datoene som år-måned-dag" in junk.text, query
        assert "Søk i tilgangsloggen" not in junk.text  # no search was run (nor audited) without the date
    backwards = client.get("/audit?since=2026-12-01&until=2026-01-01")
    assert backwards.status_code == 422 and "Fra-datoen er etter til-datoen." in backwards.text
    assert client.get("/audit?since=2026-01-01&until=2026-01-01").status_code == 200


def test_audit_page_is_for_oversight_roles_only(client, db) -> None:
    seed_users(db)
    for username in ("analytiker", "utskrivning", "pasient"):
        sign_in_client(client, username)
        assert client.get("/audit").status_code == 403, username
        client.cookies.clear()


def test_dashboard_compares_all_19_communities_from_a_national_twin(db, settings, twin_dir, tmp_path_factory) -> None:
    from helsefellesskap.demo_twin import generate_demo_twin

    national = tmp_path_factory.getbasetemp() / "national-twin"
    if not (national / "run.json").is_file():
        generate_demo_twin(national, today=dt.date.today(), scale=0.001, community=None)
    seed_users(db)
    configured = settings.model_copy(update={"twin_directory": twin_dir, "comparison_twin_directory": national})
    with TestClient(create_app(configured, database=db)) as client:
        sign_in_client(client, "analytiker")
        html = client.get("/dashboard?indicator=transitions_per_person_year").text
    assert "Dataene dekker alle de 19 helsefellesskapene." in html
    communities = _cells(html, "Etter helsefellesskap: teller, nevner og rate")
    assert len(communities) == 19
    # The other breakdowns still come from the community's own twin: only Innlandet's municipalities.
    municipalities = {row[0] for row in _cells(html, "Etter kommune: teller, nevner og rate")}
    assert "Hamar" in municipalities
    assert "Bergen" not in municipalities


def test_a_configured_twin_that_cannot_be_read_is_a_bokmal_page_for_the_operator(db, settings, twin_dir,
                                                                                 tmp_path) -> None:
    seed_users(db)
    broken = tmp_path / "broken-twin"
    shutil.copytree(twin_dir, broken)
    (broken / "persons.parquet").write_text("not parquet")
    app = create_app(settings.model_copy(update={"twin_directory": broken}), database=db)
    with TestClient(app) as client:
        sign_in_client(client, "analytiker")
        page = client.get("/dashboard")
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "Tallene kan ikke vises" in page.text and "HELSEFELLESSKAP_TWIN_DIRECTORY" in page.text
    assert "persons.parquet" not in page.text  # the detail is in the server's log, not on the page


def test_a_rate_under_1_shows_two_decimals_so_months_differ(client, db, twin_dir) -> None:
    seed_users(db)
    indicators.load_twin(db, twin_dir)
    sign_in_client(client, "analytiker")
    page = client.get("/dashboard?indicator=transitions_per_person_year", headers={"HX-Request": "true"})
    assert page.status_code == 200
    shown = re.findall(r"<td[^>]*>(0,[0-9]+)</td>", page.text)
    assert shown and all(re.fullmatch(r"0,[0-9]{1,2}", value) for value in shown), shown
    assert any(len(value) == 4 for value in shown)  # 0,28: one decimal would read 0,3 in every month
