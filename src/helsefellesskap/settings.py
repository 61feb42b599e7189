"""All configuration in one typed object, read from the environment (prefix ``HELSEFELLESSKAP_``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from helsefellesskap.errors import InvalidInput


def default_database_url() -> str:
    data_dir = Path(user_data_dir("helsefellesskap", appauthor=False))
    return f"sqlite:///{data_dir / 'helsefellesskap.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELSEFELLESSKAP_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Largest accepted request body; larger ones get 413 problem+json.
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    # Development identity provider (seeded users, `dev token`). Never enable in production.
    dev_identity_provider: bool = True
    # Secret used to sign session cookies and development tokens; set it in production.
    # Development default (32+ bytes, so HMAC-SHA256 gets a full-length key); a production setup must set its own
    # (access/http.py check_production_settings refuses this value).
    secret_key: str = "dev-only-change-me-not-a-secret-helsefellesskap"  # noqa: S105
    # External OIDC issuer (HelseID or similar) and its JWKS, for bearer-token validation.
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str = "helsefellesskap"
    # Cost of argon2id password hashes (development provider). Defaults are argon2-cffi's RFC 9106 profile;
    # the test suite lowers them (hash strength is not under test there, behaviour is).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    # Access control (docs/access.md). A hospital stay keeps its care relation this long after discharge.
    care_relation_grace_days: int = Field(default=30, ge=0)
    # Break the glass: the longest emergency access one request may open, and the default.
    emergency_access_max_minutes: int = Field(default=240, ge=1)
    emergency_access_default_minutes: int = Field(default=60, ge=1)
    # Aggregates shown to anyone hide counts below this (small-cell suppression).
    small_cell_threshold: int = Field(default=5, ge=1)
    # Lifetime of development bearer tokens and of web sessions.
    token_lifetime_minutes: int = Field(default=60, ge=1)
    session_lifetime_minutes: int = Field(default=480, ge=1)
    # Send the session cookie only over HTTPS; set true behind TLS in production.
    session_cookie_secure: bool = False
    # Login rate limit: this many failed attempts per username and client address within the window -> 429.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    # Development identity provider's RS256 signing key (PEM). Unset: generated once into dev_signing_key_file.
    dev_signing_key: str | None = None
    dev_signing_key_file: Path | None = None
    # Statistics Norway's open APIs (KLASS, PxWebApi v2) for `registry refresh`; tests point it at a local server.
    ssb_api_base_url: str = "https://data.ssb.no/api"
    # At most an hour: 'inf' passed `gt=0` and then overflowed the socket's timeout (a traceback).
    ssb_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    # A synthetic twin as Parquet (a `synth` output directory) that the community dashboard reads with DuckDB;
    # unset: the dashboard reads the twin loaded into the platform database (`load-twin`). The demo sets it.
    twin_directory: Path | None = None
    # A twin covering every helsefellesskap (a national `synth` output, any scale) for the dashboard's comparison
    # among the 19 communities; unset: the comparison uses the twin above. The demo generates a small one.
    comparison_twin_directory: Path | None = None
    # The demo (`helsefellesskap demo`): share of the demo community's population generated, and the stays
    # discharged within how many days before today (or still in hospital) are fed through the transitions
    # service (default: the whole simulated year).
    demo_scale: float = Field(default=0.3, gt=0, le=1)
    demo_live_days: int = Field(default=366, ge=1, le=366)
    # Share of Norway's population in the demo's national twin (the comparison among communities only).
    demo_comparison_scale: float = Field(default=0.01, gt=0, le=1)
    # Memory of the Spark engine (`indicators --engine pyspark`; local Spark runs in its driver), as Spark writes
    # it ("8g", "512m"); unset: half of the machine's memory. Spark's own default (1g) fails on a national twin.
    spark_driver_memory: str | None = Field(default=None, pattern=r"^[1-9][0-9]*[kmgt]$")


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except UnicodeDecodeError as exc:  # python-dotenv reads `.env` as UTF-8: any other bytes were a traceback
        raise InvalidInput(f"the .env file in {Path.cwd()} is not UTF-8 text (byte {exc.start}): "
                           "save it as UTF-8, or remove it") from None
