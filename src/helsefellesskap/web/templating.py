"""The Jinja2 environment of the web UI: autoescaping, gettext from the request's locale, Oslo time."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from helsefellesskap.web.i18n import negotiate, translations
from helsefellesskap.web.notes import note_renderer

TEMPLATES = Path(__file__).parent / "templates"
OSLO = ZoneInfo("Europe/Oslo")
BABEL_LOCALE = {"nb": "nb_NO", "en": "en_GB"}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def _babel_locale(identifier: str) -> Locale:
    """Parsed once: Babel parses a locale given as text on every call (a large board formats thousands)."""
    return Locale.parse(identifier)


def locale_of(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"), request.cookies.get("lang"))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language; times are shown in Europe/Oslo."""
    locale = locale_of(request)
    babel_locale = _babel_locale(BABEL_LOCALE[locale])
    catalogue = translations(locale)
    numbers: dict[float | int, str] = {}  # a board of 2 000 rows shows the same few numbers again and again

    def when(value: datetime | None, fmt: str = "short") -> str:
        return "" if value is None else format_datetime(value.astimezone(OSLO), fmt, locale=babel_locale)

    def day(value: date | None, fmt: str = "medium") -> str:
        return "" if value is None else format_date(value, fmt, locale=babel_locale)

    def number(value: float | int | None) -> str:
        if value is None:
            return "–"
        if value not in numbers:
            numbers[value] = format_decimal(value, locale=babel_locale)
        return numbers[value]

    template_obj = environment.get_template(template)
    html = template_obj.render(
        request=request,
        locale=locale,
        _=catalogue.gettext,
        gettext=catalogue.gettext,
        ngettext=catalogue.ngettext,
        when=when,
        day=day,
        number=number,
        note=note_renderer(catalogue.gettext, day, when),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
