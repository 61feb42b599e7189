"""Tables of the transitions capability."""

from __future__ import annotations
