"""All configuration in one typed object, read from the environment (prefix ``HELSEFELLESSKAP_``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    data_dir = Path(user_data_dir("helsefellesskap", appauthor=False))
    return f"sqlite:///{data_dir / 'helsefellesskap.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELSEFELLESSKAP_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8000
    # Largest accepted request body; larger ones get 413 problem+json.
    max_body_bytes: int = 1_000_000
    # Development identity provider (seeded users, `dev token`). Never enable in production.
    dev_identity_provider: bool = True
    # Secret used to sign session cookies and development tokens; set it in production.
    secret_key: str = "dev-only-change-me"  # noqa: S105 - development default; production sets it from the environment
    # External OIDC issuer (HelseID or similar) and its JWKS, for bearer-token validation.
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str = "helsefellesskap"


@lru_cache
def get_settings() -> Settings:
    return Settings()
