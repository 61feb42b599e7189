"""Password hashing for the development identity provider: argon2id (argon2-cffi); no password is stored in clear."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from helsefellesskap.settings import get_settings


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the cost from settings (defaults: argon2-cffi's RFC 9106 low-memory profile)."""
    settings = get_settings()
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)


@cache
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so a login takes the same time either way (no enumeration).
    return _hasher().hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; always spends one argon2 verification, even for unknown users."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
