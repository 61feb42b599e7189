"""Who is looking at a page: the signed session cookie set by access control at sign-in, and what they may open."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from helsefellesskap.access.http import SESSION_COOKIE
from helsefellesskap.access.model import (
    HOSPITAL_ROLES,
    MUNICIPAL_ROLES,
    OVERSIGHT_ROLES,
    Action,
    Principal,
    Resource,
    Role,
)
from helsefellesskap.access.policy import roles_allowed
from helsefellesskap.access.tokens import read_session
from helsefellesskap.deps import get_app_settings
from helsefellesskap.errors import Unauthenticated
from helsefellesskap.web.i18n import translations
from helsefellesskap.web.templating import locale_of


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in user; answered with a redirect to the sign-in page."""


def page_principal(request: Request) -> Principal | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return read_session(cookie, get_app_settings(request))
    except Unauthenticated:
        return None


def require_principal(request: Request) -> Principal:
    principal = page_principal(request)
    if principal is None:
        raise SignInRequired
    return principal


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    current: bool


def navigation(request: Request, principal: Principal) -> list[NavItem]:
    """The menu of a user: only the pages their roles can open (the pages themselves still ask the policy)."""
    _ = translations(locale_of(request)).gettext
    items: list[tuple[str, str]] = []
    if principal.has_any(HOSPITAL_ROLES):
        items.append(("/boards/hospital", _("Discharge board")))
    if principal.has_any(MUNICIPAL_ROLES):
        items.append(("/boards/municipality", _("Municipal board")))
    if principal.has_any(roles_allowed(Resource.BOARD_GP, Action.READ)):
        items.append(("/patients", _("My patients")))
    if principal.has_any(HOSPITAL_ROLES | MUNICIPAL_ROLES | frozenset({Role.GP})):
        items.append(("/alerts", _("Alerts")))
    if principal.has_any(frozenset({Role.ANALYST, Role.ADMINISTRATOR})):
        items.append(("/dashboard", _("Community dashboard")))
    if principal.has_any(roles_allowed(Resource.LEDGER, Action.READ)):
        items.append(("/ledger", _("Payment ledger")))
    if principal.has_any(OVERSIGHT_ROLES):
        items.append(("/audit", _("Audit log")))
    if Role.PATIENT in principal.roles:
        items.append(("/my/access-log", _("Who has looked at my data")))
    path = request.url.path
    return [NavItem(href, label, path == href or path.startswith(href + "/")) for href, label in items]


def home_of(principal: Principal) -> str:
    """The first page a user sees after signing in."""
    if Role.PATIENT in principal.roles:
        return "/my/access-log"
    if principal.has_any(HOSPITAL_ROLES):
        return "/boards/hospital"
    if principal.has_any(MUNICIPAL_ROLES):
        return "/boards/municipality"
    if principal.has_any(roles_allowed(Resource.BOARD_GP, Action.READ)):
        return "/patients"  # the GP's list of patients with a recent hospital stay
    if principal.has_any(frozenset({Role.ANALYST, Role.ADMINISTRATOR})):
        return "/dashboard"
    if principal.has_any(OVERSIGHT_ROLES):
        return "/audit"
    return "/my/access-log"
