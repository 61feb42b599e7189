"""`helsefellesskap demo`: from an empty database to a served register, as a real process on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_upgrades_loads_and_serves(tmp_path: Path) -> None:
    port = _free_port()
    # The smallest synthetic community: this test is about the process starting, not about the demo's data.
    env = {**os.environ, "HELSEFELLESSKAP_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
           "HELSEFELLESSKAP_DEMO_SCALE": "0.002", "HELSEFELLESSKAP_TWIN_DIRECTORY": str(tmp_path / "twin")}
    process = subprocess.Popen(
        [sys.executable, "-m", "helsefellesskap.cli", "demo", "--port", str(port), "--no-browser"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        communities = None
        deadline = time.monotonic() + 180  # a bound for a hung process, not a performance assertion
        while time.monotonic() < deadline and process.poll() is None:
            try:
                communities = httpx.get(f"http://127.0.0.1:{port}/api/v1/communities", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert communities is not None, "the demo did not start"
        assert communities.status_code == 200 and len(communities.json()) == 19
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"serving on http://127.0.0.1:{port}" in output
