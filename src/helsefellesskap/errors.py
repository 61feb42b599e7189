"""Domain exceptions: raised in the domain core, translated once at the edge (problem+json / CLI exit 2)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the product reports to a user as their mistake (a 4xx, or CLI exit 2)."""

    status = 400
    code = "invalid"

    def __init__(self, detail: str, *, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DomainError):
    status = 422
    code = "invalid-input"


class InvalidIdentifier(InvalidInput):
    code = "invalid-identifier"


class NotFound(DomainError):
    status = 404
    code = "not-found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
