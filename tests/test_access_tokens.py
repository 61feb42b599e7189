"""Bearer tokens: the development provider's RS256 tokens and JWKS; an external OIDC issuer (HelseID-style
claims) validated against a JWKS served by a real HTTP server on 127.0.0.1; the signed web session."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from helsefellesskap.access import tokens
from helsefellesskap.access.model import Principal, Role
from helsefellesskap.errors import Unauthenticated
from helsefellesskap.settings import Settings

NOW = dt.datetime.now(dt.UTC)
LEGE = Principal("u-1", "lege", "Lege Lise", "1060200", frozenset({Role.HOSPITAL_PHYSICIAN}), None, "9144900")
EXTERNAL_ISSUER = "https://helseid-sts.test.example"


@pytest.fixture
def settings(make_settings, tmp_path: Path) -> Settings:
    """A key file of the test's own: the tests below watch it being generated."""
    return make_settings("sqlite://", dev_signing_key_file=tmp_path / "dev-key.pem")


def test_a_dev_token_round_trips_to_the_same_principal(settings: Settings) -> None:
    token = tokens.issue_dev_token(LEGE, settings, NOW)
    assert tokens.validate_bearer(token, settings) == LEGE


def test_the_dev_key_is_generated_once_private_and_reused(settings: Settings) -> None:
    first = tokens.dev_jwks(settings)
    path = settings.dev_signing_key_file
    assert path is not None and path.stat().st_mode & 0o777 == 0o600
    assert tokens.dev_jwks(settings) == first
    jwk = first["keys"][0]
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and "d" not in jwk  # public half only


def test_a_dev_key_from_the_environment_is_used(settings: Settings, tmp_path: Path) -> None:
    pem = (tmp_path / "other.pem")
    other = Settings(database_url="sqlite://", dev_signing_key_file=pem)
    tokens.dev_jwks(other)
    from_env = Settings(database_url="sqlite://", dev_signing_key=pem.read_text(),
                        dev_signing_key_file=tmp_path / "unused.pem")
    assert tokens.dev_jwks(from_env) == tokens.dev_jwks(other)
    assert not (tmp_path / "unused.pem").exists()


def test_the_jwks_verifies_a_dev_token(settings: Settings) -> None:
    token = tokens.issue_dev_token(LEGE, settings, NOW)
    key = RSAAlgorithm.from_jwk(json.dumps(tokens.dev_jwks(settings)["keys"][0]))
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=settings.oidc_audience)  # type: ignore[arg-type]
    assert claims["iss"] == tokens.DEV_ISSUER and claims[tokens.CLAIM_HPR] == "9144900"


def test_an_expired_token_is_refused(settings: Settings) -> None:
    token = tokens.issue_dev_token(LEGE, settings, NOW - dt.timedelta(hours=3))
    with pytest.raises(Unauthenticated):
        tokens.validate_bearer(token, settings)


def test_a_tampered_token_is_refused(settings: Settings) -> None:
    header, _payload, signature = tokens.issue_dev_token(LEGE, settings, NOW).split(".")
    claims = jwt.decode(tokens.issue_dev_token(LEGE, settings, NOW), options={"verify_signature": False})
    claims[tokens.CLAIM_ROLES] = ["administrator"]
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(Unauthenticated):
        tokens.validate_bearer(f"{header}.{forged_payload}.{signature}", settings)


def test_an_unsigned_token_is_refused(settings: Settings) -> None:
    claims = tokens.principal_claims(LEGE) | {"iss": tokens.DEV_ISSUER, "aud": "helsefellesskap", "iat": NOW,
                                              "exp": NOW + dt.timedelta(hours=1)}
    with pytest.raises(Unauthenticated):
        tokens.validate_bearer(jwt.encode(claims, None, algorithm="none"), settings)  # type: ignore[arg-type]


def test_garbage_is_refused(settings: Settings) -> None:
    for value in ("", "abc", "a.b.c", "eyJ9.eyJ9.x"):
        with pytest.raises(Unauthenticated):
            tokens.validate_bearer(value, settings)


def test_dev_tokens_are_refused_when_the_dev_provider_is_disabled(settings: Settings) -> None:
    token = tokens.issue_dev_token(LEGE, settings, NOW)
    disabled = settings.model_copy(update={"dev_identity_provider": False})
    with pytest.raises(Unauthenticated):
        tokens.validate_bearer(token, disabled)
    with pytest.raises(Unauthenticated):
        tokens.issue_dev_token(LEGE, disabled, NOW)


