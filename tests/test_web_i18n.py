"""The web UI is in Norwegian bokmål: every string marked for translation has a bokmål translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from helsefellesskap.web.i18n import domain_texts, negotiate, translations

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "helsefellesskap" / "web"


def _marked_strings() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    jinja = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}
    options = {"**/templates/**.html": jinja}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map=method_map, options_map=options, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found | set(domain_texts())  # the note templates and the indicator catalogue's texts


def test_every_marked_string_has_a_bokmal_translation() -> None:
    with (WEB / "locale" / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="nb")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    missing = sorted(_marked_strings() - translated)
    assert missing == [], f"add bokmål translations for: {missing}"


def test_bokmal_is_the_default_and_english_is_available() -> None:
    assert translations("nb").gettext("Log out") == "Logg ut"
    assert translations("en").gettext("Log out") == "Log out"
    assert negotiate(None, None) == "nb"
    assert negotiate("en-GB,en;q=0.8", None) == "en"
    assert negotiate("en-GB", "nb") == "nb"
    assert negotiate("da,sv", None) == "nb"
