"""CLI commands of the registry capability: ``helsefellesskap registry …``."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helsefellesskap.errors import NotFound

if TYPE_CHECKING:  # the database, the service and rich are imported by the commands that use them
    from pydantic import BaseModel
    from rich.console import Console

    from helsefellesskap.db import Database
    from helsefellesskap.registry.model import CommunityView, Organisation

app = typer.Typer(help="The register: communities, trusts, municipalities, organisations.", no_args_is_help=True)
organisation_app = typer.Typer(help="Create and show organisations.", no_args_is_help=True)
app.add_typer(organisation_app, name="organisation")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _database() -> Database:
    from helsefellesskap.db import Database
    from helsefellesskap.settings import get_settings

    return Database(get_settings().database_url)


def _print_json(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        data: Any = value.model_dump(mode="json")
    else:
        data = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value] \
            if isinstance(value, list) else value
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _console() -> Console:
    from rich.console import Console

    return Console(width=140, highlight=False)


@app.command("load")
def load(
    data_dir: Annotated[Path | None, typer.Option(help="Load these data files instead of the package's.")] = None,
) -> None:
    """Load (or reload) the register's data files into the database; safe to repeat."""
    from helsefellesskap.registry import service
    from helsefellesskap.registry.reference import read_reference

    reference = read_reference(data_dir) if data_dir else None
    counts = service.load_register(_database(), reference)
    typer.echo("register loaded: " + ", ".join(f"{n} {name}" for name, n in counts.items()))


@app.command("communities")
def communities(as_json: JsonOption = False) -> None:
    """The 19 helsefellesskap with their trusts and municipalities."""
    from rich.table import Table

    from helsefellesskap.registry import service

    with _database().reading() as session:
        items = service.list_communities(session)
    if not items:
        raise NotFound("The register is empty: run `helsefellesskap registry load` first.")
    if as_json:
        _print_json(items)
        return
    table = Table("id", "name", "regional health authority", "trusts", "municipalities", "population")
    for c in items:
        table.add_row(c.id, c.name, c.regional_health_authority, ", ".join(t.id for t in c.health_trusts),
                      str(len(c.municipalities)), f"{c.population:,}".replace(",", " "))
    _console().print(table)


def _print_community(c: CommunityView) -> None:
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{c.name}[/bold] ({c.id}), {c.regional_health_authority}, population {c.population:,}"
                  .replace(",", " "))
    for trust in c.health_trusts:
        hospitals = ", ".join(h.name for h in trust.hospitals)
        console.print(f"  {trust.name} [{trust.address}]: {hospitals}")
    table = Table("number", "name", "population", "health trust")
    for m in c.municipalities:
        table.add_row(m.number, m.name, str(m.population), m.health_trust_id or "per district")
    console.print(table)
    for forum in c.forums:
        console.print(f"  forum {forum.id} ({forum.level}): {', '.join(forum.member_kinds)}")


@app.command("community")
def community(community_id: Annotated[str, typer.Argument(help="Community id, e.g. oslo.")],
              as_json: JsonOption = False) -> None:
    """One helsefellesskap: trusts and hospitals, municipalities, forums."""
    from helsefellesskap.registry import service

    with _database().reading() as session:
        item = service.get_community(session, community_id)
    if as_json:
        _print_json(item)
    else:
        _print_community(item)


@app.command("municipality")
def municipality(number: Annotated[str, typer.Argument(help="Kommunenummer, e.g. 0301.")],
                 on: Annotated[str | None, typer.Option(help="Membership on this day (YYYY-MM-DD).")] = None,
                 as_json: JsonOption = False) -> None:
    """A municipality: its community, the trust that serves it, its districts."""
    from helsefellesskap.registry import service

    day = _date(on) if on else None
    with _database().reading() as session:
        item = service.get_municipality(session, number, day)
    if as_json:
        _print_json(item)
        return
    console = _console()
    console.print(f"{item.number} {item.name} ({item.county}), population {item.population} on "
                  f"{item.population_date} (source: {item.population_source}), address {item.address}")
    console.print(f"helsefellesskap: {item.community.name} ({item.community.id}); "
                  f"health trust: {item.health_trust_id or 'per district'}")
    for d in item.districts:
        console.print(f"  {d.number} {d.name}: {d.population}, {d.health_trust_id}")


def _date(text: str) -> dt.date:
    from helsefellesskap.errors import InvalidInput

    # YYYY-MM-DD only, as the API's `on` (registry/api.py): `fromisoformat` alone also takes 20240101 and 2024-W01-1.
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD).")


def _print_organisations(items: list[Organisation]) -> None:
    from rich.table import Table

    table = Table("address", "kind", "name", "municipality", "parent", "party")
    for o in items:
        table.add_row(o.address, o.kind.value, o.name, o.municipality_number or "", o.parent_address or "",
                      o.party_address)
    _console().print(table)


@app.command("organisations")
def organisations(
    kind: Annotated[str | None, typer.Option(help="Only this kind, e.g. home_care.")] = None,
    municipality: Annotated[str | None, typer.Option(help="Only in this municipality.")] = None,
    parent: Annotated[str | None, typer.Option(help="Only directly under this address.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Organisations with their messaging addresses."""
    from helsefellesskap.registry import service

    with _database().reading() as session:
        items = service.list_organisations(session, kind=kind, municipality=municipality, parent=parent)
    if as_json:
        _print_json(items)
    else:
        _print_organisations(items)


@organisation_app.command("create")
def organisation_create(
    kind: Annotated[str, typer.Option(help="hospital_department, allocation_office, home_care, short_term_stay, "
                                           "nursing_home, municipal_acute_bed or gp_office.")],
    name: Annotated[str, typer.Option(help="Its name.")],
    parent: Annotated[str | None, typer.Option(help="Address of the organisation it belongs to.")] = None,
    municipality: Annotated[str | None, typer.Option(help="Municipality number (GP offices, municipal units).")]
    = None,
    orgnr: Annotated[str | None, typer.Option(help="Organisation number, if it has its own.")] = None,
    address: Annotated[str | None, typer.Option(help="Its HER-id, if it has one; allocated otherwise.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a hospital department, municipal service unit or GP office and print its address."""
    from helsefellesskap.registry import service

    with _database().unit_of_work() as session:
        item = service.create_organisation(session, kind=kind, name=name, parent_address=parent,
                                           municipality_number=municipality, orgnr=orgnr, address=address,
                                           now=dt.datetime.now(dt.UTC))
    if as_json:
        _print_json(item)
    else:
        typer.echo(f"created {item.kind.value} {item.name!r} with address {item.address} (party {item.party_address})")


@organisation_app.command("show")
def organisation_show(address: Annotated[str, typer.Argument(help="The organisation's address.")],
                      as_json: JsonOption = False) -> None:
    """One organisation."""
    from helsefellesskap.registry import service

    with _database().reading() as session:
        item = service.get_organisation(session, address)
    if as_json:
        _print_json(item)
    else:
        _print_organisations([item])


@app.command("refresh")
def refresh(
    data_dir: Annotated[Path | None, typer.Option(help="Where to write the data files (default: the package's).")]
    = None,
) -> None:
    """Update municipalities and populations from Statistics Norway (KLASS and PxWebApi); reports the changes."""
    from helsefellesskap.registry.refresh import refresh_register
    from helsefellesskap.settings import get_settings

    settings = get_settings()
    report = refresh_register(settings.ssb_api_base_url, data_dir, timeout=settings.ssb_timeout_seconds)
    for line in report.lines():
        typer.echo(line)
