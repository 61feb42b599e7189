"""FastAPI dependencies shared by every capability's routes: the database and the settings of the app."""

from __future__ import annotations

from fastapi import Request

from helsefellesskap.db import Database
from helsefellesskap.settings import Settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
