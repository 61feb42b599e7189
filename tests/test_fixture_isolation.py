"""The shared fixtures write only into the test session's temporary directories: the development identity provider's
signing key (generated on first use) goes to ``dev_key_file``, never into the user's data directory (platformdirs).
Each test fails if the fixture it checks resolved the key into the data directory."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.access.tokens import JWKS_PATH, issue_dev_token, key_id
from helsefellesskap.settings import Settings


@pytest.fixture
def fresh_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's home and data directory (XDG_DATA_HOME; platformdirs reads it on every call) moved to an empty
    temporary directory for this test: whatever lands in it would have landed in the user's data directory."""
    home = tmp_path / "home"
    data = home / ".local" / "share"
    data.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return home


def _files(root: Path) -> list[Path]:
    return sorted(path.relative_to(root) for path in root.rglob("*") if not path.is_dir())


def _kid_of_key_file(path: Path) -> str:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key_id(key.public_key())


def _under_the_session_temp(path: Path, tmp_path_factory: pytest.TempPathFactory) -> bool:
    return path.resolve().is_relative_to(tmp_path_factory.getbasetemp().resolve())


def test_a_token_through_the_client_and_settings_fixtures_keeps_the_key_in_the_temporary_directory(
        fresh_data_home: Path, request: pytest.FixtureRequest, dev_key_file: Path,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # The fixtures are built only now, after the data directory moved: nothing they do escapes the check.
    client = request.getfixturevalue("client")
    settings: Settings = request.getfixturevalue("settings")
    admin = Principal("admin-1", "admin", "Administrator", "1060000", frozenset({Role.ADMINISTRATOR}))
    token = issue_dev_token(admin, settings, dt.datetime.now(dt.UTC))
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "admin"
    jwks = client.get(JWKS_PATH)
    assert jwks.status_code == 200

    assert _files(fresh_data_home) == []
    assert settings.dev_signing_key_file == dev_key_file
    assert _under_the_session_temp(dev_key_file, tmp_path_factory)
    assert jwks.json()["keys"][0]["kid"] == _kid_of_key_file(dev_key_file)


def test_the_live_server_signs_with_the_key_in_the_temporary_directory(
        live_server: str, live_server_settings: Settings, dev_key_file: Path,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # The live server is one per session (started before any test could move the data directory), so the check is
    # the key it serves: the public half of the temporary key file, not of one in the user's data directory.
    with urllib.request.urlopen(f"{live_server}{JWKS_PATH}", timeout=10) as response:
        served = json.load(response)
    assert live_server_settings.dev_signing_key_file == dev_key_file
    assert _under_the_session_temp(dev_key_file, tmp_path_factory)
    assert served["keys"][0]["kid"] == _kid_of_key_file(dev_key_file)
