"""What HR tools read of a programme: the tenant's programmes, a programme's sessions (a
page, or one person's), and its history. Read from the indexed session rows and events,
never from the whole plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.paging import Page
from api.problems import Problem
from api.programmes import exists
from api.storage.models import Programme, ProgrammeScenario, ProgrammeSession, SessionEvent
from api.work.claims import as_utc
from scheduler.plan_format import instant_text

Row = TypeVar("Row")


@dataclass(frozen=True)
class Sessions:
    """Which sessions: one person's, starting in [start, end); all when None."""

    person: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Events:
    """Which history events: of one pair, of one person's pairs, recorded in [start, end)."""

    pair: str | None = None
    person: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def programme_page(session: Session, tenant_id: str, limit: int, offset: int) -> Page:
    """The tenant's programmes, newest first, without their scenarios and plans."""
    mine = Programme.tenant_id == tenant_id
    total = session.scalar(select(func.count()).select_from(Programme).where(mine)) or 0
    rows = session.execute(
        select(
            Programme.id,
            Programme.name,
            Programme.version,
            Programme.created_at,
            Programme.updated_at,
        )
        .where(mine)
        .order_by(Programme.created_at.desc(), Programme.id)
        .limit(limit)
        .offset(offset)
    )
    return Page([_programme_shown(*row) for row in rows], total)


def _programme_shown(
    programme_id: str, name: str, version: int, created: datetime, updated: datetime
) -> dict[str, Any]:
    return {
        "id": programme_id,
        "name": name,
        "version": version,
        "planned": version > 0,  # a plan recorded (the plan column is not read)
        "created_at": instant_text(as_utc(created)),
        "updated_at": instant_text(as_utc(updated)),
        "href": f"/v1/programmes/{programme_id}",
    }


def session_page(
    session: Session, tenant_id: str, programme_id: str, which: Sessions, limit: int, offset: int
) -> Page:
    exists(session, tenant_id, programme_id)
    if which.person is not None:
        known_person(session, programme_id, which.person)
    return _page(session, _query(programme_id, which), _shown, limit, offset)


def _page(
    session: Session,
    query: Select[Row],
    shown: Callable[[Row], dict[str, Any]],
    limit: int,
    offset: int,
) -> Page:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Page([shown(row) for row in session.scalars(query.limit(limit).offset(offset))], total)


def person_sessions(
    session: Session, tenant_id: str, programme_id: str, person: str
) -> list[ProgrammeSession]:
    exists(session, tenant_id, programme_id)
    rows = list(session.scalars(_query(programme_id, Sessions(person))))
    if not rows:
        known_person(session, programme_id, person)
    return rows


def start_changes(
    session: Session, programme_id: str, rows: list[ProgrammeSession]
) -> dict[tuple[str, int], int]:
    """How often each session's start was set, by the programme's history (placed, moved,
    placed again): it only grows, whatever replaces the scenario, so a feed's `SEQUENCE`
    built on it never goes back."""
    pairs = sorted({row.pair for row in rows})
    if not pairs:
        return {}
    counted = session.execute(
        select(SessionEvent.pair, SessionEvent.index, func.count())
        .where(
            SessionEvent.programme_id == programme_id,
            SessionEvent.pair.in_(pairs),
            SessionEvent.new_start.is_not(None),
        )
        .group_by(SessionEvent.pair, SessionEvent.index)
    )
    return {(pair, index): count for pair, index, count in counted}


def known_person(session: Session, programme_id: str, person: str) -> None:
    """404 unless the person is in the programme: one with a session is; for anyone else
    the scenario's people are read (all of it, on SQLite: only then)."""
    has_session = session.scalar(
        select(ProgrammeSession.pair)
        .where(
            ProgrammeSession.programme_id == programme_id,
            or_(ProgrammeSession.mentor == person, ProgrammeSession.mentee == person),
        )
        .limit(1)
    )
    if has_session is not None:
        return
    scenario = session.scalar(
        select(ProgrammeScenario.body).where(ProgrammeScenario.programme_id == programme_id)
    )
    if person not in {p.get("id") for p in (scenario or {}).get("people", [])}:
        raise Problem(404, "Not Found", f"the programme has no person '{person}'")


def history_page(
    session: Session, tenant_id: str, programme_id: str, which: Events, limit: int, offset: int
) -> Page:
    """Every session placed, moved or left unplaced, plan by plan, with the reason."""
    exists(session, tenant_id, programme_id)
    if which.person is not None:
        known_person(session, programme_id, which.person)
    return _page(session, _history_query(programme_id, which), _event_shown, limit, offset)


def _history_query(programme_id: str, which: Events) -> Select[SessionEvent]:
    query = select(SessionEvent).where(SessionEvent.programme_id == programme_id)
    if which.pair is not None:
        query = query.where(SessionEvent.pair == which.pair)
    people = (SessionEvent.mentor, SessionEvent.mentee)
    query = _narrowed(query, people, which.person, SessionEvent.at, which.start, which.end)
    return query.order_by(SessionEvent.id)


def _event_shown(e: SessionEvent) -> dict[str, Any]:
    return {
        "pair": e.pair,
        "index": e.index,
        "mentor": e.mentor,
        "mentee": e.mentee,
        "kind": e.kind,
        "old_start": utc_text(e.old_start),
        "new_start": utc_text(e.new_start),
        "reason": e.reason,
        "plan_version": e.plan_version,
        "at": instant_text(as_utc(e.at)),
    }


def utc_text(moment: datetime | None) -> str | None:
    """A stored instant as the API writes it, `2027-01-05T13:00:00Z`."""
    return None if moment is None else instant_text(moment)


def _shown(row: ProgrammeSession) -> dict[str, Any]:
    return {
        "pair": row.pair,
        "index": row.index,
        "kind": row.kind,
        "mentor": row.mentor,
        "mentee": row.mentee,
        "start": utc_text(row.start),
        "end": utc_text(row.end),
        "mentor_local": row.mentor_local,
        "mentee_local": row.mentee_local,
        "moved": row.moved,
        "moves": row.moves,
    }


def _query(programme_id: str, which: Sessions) -> Select[ProgrammeSession]:
    query = select(ProgrammeSession).where(ProgrammeSession.programme_id == programme_id)
    people = (ProgrammeSession.mentor, ProgrammeSession.mentee)
    query = _narrowed(query, people, which.person, ProgrammeSession.start, which.start, which.end)
    return query.order_by(ProgrammeSession.start, ProgrammeSession.pair, ProgrammeSession.index)


def _narrowed(
    query: Select[Row],
    people: tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]],
    person: str | None,
    moment: InstrumentedAttribute[Any],
    start: datetime | None,
    end: datetime | None,
) -> Select[Row]:
    """The rows of a person (as mentor or mentee) whose `moment` is in [start, end),
    compared as instants (a time given without an offset is UTC)."""
    if person is not None:
        query = query.where(or_(people[0] == person, people[1] == person))
    if start is not None:
        query = query.where(moment >= as_utc(start))
    if end is not None:
        query = query.where(moment < as_utc(end))
    return query
