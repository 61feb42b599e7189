"""`N_`: marks a text for the translation catalogue without translating it (the gettext convention).

The domain speaks English (the API's language); a text marked here is extracted by `scripts/translations.py`
into the web app's catalogue, and the web layer translates the value with gettext when it renders it.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the gettext convention
    """Returns `text` unchanged: only a mark for extraction."""
    return text
