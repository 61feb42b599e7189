"""Domain types of access control: who is asking (Principal), for what (Resource, Action), on which grounds
(CareRelation, EmergencyGrant) and what was decided (AccessBasis). Pure: no framework, no database, no I/O.

Legal background [B — unverified wording, confirm on lovdata.no]:
- helsepersonelloven § 21a and pasientjournalloven § 19: health data may be read only when it is needed for
  giving care to the patient (*tjenstlig behov*); snooping is forbidden.
- pasientjournalloven § 22 and § 23 (and pasientjournalforskriften): access is controlled and logged.
- pasient- og brukerrettighetsloven § 5-1 / pasientjournalloven § 18: the patient has the right to see who
  has had access to their health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from helsefellesskap.errors import InvalidInput


class Role(StrEnum):
    """What a user does in their organisation; a user may hold several."""

    HOSPITAL_PHYSICIAN = "hospital_physician"
    HOSPITAL_NURSE = "hospital_nurse"
    DISCHARGE_COORDINATOR = "discharge_coordinator"
    ALLOCATION_OFFICER = "allocation_officer"  # case worker at the municipal allocation office (tildelingskontor)
    MUNICIPAL_COORDINATOR = "municipal_coordinator"  # koordinator
    MUNICIPAL_NURSE = "municipal_nurse"
    GP = "gp"  # fastlege
    ANALYST = "analyst"
    PATIENT = "patient"
    ADMINISTRATOR = "administrator"
    COMPLIANCE_OFFICER = "compliance_officer"
    MESSAGING_SYSTEM = "messaging_system"  # an integration client of one organisation (EPJ, fagsystem)


HOSPITAL_ROLES = frozenset({Role.HOSPITAL_PHYSICIAN, Role.HOSPITAL_NURSE, Role.DISCHARGE_COORDINATOR})
MUNICIPAL_ROLES = frozenset({Role.ALLOCATION_OFFICER, Role.MUNICIPAL_COORDINATOR, Role.MUNICIPAL_NURSE})
CARE_ROLES = HOSPITAL_ROLES | MUNICIPAL_ROLES | {Role.GP}
# Health personnel who give care directly and may therefore break the glass in an emergency.
EMERGENCY_ROLES = frozenset({Role.HOSPITAL_PHYSICIAN, Role.HOSPITAL_NURSE, Role.MUNICIPAL_NURSE, Role.GP})
OVERSIGHT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COMPLIANCE_OFFICER})


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


class Resource(StrEnum):
    """Everything the policy protects. ``person.*`` are person data: they need a basis and are audited."""

    PERSON_PATHWAY = "person.pathway"
    PERSON_TIMELINE = "person.timeline"
    PERSON_ALERTS = "person.alerts"
    PERSON_CARE_RELATIONS = "person.care_relations"
    MESSAGES_SUBMIT = "messages.submit"
    BOARD_HOSPITAL = "board.hospital"
    BOARD_MUNICIPALITY = "board.municipality"
    BOARD_ALERTS = "board.alerts"  # the alert inbox: the alerts the principal's party must act on
    BOARD_GP = "board.gp"  # the GP's list: persons on the GP office's list with a recent hospital stay
    LEDGER = "ledger"
    DAILY_RATES = "daily_rates"  # the døgnpris of each year (forskrift § 13): read with the ledger, set by admins
    INDICATORS = "indicators"
    AUDIT_PERSON = "audit.person"
    AUDIT_COMPLIANCE = "audit.compliance"
    USERS_ADMIN = "users.admin"
    ORGANISATIONS_WRITE = "organisations.write"
    EMERGENCY_ACCESS = "emergency.access"
    EMERGENCY_REVIEW = "emergency.review"

    @property
    def is_person_data(self) -> bool:
        return self.value.startswith("person.") or self in (Resource.AUDIT_PERSON, Resource.EMERGENCY_ACCESS)


class CareRelationKind(StrEnum):
    """The grounds on which an organisation has a care relation (tjenstlig behov) to a person."""

    HOSPITAL_STAY = "hospital_stay"
    MUNICIPAL_SERVICE = "municipal_service"
    GP = "gp"
    CARE_TEAM = "care_team"


class BasisKind(StrEnum):
    """Why an access was allowed: the answer to the patient's question "why did they look?"."""

    CARE_RELATION = "care_relation"
    EMERGENCY = "emergency"
    OWN_DATA = "own_data"
    ROLE = "role"  # organisation-level or oversight work that needs no relation to one person
    AGGREGATE = "aggregate"


