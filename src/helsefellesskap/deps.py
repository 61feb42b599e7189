"""FastAPI dependencies shared by every capability's routes: the database and the settings of the app."""

from __future__ import annotations

from fastapi import Request

from helsefellesskap.db import Database
from helsefellesskap.settings import Settings


def get_database(request: Request) -> Database:
    """The app's database, its sessions carrying the app's settings (a use case decides by them: one source)."""
    database: Database = request.app.state.database
    return database.under(get_app_settings(request))


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
