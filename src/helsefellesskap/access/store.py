"""Tables of the access capability."""

from __future__ import annotations
