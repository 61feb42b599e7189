"""Settings from the environment that the process could not use are refused when read: exit 2 with one line naming the
variable, not a traceback when first used (an infinite SSB timeout overflowed the socket's) nor a server that
answers 413 to every body (a negative body limit)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pydantic import ValidationError

from helsefellesskap.settings import Settings


@pytest.mark.parametrize("value", ["inf", "1e400", "86400"])
def test_an_unusable_ssb_timeout_is_one_line_naming_the_setting(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                value: str) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the refresh gets as far as connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HELSEFELLESSKAP_SSB_API_BASE_URL", f"http://127.0.0.1:{port}/api")
    monkeypatch.setenv("HELSEFELLESSKAP_SSB_TIMEOUT_SECONDS", value)
    result = cli("registry", "refresh", "--data-dir", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid setting HELSEFELLESSKAP_SSB_TIMEOUT_SECONDS")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("value", [0, -5])
def test_a_body_limit_below_one_byte_is_refused(value: int) -> None:
    with pytest.raises(ValidationError, match="max_body_bytes"):
        Settings(max_body_bytes=value)


def test_a_dotenv_file_that_is_not_utf8_is_one_line(cli, tmp_path: Path) -> None:
    # The cli fixture runs in tmp_path, where `.env` is read from.
    (tmp_path / ".env").write_bytes(b"HELSEFELLESSKAP_PORT=\xff\xfe\n")
    result = cli("db", "current")
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr and len(result.stderr.strip().splitlines()) == 1
