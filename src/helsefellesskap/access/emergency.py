"""Emergency access ("break the glass"): a user without a care relation opens time-limited read access to one
person, stating why; every such access is flagged for review by a compliance officer or administrator.

Normen (Norm for informasjonssikkerhet og personvern i helse- og omsorgssektoren) requires emergency access to
be justified, time-limited, logged and followed up [B: from memory of Normen's factsheet, verify].
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helsefellesskap.access import audit as audit_log
from helsefellesskap.access.model import Action, EmergencyGrant, Principal, Resource, emergency_window
from helsefellesskap.access.service import authorize, authorize_person, normalise_national_id
from helsefellesskap.access.store import EmergencyGrantRow
from helsefellesskap.errors import Conflict, InvalidInput, NotFound

REVIEW_OUTCOMES = ("justified", "unjustified")


def open_emergency_access(session: Session, principal: Principal, national_id: str, reason: str,
                          duration: timedelta, *, now: datetime, maximum: timedelta,
                          source: str | None = None) -> EmergencyGrant:
    """Break the glass: check the role may, validate reason and duration, store the grant, audit it."""
    national_id = normalise_national_id(national_id)
    expires_at = emergency_window(reason, now, duration, maximum)
    grant_id = str(uuid.uuid4())
    authorize_person(session, principal, national_id, Action.WRITE, Resource.EMERGENCY_ACCESS, now=now,
                     source=source, reason=f"break the glass: {reason.strip()}", reference=grant_id)
    row = EmergencyGrantRow(id=grant_id, user_id=principal.user_id, username=principal.username,
                            organisation_address=principal.organisation_address, national_id=national_id,
                            reason=reason.strip(), starts_at=audit_log.utc(now), expires_at=audit_log.utc(expires_at))
    session.add(row)
    session.flush()
    return EmergencyGrant(row.id, row.user_id, national_id, row.reason, now, expires_at)


def emergency_grants(session: Session, principal: Principal, *, now: datetime,
                     pending_only: bool = True) -> list[EmergencyGrantRow]:
    """The emergency accesses to review (or all of them), newest first: for oversight roles only."""
    authorize(session, principal, Resource.EMERGENCY_REVIEW, Action.READ, now=now)
    stmt = select(EmergencyGrantRow).order_by(EmergencyGrantRow.starts_at.desc())
    if pending_only:
        stmt = stmt.where(EmergencyGrantRow.reviewed_at.is_(None))
    return list(session.scalars(stmt))


def review_emergency_access(session: Session, principal: Principal, grant_id: str, outcome: str, note: str,
                            *, now: datetime) -> EmergencyGrantRow:
    """Record the review of one emergency access: justified or not, with a note."""
    authorize(session, principal, Resource.EMERGENCY_REVIEW, Action.WRITE, now=now)
    if outcome not in REVIEW_OUTCOMES:
        raise InvalidInput(f"A review outcome is one of {', '.join(REVIEW_OUTCOMES)}.")
    row = session.get(EmergencyGrantRow, grant_id)
    if row is None:
        raise NotFound(f"No emergency access {grant_id!r}.")
    if row.reviewed_at is not None:
        raise Conflict("That emergency access has already been reviewed.")
    row.reviewed_at, row.reviewed_by, row.review_outcome, row.review_note = now, principal.username, outcome, note
    session.flush()
    return row
