"""The outbox: what calendars must receive, written in the transaction of the plan change.

For each session the plan places, removes or moves, the meeting's wanted state changes
and one outbox entry records the operation. Nothing is sent here: the sender carries the
entries out later, so a crash after the commit loses nothing and a crash before it sends
nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.invitations.desired import SessionKey, WantedMeeting, wanted_meetings
from api.storage.models import Meeting, OutboxEntry, Programme
from scheduler.plan_format import PlanDocument
from scheduler.scenario import Scenario


@dataclass(frozen=True)
class Change:
    operation: str  # create, move, cancel
    pair: str
    index: int
    start: datetime | None
    old_start: datetime | None = None


DELETED_IN_OUTLOOK = "deleted in Outlook by its organiser"


def now() -> datetime:
    return datetime.now(UTC)


def live_meetings(session: Session, programme_id: str) -> dict[SessionKey, Meeting]:
    rows = session.scalars(
        select(Meeting).where(Meeting.programme_id == programme_id, Meeting.wanted == "live")
    )
    return {(m.pair, m.index): m for m in rows}


def write_changes(
    session: Session, programme: Programme, scenario: Scenario, plan: PlanDocument
) -> list[Change]:
    """Bring the programme's meetings to the plan; the outbox entries join the session's
    transaction (the caller commits them with the plan)."""
    wanted = wanted_meetings(scenario, plan)
    live = live_meetings(session, programme.id)
    changes: list[Change] = []
    for key, meeting in live.items():
        target = wanted.get(key)
        if target is None or target.who != _who(meeting):
            changes.append(_cancel(session, meeting))
        elif (target.start, target.end) != (meeting.start, meeting.end):
            changes.append(_move(session, meeting, target))
    deleted = _deleted_in_outlook(session, programme.id)
    for key, target in wanted.items():
        if key in live and target.who == _who(live[key]):
            continue
        if key not in live and target.start in deleted.get(key, set()):
            continue  # the organiser deleted it at this very time: only a new time re-sends
        changes.append(_create(session, programme.id, target))
    return changes


def _deleted_in_outlook(session: Session, programme_id: str) -> dict[SessionKey, set[datetime]]:
    found: dict[SessionKey, set[datetime]] = {}
    for pair, index, start in session.execute(
        select(Meeting.pair, Meeting.index, Meeting.start).where(
            Meeting.programme_id == programme_id, Meeting.error == DELETED_IN_OUTLOOK
        )
    ):
        found.setdefault((pair, index), set()).add(start)
    return found


def count_changes(changes: list[Change]) -> dict[str, int]:
    counts = dict.fromkeys(("create", "move", "cancel"), 0)
    for change in changes:
        counts[change.operation] += 1
    return counts


def _who(meeting: Meeting) -> tuple[Any, ...]:
    return (meeting.organiser.lower(), tuple(a.lower() for a, _ in meeting.attendees))


def _create(session: Session, programme_id: str, target: WantedMeeting) -> Change:
    generation = 1 + (
        session.scalar(
            select(func.max(Meeting.generation)).where(
                Meeting.programme_id == programme_id,
                Meeting.pair == target.pair,
                Meeting.index == target.index,
            )
        )
        or 0
    )
    meeting = Meeting(
        id=str(uuid.uuid4()),
        programme_id=programme_id,
        pair=target.pair,
        index=target.index,
        generation=generation,
        tag=f"{programme_id}/{target.pair}#{target.index}/{generation}",
        organiser=target.organiser,
        attendees=[list(a) for a in target.attendees],
        time_zone=target.time_zone,
        content=target.content,
        start=target.start,
        end=target.end,
        wanted="live",
        revision=1,
        synced_revision=0,
        attempted_revision=0,
        event_cancelled=False,
        responses={},
        updated_at=now(),
    )
    session.add(meeting)
    session.flush()  # the entry's foreign key needs the row
    _entry(session, meeting, "create")
    return Change("create", target.pair, target.index, target.start)


def _move(session: Session, meeting: Meeting, target: WantedMeeting) -> Change:
    old = meeting.start
    meeting.start, meeting.end = target.start, target.end
    meeting.responses = {}  # Outlook asks again when a meeting moves
    meeting.revision += 1
    meeting.updated_at = now()
    _entry(session, meeting, "move")
    return Change("move", meeting.pair, meeting.index, target.start, old)


def resend(session: Session, meeting: Meeting) -> None:
    """Send the meeting's planned time again (Outlook shows another one)."""
    meeting.revision += 1
    meeting.responses = {}
    meeting.updated_at = now()
    _entry(session, meeting, "move")


def _cancel(session: Session, meeting: Meeting) -> Change:
    meeting.wanted = "cancelled"
    meeting.revision += 1
    meeting.updated_at = now()
    _entry(session, meeting, "cancel")
    return Change("cancel", meeting.pair, meeting.index, None, meeting.start)


def _entry(session: Session, meeting: Meeting, operation: str) -> None:
    session.add(
        OutboxEntry(
            meeting_id=meeting.id,
            programme_id=meeting.programme_id,
            operation=operation,
            revision=meeting.revision,
            start=meeting.start if operation != "cancel" else None,
            status="pending",
            created_at=now(),
        )
    )