@dataclass(frozen=True)
class Principal:
    """The authenticated user (or integration client) a request acts for."""

    user_id: str
    username: str
    display_name: str
    organisation_address: str | None
    roles: frozenset[Role]
    national_id: str | None = None  # set for patients: the person whose own data they may see
    hpr: str | None = None  # Helsepersonellregisteret number of health personnel

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


@dataclass(frozen=True)
class CareRelation:
    """An organisation's care relation to a person, valid from ``valid_from`` until ``valid_to`` (open if None)."""

    national_id: str
    organisation_address: str
    kind: CareRelationKind
    reference: str  # the source of the relation: a stay id, a service decision, the GP list, a care plan
    valid_from: datetime
    valid_to: datetime | None = None

    def is_active(self, now: datetime, hospital_stay_grace: timedelta) -> bool:
        """Active from its start until its end; a hospital stay stays active for a grace period after discharge,
        so the hospital can finish the discharge report and answer the municipality ("recent stay")."""
        if now < self.valid_from:
            return False
        if self.valid_to is None:
            return True
        grace = hospital_stay_grace if self.kind is CareRelationKind.HOSPITAL_STAY else timedelta(0)
        return now <= self.valid_to + grace


@dataclass(frozen=True)
class EmergencyGrant:
    """A time-limited emergency access ("break the glass") of one user to one person, flagged for review."""

    id: str
    user_id: str
    national_id: str
    reason: str
    starts_at: datetime
    expires_at: datetime

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.expires_at


# Shortest reason accepted for breaking the glass: it must say something a reviewer can judge.
MIN_EMERGENCY_REASON_LENGTH = 10


def emergency_window(reason: str, starts_at: datetime, duration: timedelta, maximum: timedelta) -> datetime:
    """Validate a break-the-glass request and return its expiry. The reason is mandatory and access is
    time-limited (Normen, factsheet on emergency access [B])."""
    if len(reason.strip()) < MIN_EMERGENCY_REASON_LENGTH:
        raise InvalidInput(f"An emergency access needs a reason of at least {MIN_EMERGENCY_REASON_LENGTH} characters.")
    if duration <= timedelta(0):
        raise InvalidInput("An emergency access must last a positive duration.")
    if duration > maximum:
        raise InvalidInput(f"An emergency access may last at most {int(maximum.total_seconds() // 60)} minutes.")
    return starts_at + duration


@dataclass(frozen=True)
class AccessBasis:
    """The decided grounds of an allowed access: what is written to the audit log as "why"."""

    kind: BasisKind
    role: Role  # the role under which the access was allowed
    reason: str
    reference: str | None = None  # care-relation reference or emergency-grant id


@dataclass(frozen=True)
class PartyRelation:
    """A care relation with the top-level legal party of its organisation resolved (by the registry)."""

    relation: CareRelation
    party: str


@dataclass(frozen=True)
class Subject:
    """What the policy knows about the person a request concerns."""

    national_id: str
    relations: tuple[PartyRelation, ...] = ()
    emergency_grants: tuple[EmergencyGrant, ...] = ()


@dataclass(frozen=True)
class AccessRequest:
    """One question to the policy: may ``principal`` do ``action`` on ``resource`` (of ``subject``) at ``now``?"""

    principal: Principal
    resource: Resource
    action: Action
    now: datetime
    principal_party: str | None = None  # the top-level legal party of the principal's organisation
    subject: Subject | None = None  # for person data
    organisation_party: str | None = None  # for organisation-scoped resources (a board, a sender)
    # How long a hospital stay keeps its relation after discharge (settings.care_relation_grace_days).
    hospital_stay_grace: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: AccessBasis | None
    explanation: str
