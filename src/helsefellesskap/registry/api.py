"""HTTP routes of the registry capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
