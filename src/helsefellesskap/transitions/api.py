"""HTTP routes of the transitions capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
