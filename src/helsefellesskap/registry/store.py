"""Tables of the registry capability."""

from __future__ import annotations
