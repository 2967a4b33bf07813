"""What HR tools read of a programme: its sessions (a page, or one person's), and its
history. Read from the indexed session rows and events, never from the whole plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from api.programmes import exists
from api.storage.models import ProgrammeSession, SessionEvent
from api.work.claims import as_utc
from scheduler.plan_format import instant_text


@dataclass(frozen=True)
class Sessions:
    """Which sessions: one person's, starting in [start, end); all when None."""

    person: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]  # in start order, as the API shows them
    total: int


def session_page(
    session: Session, tenant_id: str, programme_id: str, which: Sessions, limit: int, offset: int
) -> Page:
    exists(session, tenant_id, programme_id)
    query = _query(programme_id, which)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.limit(limit).offset(offset))
    return Page([_shown(row) for row in rows], total)


def person_sessions(
    session: Session, tenant_id: str, programme_id: str, person: str
) -> list[ProgrammeSession]:
    exists(session, tenant_id, programme_id)
    return list(session.scalars(_query(programme_id, Sessions(person))))


def history(session: Session, tenant_id: str, programme_id: str) -> list[dict[str, Any]]:
    """Every session placed, moved or left unplaced, plan by plan, with the reason."""
    exists(session, tenant_id, programme_id)
    events = session.scalars(
        select(SessionEvent)
        .where(SessionEvent.programme_id == programme_id)
        .order_by(SessionEvent.id)
    )
    return [
        {
            "pair": e.pair,
            "index": e.index,
            "kind": e.kind,
            "old_start": utc_text(e.old_start),
            "new_start": utc_text(e.new_start),
            "reason": e.reason,
            "plan_version": e.plan_version,
            "at": as_utc(e.at),
        }
        for e in events
    ]


def utc_text(moment: datetime | None) -> str | None:
    """A stored instant as the API writes it, `2027-01-05T13:00:00Z`."""
    return None if moment is None else instant_text(moment)


def _shown(row: ProgrammeSession) -> dict[str, Any]:
    return {
        "pair": row.pair,
        "index": row.index,
        "mentor": row.mentor,
        "mentee": row.mentee,
        "start": utc_text(row.start),
        "end": utc_text(row.end),
        "moved": row.moved,
        "moves": row.moves,
    }


def _query(programme_id: str, which: Sessions) -> Select[ProgrammeSession]:
    query = select(ProgrammeSession).where(ProgrammeSession.programme_id == programme_id)
    if which.person is not None:
        query = query.where(
            or_(ProgrammeSession.mentor == which.person, ProgrammeSession.mentee == which.person)
        )
    # Compared as instants (a time given without an offset is UTC).
    if which.start is not None:
        query = query.where(ProgrammeSession.start >= as_utc(which.start))
    if which.end is not None:
        query = query.where(ProgrammeSession.start < as_utc(which.end))
    return query.order_by(ProgrammeSession.start, ProgrammeSession.pair, ProgrammeSession.index)
