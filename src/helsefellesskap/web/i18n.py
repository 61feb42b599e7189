"""Translations of the web UI (Babel/gettext). Norwegian bokmål is the default; English is available.

Catalogues are the `.po` files under `locale/`; they are read at start-up (no compiled `.mo` in the repo).
Extract new strings with `pybabel extract -F babel.cfg -o messages.pot src` and update the catalogues with
`pybabel update -i messages.pot -d src/helsefellesskap/web/locale`.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "nb"
LOCALES = ("nb", "en")


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of ``locale``; English is the source language, so its catalogue may be empty."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def domain_texts() -> list[str]:
    """English texts of the domain that the pages translate by value (besides the strings marked in the web
    package): the note templates of `transitions.notes` and the indicator catalogue's definition, numerator,
    denominator, exclusions and source. The catalogue needs a bokmål entry for each."""
    from helsefellesskap.indicators.catalogue import CATALOGUE
    from helsefellesskap.transitions.notes import TEMPLATES

    texts = dict.fromkeys(TEMPLATES.values())
    for definition in CATALOGUE:
        texts.update(dict.fromkeys((definition.definition, definition.numerator, definition.denominator,
                                    *definition.exclusions, definition.source)))
    return list(texts)


def negotiate(accept_language: str | None, cookie: str | None) -> str:
    """The user's chosen language (cookie) wins; otherwise Norwegian bokmål unless the browser asks for English only."""
    if cookie in LOCALES:
        return cookie
    if accept_language:
        tags = [part.split(";")[0].strip().lower() for part in accept_language.split(",")]
        for tag in tags:
            if tag.startswith(("nb", "no", "nn")):
                return "nb"
            if tag.startswith("en"):
                return "en"
    return DEFAULT_LOCALE
