"""CLI: `helsefellesskap priority-groups classify` — the groups of one (synthetic) person, with the reasons."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from helsefellesskap.errors import InvalidInput

if TYPE_CHECKING:  # the rules and their code lists are imported when a person is classified
    from helsefellesskap.priority_groups.model import Reason, Sex

app = typer.Typer(help="Priority groups of the helsefellesskap: classify a person, with cited reasons.",
                  no_args_is_help=True)

# Accepted spellings (English and Norwegian) of the sex option, to the value of its `Sex`.
_SEXES = {
    "f": "female", "female": "female", "k": "female", "kvinne": "female",
    "m": "male", "male": "male", "mann": "male",
    "u": "unknown", "unknown": "unknown", "ukjent": "unknown",
}


def _sex(text: str) -> Sex:
    from helsefellesskap.priority_groups.model import Sex

    try:
        return Sex(_SEXES[text.strip().lower()])
    except KeyError:
        raise InvalidInput(f"unknown sex {text!r}: use F (female), M (male) or U (unknown)") from None


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _reason_json(reason: Reason) -> dict[str, object]:
    return {
        "group": reason.group.value, "rule": reason.rule, "text": reason.text,
        "source": reason.source, "basis": reason.basis.value, "evidence": list(reason.evidence),
    }


@app.command("classify")
def classify_command(
    age: Annotated[int, typer.Option(help="Age in whole years on the reference date.")],
    sex: Annotated[str, typer.Option(help="F (female), M (male) or U (unknown).")] = "U",
    codes: Annotated[str, typer.Option(help="ICD-10 codes from the look-back window, comma-separated: F20,I50.")] = "",
    phv_contacts: Annotated[
        int | None, typer.Option(help="Contacts in psykisk helsevern in the last year (unknown counts as none).")
    ] = None,
    services: Annotated[str, typer.Option(help="Current municipal services (Volven 9151), e.g. 15,21.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Print the priority groups of a person and the rule, source and basis behind each."""
    from helsefellesskap.priority_groups.codes import display_icd10
    from helsefellesskap.priority_groups.model import PersonFacts, explain, hfrs_of

    facts = PersonFacts.from_codes(
        age, _sex(sex), _items(codes), mental_health_contacts=phv_contacts, municipal_services=_items(services)
    )
    reasons = explain(facts)
    groups = sorted({r.group.value for r in reasons})
    frailty = hfrs_of(facts)
    if as_json:
        typer.echo(json.dumps({
            "groups": groups,
            "reasons": [_reason_json(r) for r in reasons],
            "hfrs": {"score": str(frailty.score), "band": frailty.band.value,
                     "codes": [w.code for w in frailty.contributions]},
        }, ensure_ascii=False, indent=2))
        return
    typer.echo(f"priority groups: {', '.join(groups) if groups else 'none'}")
    for reason in reasons:
        typer.echo(f"- {reason.group.value} [{reason.basis.value}] {reason.text}")
        typer.echo(f"  source: {reason.source}")
    scored = ", ".join(display_icd10(w.code) for w in frailty.contributions) or "no scoring codes"
    typer.echo(f"Hospital Frailty Risk Score: {frailty.score} ({frailty.band.value}; {scored})")
