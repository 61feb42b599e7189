"""Bearer tokens (JWT): issued by the development identity provider (RS256, its JWKS served by the API) or by
an external OpenID Connect issuer such as HelseID (validated against ``settings.oidc_jwks_url``); and the
signed web-session cookie. Both token kinds carry the same claims, so one path builds the Principal.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from platformdirs import user_data_dir

from helsefellesskap.access.model import Principal, Role
from helsefellesskap.errors import InvalidInput, Unauthenticated
from helsefellesskap.settings import Settings

DEV_ISSUER = "helsefellesskap-dev"
JWKS_PATH = "/api/v1/auth/jwks.json"
# HelseID's claim names for the person and the health-personnel number [B: from HelseID documentation/samples].
CLAIM_PID = "helseid://claims/identity/pid"
CLAIM_HPR = "helseid://claims/hpr/hpr_number"
CLAIM_ORGNR_PARENT = "helseid://claims/client/claims/orgnr_parent"
CLAIM_ORGNR_CHILD = "helseid://claims/client/claims/orgnr_child"
# The platform's own claims: the organisation address (HER-id-like) and the roles. An external issuer must be
# configured to add them (or a claims mapping added here); without a role the principal may do nothing.
CLAIM_ORGANISATION = "helsefellesskap:organisation"
CLAIM_ROLES = "helsefellesskap:roles"
EXTERNAL_ALGORITHMS = ["RS256", "PS256", "ES256"]
SESSION_AUDIENCE = "helsefellesskap-web-session"
INVALID_TOKEN = "The bearer token is missing, invalid or expired."  # noqa: S105 - a message, not a secret
_ROLE_VALUES = frozenset(role.value for role in Role)


def _key_file(settings: Settings) -> Path:
    default = Path(user_data_dir("helsefellesskap", appauthor=False)) / "dev-signing-key.pem"
    return settings.dev_signing_key_file or default


def dev_private_key(settings: Settings) -> rsa.RSAPrivateKey:
    """The development provider's signing key: from the environment, else generated once into the data dir. A key
    that cannot be read or is no RSA private key is the operator's setting to mend: InvalidInput naming it."""
    name = "HELSEFELLESSKAP_DEV_SIGNING_KEY" if settings.dev_signing_key else "HELSEFELLESSKAP_DEV_SIGNING_KEY_FILE"
    try:
        if settings.dev_signing_key:
            return _load_pem(settings.dev_signing_key.encode())
        return _file_key(_key_file(settings))
    except (OSError, ValueError, TypeError) as error:  # unreadable file; not PEM, not RSA, encrypted
        detail = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise InvalidInput(f"{name}: no usable RSA private key ({detail})") from None


@lru_cache(maxsize=8)
def _load_pem(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the development signing key must be an RSA private key")
    return key


@lru_cache(maxsize=8)
def _file_key(path: Path) -> rsa.RSAPrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        partial = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        # Two processes may race to create the key; the first link wins and both read the winner.
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
        partial.unlink()
    return _load_pem(path.read_bytes())


def key_id(key: rsa.RSAPublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def dev_jwks(settings: Settings) -> dict[str, Any]:
    """The development provider's public keys as a JWKS document."""
    public = dev_private_key(settings).public_key()
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(public, as_dict=True)
    jwk.update({"kid": key_id(public), "use": "sig", "alg": "RS256"})
    return {"keys": [jwk]}


def principal_claims(principal: Principal) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": principal.user_id,
        "preferred_username": principal.username,
        "name": principal.display_name,
        CLAIM_ROLES: sorted(role.value for role in principal.roles),
    }
    if principal.organisation_address:
        claims[CLAIM_ORGANISATION] = principal.organisation_address
    if principal.national_id:
        claims[CLAIM_PID] = principal.national_id
    if principal.hpr:
        claims[CLAIM_HPR] = principal.hpr
    return claims


def issue_dev_token(principal: Principal, settings: Settings, now: datetime) -> str:
    """A bearer token of the development provider (only when it is enabled)."""
    if not settings.dev_identity_provider:
        raise Unauthenticated("The development identity provider is disabled.")
    key = dev_private_key(settings)
    claims = principal_claims(principal) | {
        "iss": DEV_ISSUER, "aud": settings.oidc_audience, "iat": now, "nbf": now, "jti": uuid.uuid4().hex,
        "exp": now + timedelta(minutes=settings.token_lifetime_minutes),
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id(key.public_key())})


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)


def validate_bearer(token: str, settings: Settings) -> Principal:
    """Validate signature, issuer, audience and expiry; build the Principal from the claims. Raises 401."""
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        if issuer == DEV_ISSUER and settings.dev_identity_provider:
            key: Any = dev_private_key(settings).public_key()
            algorithms = ["RS256"]
        elif settings.oidc_issuer and settings.oidc_jwks_url and issuer == settings.oidc_issuer:
            key = _jwks_client(settings.oidc_jwks_url).get_signing_key_from_jwt(token).key
            algorithms = EXTERNAL_ALGORITHMS
        else:
            raise Unauthenticated(INVALID_TOKEN)
        claims = jwt.decode(token, key, algorithms=algorithms, audience=settings.oidc_audience, issuer=issuer,
                            options={"require": ["exp", "iat", "sub"]}, leeway=30)
    except jwt.PyJWTError as exc:
        raise Unauthenticated(INVALID_TOKEN) from exc
    return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    raw_roles = claims.get(CLAIM_ROLES) or []
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    if not isinstance(raw_roles, list | tuple):
        raw_roles = []
    roles = frozenset(Role(r) for r in raw_roles if isinstance(r, str) and r in _ROLE_VALUES)
    organisation = claims.get(CLAIM_ORGANISATION) or claims.get(CLAIM_ORGNR_CHILD) or claims.get(CLAIM_ORGNR_PARENT)
    subject = str(claims["sub"])
    return Principal(
        user_id=subject,
        username=str(claims.get("preferred_username") or subject),
        display_name=str(claims.get("name") or claims.get("preferred_username") or subject),
        organisation_address=str(organisation) if organisation else None,
        roles=roles,
        national_id=str(claims[CLAIM_PID]) if claims.get(CLAIM_PID) else None,
        hpr=str(claims[CLAIM_HPR]) if claims.get(CLAIM_HPR) else None,
    )


def issue_session(principal: Principal, settings: Settings, now: datetime) -> str:
    """The value of the web-session cookie: the principal's claims, HMAC-signed with the secret key."""
    claims = principal_claims(principal) | {
        "aud": SESSION_AUDIENCE, "iat": now, "exp": now + timedelta(minutes=settings.session_lifetime_minutes),
    }
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def read_session(value: str, settings: Settings) -> Principal:
    try:
        claims = jwt.decode(value, settings.secret_key, algorithms=["HS256"], audience=SESSION_AUDIENCE,
                            options={"require": ["exp", "iat", "sub"]})
    except jwt.PyJWTError as exc:
        raise Unauthenticated("The session has expired; sign in again.") from exc
    return principal_from_claims(claims)
