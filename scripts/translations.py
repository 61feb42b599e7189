"""Maintain the bokmål catalogue of the web UI.

    .venv/bin/python scripts/translations.py missing          # strings marked in code/templates without bokmål
    .venv/bin/python scripts/translations.py add NEW.json     # merge {"English source": "bokmål"} into the catalogue
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from helsefellesskap.web.i18n import domain_texts

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "helsefellesskap" / "web"
CATALOGUE = WEB / "locale" / "nb" / "LC_MESSAGES" / "messages.po"
JINJA = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}


def marked() -> list[str]:
    found: dict[str, None] = {}
    for _f, _l, message, _c, _ctx in extract_from_dir(
        str(WEB), method_map=[("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")],
        options_map={"**/templates/**.html": JINJA}, keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
    ):
        found[message[0] if isinstance(message, tuple) else message] = None
    found.update(dict.fromkeys(domain_texts()))  # note templates and the indicator catalogue, by value
    return list(found)


def main(argv: list[str]) -> int:
    with CATALOGUE.open("rb") as po_file:
        catalog = read_po(po_file, locale="nb")
    if argv[:1] == ["add"] and len(argv) == 2:
        for source, text in json.loads(Path(argv[1]).read_text(encoding="utf-8")).items():
            catalog.add(source, text)
        with CATALOGUE.open("wb") as po_file:
            write_po(po_file, catalog, width=120)
    elif argv != ["missing"]:
        print(__doc__, file=sys.stderr)
        return 2
    missing = [m for m in marked() if m not in catalog or not catalog[m].string]
    print(json.dumps({m: "" for m in missing}, ensure_ascii=False, indent=1) if missing else "all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
