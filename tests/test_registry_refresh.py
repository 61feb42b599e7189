"""`registry refresh` against recorded Statistics Norway answers served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from helsefellesskap.registry.reference import DATA_DIR, read_reference

RECORDED = Path(__file__).parent / "data" / "ssb"
ROUTES = {
    "/api/klass/v1/classifications/131/codesAt": "klass_131_codesAt_2024-01-01.json",
    "/api/klass/v1/classifications/104/codesAt": "klass_104_codesAt_2024-01-01.json",
    "/api/pxwebapi/v2/tables/06913/data": "pxwebapi_06913_2024.json",
}


class RecordedSSB(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict[str, list[str]]]]
    overrides: dict[str, tuple[int, bytes]]

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.requests.append((url.path, parse_qs(url.query)))
        status, body = self.overrides.get(url.path, (0, b""))
        if not status:
            name = ROUTES.get(url.path)
            status, body = (200, (RECORDED / name).read_bytes()) if name else (404, b"{}")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def ssb(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[RecordedSSB]]:
    handler = type("Handler", (RecordedSSB,), {"requests": [], "overrides": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HELSEFELLESSKAP_SSB_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/api")
    yield handler
    server.shutdown()
    server.server_close()


def test_refresh_writes_ssb_figures_and_reports_the_changes(ssb, cli, tmp_path: Path) -> None:
    target = tmp_path / "refreshed"
    result = cli("registry", "refresh", "--data-dir", str(target))
    assert result.exit_code == 0, result.stderr
    assert "population total: 5550203 -> 5550875" in result.stdout
    assert "municipalities with a changed population: 3" in result.stdout
    assert "renamed: 5612 Kautokeino -> Guovdageaidnu - Kautokeino" in result.stdout
    reference = read_reference(target)
    assert reference.municipalities["4601"].population == read_reference(DATA_DIR).municipalities[
        "4601"].population + 1000
    assert "9999" not in reference.municipalities
    assert reference.national.population_total == 5550875
    assert reference.national.population_source.startswith("SSB table 06913")
    assert (target / "memberships.csv").read_text(encoding="utf-8") == (DATA_DIR / "memberships.csv").read_text(
        encoding="utf-8")
    px = next(query for path, query in ssb.requests if path.endswith("/06913/data"))
    assert px["valueCodes[ContentsCode]"] == ["Folketallet1"] and px["valueCodes[Tid]"] == ["2024"]
    assert "K-0301" in px["valueCodes[Region]"][0].split(",")
    klass = next(query for path, query in ssb.requests if path.endswith("/131/codesAt"))
    assert klass["date"] == ["2024-01-01"]


def test_refreshed_files_load_into_the_database(ssb, cli, tmp_path: Path) -> None:
    target = tmp_path / "refreshed"
    assert cli("registry", "refresh", "--data-dir", str(target)).exit_code == 0
    assert cli("registry", "load", "--data-dir", str(target)).exit_code == 0
    shown = json.loads(cli("registry", "municipality", "5612", "--json").stdout)
    assert shown["name"] == "Guovdageaidnu - Kautokeino"


def test_a_municipality_without_community_stops_the_refresh_and_writes_nothing(ssb, cli, tmp_path: Path) -> None:
    codes = json.loads((RECORDED / ROUTES["/api/klass/v1/classifications/131/codesAt"]).read_text(encoding="utf-8"))
    codes["codes"].append({"code": "5699", "name": "Nykommune"})
    ssb.overrides["/api/klass/v1/classifications/131/codesAt"] = (200, json.dumps(codes).encode())
    target = tmp_path / "refreshed"
    result = cli("registry", "refresh", "--data-dir", str(target))
    assert result.exit_code == 2
    assert "5699 Nykommune" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()


def test_an_error_answer_is_exit_2_with_one_line(ssb, cli, tmp_path: Path) -> None:
    ssb.overrides["/api/pxwebapi/v2/tables/06913/data"] = (503, b"{}")
    result = cli("registry", "refresh", "--data-dir", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: Statistics Norway answered 503 for pxwebapi/v2/tables/06913/data."


def test_no_network_is_exit_2_with_one_line(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HELSEFELLESSKAP_SSB_API_BASE_URL", f"http://127.0.0.1:{port}/api")
    result = cli("registry", "refresh", "--data-dir", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: Statistics Norway could not be reached (ConnectError)."
    assert result.stdout == ""
