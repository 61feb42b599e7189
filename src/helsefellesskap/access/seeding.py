"""The demo's organisations: addresses from the registry's reference data (the register shipped with the
package), so the demo users sit in real (synthetic-addressed) organisations of one health community."""

from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

from helsefellesskap.access.users import DemoOrganisations
from helsefellesskap.errors import DomainError

DEMO_MUNICIPALITY = "3403"  # Hamar, in the Innlandet health community
# GP offices are created organisations (registry: 3NNNNNN); the demo's is fixed and need not be registered.
DEMO_GP_OFFICE = "3990001"
# Used only when the registry's reference data cannot be loaded: Sykehuset Innlandet, Hamar, Hamar kommune.
FALLBACK = DemoOrganisations(hospital="1060200", municipality="2340300", gp_office=DEMO_GP_OFFICE,
                             analytics="1060000")


def default_demo_organisations(session: Session | None = None) -> DemoOrganisations:
    """The hospital, municipality and trust of the demo municipality, as the registry addresses them."""
    try:
        reference = importlib.import_module("helsefellesskap.registry.reference").load_reference()
        trust_id = reference.health_trust_for(DEMO_MUNICIPALITY)
        trust = reference.health_trusts[trust_id]
        hospital = next((h.address for h in trust.hospitals if h.id.endswith("hamar")), trust.hospitals[0].address)
        return DemoOrganisations(hospital=hospital, municipality=reference.municipality_address(DEMO_MUNICIPALITY),
                                 gp_office=DEMO_GP_OFFICE, analytics=trust.address)
    except (ImportError, AttributeError, LookupError, DomainError):
        return FALLBACK
