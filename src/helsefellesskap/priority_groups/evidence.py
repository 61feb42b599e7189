"""How sure a rule's source is: the fact sheet's tags (shared/domain/norway-facts.md)."""

from __future__ import annotations

from enum import StrEnum


class Basis(StrEnum):
    """[V] verified in a cited public source; [B] background knowledge or a product choice, not verified;
    [D] derived from verified numbers."""

    verified = "V"
    unverified = "B"
    derived = "D"
