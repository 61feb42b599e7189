"""The access policy: the ONE function that decides every access (``decide``), and the table it decides by.

Pure: it sees only the facts handed to it (the principal, the person's care relations with their parties,
the principal's emergency grants, the clock) and returns a Decision; the service loads the facts, asks,
and writes the audit entry. Every route, page and command asks through the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from helsefellesskap.access.model import (
    CARE_ROLES,
    EMERGENCY_ROLES,
    HOSPITAL_ROLES,
    MUNICIPAL_ROLES,
    OVERSIGHT_ROLES,
    AccessBasis,
    AccessRequest,
    Action,
    BasisKind,
    Decision,
    Resource,
    Role,
)


class Scope(StrEnum):
    PERSON = "person"  # one person's data: needs own data, a care relation or an emergency grant
    ORGANISATION = "organisation"  # an organisation's work lists: only staff of that party
    AGGREGATE = "aggregate"  # counts over many persons, small cells suppressed
    GLOBAL = "global"  # administration and oversight of the platform


_R, _W = Action.READ, Action.WRITE
_NONE: frozenset[Role] = frozenset()
_PATIENT = frozenset({Role.PATIENT})
_COORDINATORS = frozenset({Role.DISCHARGE_COORDINATOR, Role.MUNICIPAL_COORDINATOR})
_PATHWAY_WRITERS = HOSPITAL_ROLES | {Role.ALLOCATION_OFFICER, Role.MUNICIPAL_COORDINATOR}
_SENDERS = _PATHWAY_WRITERS | {Role.GP, Role.MESSAGING_SYSTEM}
_LEDGER_READERS = frozenset({Role.DISCHARGE_COORDINATOR, Role.ALLOCATION_OFFICER, Role.MUNICIPAL_COORDINATOR})
_ADMIN = frozenset({Role.ADMINISTRATOR})
_ALERT_STAFF = HOSPITAL_ROLES | MUNICIPAL_ROLES

# resource -> (scope, {action: roles that may do it}). Anything not listed is denied.
RULES: Mapping[Resource, tuple[Scope, Mapping[Action, frozenset[Role]]]] = {
    Resource.PERSON_PATHWAY: (Scope.PERSON, {_R: CARE_ROLES | _PATIENT, _W: _PATHWAY_WRITERS}),
    Resource.PERSON_TIMELINE: (Scope.PERSON, {_R: CARE_ROLES | _PATIENT, _W: _NONE}),
    Resource.PERSON_ALERTS: (Scope.PERSON, {_R: _ALERT_STAFF, _W: _ALERT_STAFF}),
    # Coordinators place other organisations on the person's care team.
    Resource.PERSON_CARE_RELATIONS: (Scope.PERSON, {_R: CARE_ROLES | _PATIENT, _W: _COORDINATORS}),
    Resource.AUDIT_PERSON: (Scope.PERSON, {_R: _PATIENT, _W: _NONE}),
    Resource.EMERGENCY_ACCESS: (Scope.PERSON, {_R: _NONE, _W: EMERGENCY_ROLES}),
    Resource.MESSAGES_SUBMIT: (Scope.ORGANISATION, {_R: _NONE, _W: _SENDERS}),
    Resource.BOARD_HOSPITAL: (Scope.ORGANISATION, {_R: HOSPITAL_ROLES, _W: _NONE}),
    Resource.BOARD_MUNICIPALITY: (Scope.ORGANISATION, {_R: MUNICIPAL_ROLES, _W: _NONE}),
    Resource.BOARD_ALERTS: (Scope.ORGANISATION, {_R: _ALERT_STAFF, _W: _NONE}),
    Resource.BOARD_GP: (Scope.ORGANISATION, {_R: frozenset({Role.GP}), _W: _NONE}),
    Resource.LEDGER: (Scope.ORGANISATION, {_R: _LEDGER_READERS, _W: _NONE}),
    # The daily rates are public figures (the state budget): whoever reads the ledger may read them; only an
    # administrator sets one (audited).
    Resource.DAILY_RATES: (Scope.GLOBAL, {_R: _LEDGER_READERS | _ADMIN, _W: _ADMIN}),
    Resource.INDICATORS: (Scope.AGGREGATE, {_R: CARE_ROLES | {Role.ANALYST, Role.ADMINISTRATOR}, _W: _NONE}),
    Resource.AUDIT_COMPLIANCE: (Scope.GLOBAL, {_R: OVERSIGHT_ROLES, _W: _NONE}),
    Resource.USERS_ADMIN: (Scope.GLOBAL, {_R: _ADMIN, _W: _ADMIN}),
    Resource.ORGANISATIONS_WRITE: (Scope.GLOBAL, {_R: _NONE, _W: _ADMIN}),
    Resource.EMERGENCY_REVIEW: (Scope.GLOBAL, {_R: OVERSIGHT_ROLES, _W: OVERSIGHT_ROLES}),
}

NO_ACCESS = "You have no access to this resource."
# Deliberately the same whether or not the person exists: a denial must not reveal that.
NO_PERSON_ACCESS = "You have no care relation or emergency access that covers this person's data."


def scope_of(resource: Resource) -> Scope:
    return RULES[resource][0]


def roles_allowed(resource: Resource, action: Action) -> frozenset[Role]:
    return RULES[resource][1].get(action, _NONE)


def decide(request: AccessRequest) -> Decision:
    """Decide one access. Person data: own data (patients), then an active care relation of the principal's
    party (helsepersonelloven § 21a, tjenstlig behov [B]), then an active emergency grant (reads only)."""
    candidates = sorted(request.principal.roles & roles_allowed(request.resource, request.action))
    if not candidates:
        return Decision(False, None, NO_ACCESS)
    scope = scope_of(request.resource)
    if scope is Scope.PERSON:
        return _decide_person(request, candidates)
    if scope is Scope.ORGANISATION:
        return _decide_organisation(request, candidates)
    kind = BasisKind.AGGREGATE if scope is Scope.AGGREGATE else BasisKind.ROLE
    return Decision(True, AccessBasis(kind, candidates[0], f"{scope.value} access as {candidates[0].value}"), "")


def _decide_person(request: AccessRequest, candidates: Sequence[Role]) -> Decision:
    subject = request.subject
    if subject is None:
        return Decision(False, None, NO_PERSON_ACCESS)
    principal = request.principal
    if Role.PATIENT in candidates and principal.national_id == subject.national_id:
        return Decision(True, AccessBasis(BasisKind.OWN_DATA, Role.PATIENT, "the patient's own data"), "")
    staff = [role for role in candidates if role is not Role.PATIENT]
    if not staff:
        return Decision(False, None, NO_PERSON_ACCESS)
    if request.resource is Resource.EMERGENCY_ACCESS:
        # Breaking the glass needs no relation (that is its point); the reason is checked by the model.
        return Decision(True, AccessBasis(BasisKind.EMERGENCY, staff[0], "emergency access requested"), "")
    if request.principal_party is not None:
        for fact in subject.relations:
            relation = fact.relation
            if fact.party == request.principal_party and relation.is_active(request.now, request.hospital_stay_grace):
                reason = f"care relation: {relation.kind.value} ({relation.reference})"
                return Decision(True, AccessBasis(BasisKind.CARE_RELATION, staff[0], reason, relation.reference), "")
    emergency_staff = [role for role in staff if role in EMERGENCY_ROLES]
    if request.action is Action.READ and emergency_staff:
        for grant in subject.emergency_grants:
            if grant.user_id == principal.user_id and grant.is_active(request.now):
                basis = AccessBasis(BasisKind.EMERGENCY, emergency_staff[0], f"emergency: {grant.reason}", grant.id)
                return Decision(True, basis, "")
    return Decision(False, None, NO_PERSON_ACCESS)


def _decide_organisation(request: AccessRequest, candidates: Sequence[Role]) -> Decision:
    own = request.principal_party
    target = request.organisation_party or own
    if own is None or target != own:
        return Decision(False, None, "You may only act for your own organisation.")
    basis = AccessBasis(BasisKind.ROLE, candidates[0], f"work of own organisation {own} as {candidates[0].value}")
    return Decision(True, basis, "")


# Small-cell suppression: counts below this are hidden in every aggregate shown to anyone (statistical
# disclosure control as practised by FHI/SSB for municipal statistics, threshold [B] — make it a setting).
DEFAULT_SMALL_CELL_THRESHOLD = 5


def is_small_cell(count: int, threshold: int = DEFAULT_SMALL_CELL_THRESHOLD) -> bool:
    """A count that is hidden: at least 1 and under the threshold (zero is shown: it reveals no person). The one
    rule of every aggregate (the indicators apply it to each count, `indicators.service`). Only primary
    suppression: a table published with totals needs complementary suppression as well."""
    return 0 < count < threshold
