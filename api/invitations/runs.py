"""`tandem invite`: a scenario and its plan kept as a local programme, so that each run
only sends what changed since the last one (state in TANDEM_DATABASE_URL)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.outbox import Change
from api.invitations.status import invitation_status
from api.programmes import record_plan
from api.storage.models import Meeting, Programme, Tenant
from scheduler.plan_format import PlanDocument

LOCAL = uuid.UUID("5d0c8e7a-3f41-4b6e-9a2d-c17e0b4f8a93")  # ids of command-line programmes


@dataclass(frozen=True)
class Prepared:
    programme_id: str
    changes: list[Change]
    waiting: int  # meetings still to send, these changes included
    in_step: int  # live meetings that already match the plan


def local_programme_id(name: str) -> str:
    return str(uuid.uuid5(LOCAL, f"programme:{name}"))


def prepare(
    sessions: sessionmaker[Session],
    raw: dict[str, Any],
    plan: PlanDocument,
    name: str,
    dry_run: bool,
) -> Prepared:
    """Record the plan and its outbox in one transaction (rolled back for a dry run)."""
    with sessions() as session:
        programme = _programme(session, raw, name)
        _retry_now(session, programme.id)
        changes = record_plan(session, programme, plan)
        session.flush()
        status = invitation_status(session, programme.id)
        prepared = Prepared(programme.id, changes, status["waiting"], status["in_step"])
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return prepared


def _programme(session: Session, raw: dict[str, Any], name: str) -> Programme:
    tenant_id = str(uuid.uuid5(LOCAL, "tenant"))
    if session.get(Tenant, tenant_id) is None:
        session.add(Tenant(id=tenant_id, name="command line", created_at=datetime.now(UTC)))
        session.flush()  # before the programme that refers to it
    programme_id = local_programme_id(name)
    programme = session.get(Programme, programme_id)
    if programme is None:
        programme = Programme(
            id=programme_id,
            tenant_id=tenant_id,
            name=name,
            statuses={},
            plan=None,
            version=0,
            created_at=datetime.now(UTC),
        )
        session.add(programme)
    programme.scenario, programme.invitations = raw, True
    programme.updated_at = datetime.now(UTC)
    session.flush()
    return programme


def _retry_now(session: Session, programme_id: str) -> None:
    """Meetings Graph refused last time are tried again at once: the user asked."""
    session.execute(
        update(Meeting)
        .where(
            Meeting.programme_id == programme_id,
            Meeting.lease_owner.is_(None),
            Meeting.lease_until.is_not(None),
        )
        .values(lease_until=None)
    )