@pytest.fixture
def external_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_server(external_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the external issuer's JWKS."""
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(external_key.public_key(), as_dict=True)
    body = json.dumps({"keys": [jwk | {"kid": "helseid-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/openid-configuration/jwks"
    server.shutdown()
    server.server_close()


def helseid_claims(**extra: Any) -> dict[str, Any]:
    return {
        "iss": EXTERNAL_ISSUER, "aud": "helsefellesskap", "sub": "helseid-subject-42", "iat": NOW,
        "exp": NOW + dt.timedelta(minutes=10), "name": "Fastlege Frode Fjell",
        tokens.CLAIM_PID: "17854101463", tokens.CLAIM_HPR: "565501872",
        tokens.CLAIM_ORGNR_PARENT: "983971709", tokens.CLAIM_ROLES: ["gp"], **extra,
    }


def test_an_external_issuers_token_is_validated_against_its_jwks(
    settings: Settings, external_key: rsa.RSAPrivateKey, jwks_server: str
) -> None:
    configured = settings.model_copy(update={"oidc_issuer": EXTERNAL_ISSUER, "oidc_jwks_url": jwks_server})
    token = jwt.encode(helseid_claims(), external_key, algorithm="RS256", headers={"kid": "helseid-1"})
    principal = tokens.validate_bearer(token, configured)
    assert principal.user_id == "helseid-subject-42" and principal.display_name == "Fastlege Frode Fjell"
    assert principal.roles == frozenset({Role.GP}) and principal.hpr == "565501872"
    assert principal.organisation_address == "983971709"


def test_an_external_token_signed_by_another_key_is_refused(settings: Settings, jwks_server: str) -> None:
    configured = settings.model_copy(update={"oidc_issuer": EXTERNAL_ISSUER, "oidc_jwks_url": jwks_server})
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(helseid_claims(), impostor, algorithm="RS256", headers={"kid": "helseid-1"})
    with pytest.raises(Unauthenticated):
        tokens.validate_bearer(token, configured)


def test_an_external_token_for_another_audience_or_issuer_is_refused(
    settings: Settings, external_key: rsa.RSAPrivateKey, jwks_server: str
) -> None:
    configured = settings.model_copy(update={"oidc_issuer": EXTERNAL_ISSUER, "oidc_jwks_url": jwks_server})
    for claims in (helseid_claims(aud="another-api"), helseid_claims(iss="https://evil.example")):
        token = jwt.encode(claims, external_key, algorithm="RS256", headers={"kid": "helseid-1"})
        with pytest.raises(Unauthenticated):
            tokens.validate_bearer(token, configured)


def test_unknown_roles_in_a_token_are_ignored(settings: Settings, external_key: rsa.RSAPrivateKey,
                                              jwks_server: str) -> None:
    configured = settings.model_copy(update={"oidc_issuer": EXTERNAL_ISSUER, "oidc_jwks_url": jwks_server})
    token = jwt.encode(helseid_claims(**{tokens.CLAIM_ROLES: ["superuser", "gp"]}), external_key,
                       algorithm="RS256", headers={"kid": "helseid-1"})
    assert tokens.validate_bearer(token, configured).roles == frozenset({Role.GP})


def test_malformed_role_claims_give_no_roles() -> None:
    for value in (5, {"gp": True}, None, "gp analyst"):
        principal = tokens.principal_from_claims({"sub": "s", tokens.CLAIM_ROLES: value})
        assert principal.roles == (frozenset({Role.GP, Role.ANALYST}) if value == "gp analyst" else frozenset())


def test_a_session_round_trips_and_cannot_be_used_as_a_bearer_token(settings: Settings) -> None:
    session = tokens.issue_session(LEGE, settings, NOW)
    assert tokens.read_session(session, settings) == LEGE
    with pytest.raises(Unauthenticated):
        tokens.validate_bearer(session, settings)
    with pytest.raises(Unauthenticated):
        tokens.read_session(session, settings.model_copy(update={"secret_key": "another-secret-0123456789abcdef-0123"}))
    with pytest.raises(Unauthenticated):
        tokens.read_session(tokens.issue_dev_token(LEGE, settings, NOW), settings)


def test_the_development_secret_is_long_enough_for_hmac_sha256(tmp_path: Path) -> None:
    """The demo signs its sessions with the default secret: PyJWT warns on an HMAC key under 32 bytes."""
    import warnings

    defaults = Settings(database_url="sqlite://", dev_signing_key_file=tmp_path / "dev-key.pem")
    with warnings.catch_warnings():
        warnings.simplefilter("error", jwt.warnings.InsecureKeyLengthWarning)
        session = tokens.issue_session(LEGE, defaults, NOW)
        assert tokens.read_session(session, defaults) == LEGE
