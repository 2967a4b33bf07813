"""Responses read back from Outlook: accepted, tentative, declined, or the meeting gone.

Meetings are read through `$batch` (twenty a request). A decline by the executive (or
by the mentor, when a programme mailbox organises) marks the session declined by that
person and asks for a re-plan of the programme, in which that session moves and nothing
else does unless it must: off the declined time, and by default off that person's local
day, for good (the plan remembers the declined start). A decline is handled once per
start: a moved meeting starts with fresh answers.
Change notifications only say which meetings to read; the reading is always done here,
so a lost, repeated or forged notification can neither miss nor invent a decline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.locks import lock_programme
from api.invitations.outbox import DELETED_IN_OUTLOOK, resend
from api.releases import declined, release_key
from api.storage.models import Meeting, Programme
from connectors.graph.events import EventsClient, EventState
from scheduler.domain import Decliner


@dataclass
class ResponseReport:
    read: int = 0
    declined: list[tuple[str, str, int]] = field(default_factory=list)  # programme, pair, index
    gone: list[tuple[str, str, int]] = field(default_factory=list)
    resent: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def programmes_to_replan(self) -> set[str]:
        return {programme for programme, _, _ in [*self.declined, *self.gone]}


def read_responses(
    sessions: sessionmaker[Session],
    events: EventsClient,
    programme_id: str | None = None,
    event_ids: Sequence[str] | None = None,
) -> ResponseReport:
    """Read the live, sent meetings (all, a programme's, or those notifications named)."""
    with sessions() as session:
        query = select(Meeting.id, Meeting.organiser, Meeting.event_id, Meeting.revision).where(
            Meeting.wanted == "live",
            Meeting.event_id.is_not(None),
            Meeting.revision == Meeting.synced_revision,
        )
        if programme_id is not None:
            query = query.where(Meeting.programme_id == programme_id)
        if event_ids is not None:
            query = query.where(Meeting.event_id.in_(list(event_ids)))
        rows = [Read(str(m), str(o), str(e), int(r)) for m, o, e, r in session.execute(query)]
    states = events.read_many([(row.organiser, row.event_id) for row in rows])
    report = ResponseReport(read=len(rows))
    for row in rows:
        if row.event_id in states:  # a meeting Graph would not read now waits for next time
            _apply_read(sessions, row, states[row.event_id], report)
    return report


@dataclass(frozen=True)
class Read:
    meeting_id: str
    organiser: str
    event_id: str
    revision: int  # what the meeting was when read: a later plan change makes it stale


def _apply_read(
    sessions: sessionmaker[Session], row: Read, state: EventState | None, report: ResponseReport
) -> None:
    with sessions() as session:
        meeting = session.get(Meeting, row.meeting_id)
        if meeting is None:
            return
        lock_programme(session, meeting.programme_id)
        session.refresh(meeting)
        if (meeting.revision, meeting.synced_revision, meeting.wanted) != (
            row.revision,
            row.revision,
            "live",
        ) or meeting.event_id != row.event_id:
            return  # the plan moved it while we read: what we read is about the old time
        _apply(session, meeting, state, report)
        session.commit()


def _apply(
    session: Session, meeting: Meeting, state: EventState | None, report: ResponseReport
) -> None:
    key = (meeting.programme_id, meeting.pair, meeting.index)
    if state is None or state.cancelled:  # deleted or cancelled in Outlook, not by Tandem
        meeting.wanted, meeting.event_cancelled = "cancelled", True
        meeting.responses = {"organiser": "deleted"}
        meeting.error = DELETED_IN_OUTLOOK
        _mark(session, meeting, None)
        report.gone.append(key)
        return
    if (state.start, state.end) != (meeting.start, meeting.end):
        # Outlook shows another time than the plan (moved by hand, or a late write):
        # the plan's time is sent again.
        resend(session, meeting)
        report.resent.append(key)
        return
    if state.responses != meeting.responses:
        meeting.responses = state.responses
        meeting.updated_at = datetime.now(UTC)
    declined = any(answer == "declined" for answer in state.responses.values())
    handled = f"r{meeting.revision}"  # one decline per sent version of the meeting
    if declined and meeting.decline_handled != handled:
        meeting.decline_handled = handled
        _mark(session, meeting, decliner(meeting, state.responses))
        report.declined.append(key)


def decliner(meeting: Meeting, responses: dict[str, str]) -> Decliner | None:
    """Who declined: the executive (always the last attendee) or the mentor (the first,
    when a programme mailbox organises); not known when both did."""
    attendees = [str(address).lower() for address, _ in meeting.attendees]
    roles: set[Decliner] = {
        "executive" if address == attendees[-1] else "mentor"
        for address, answer in responses.items()
        if answer == "declined" and address.lower() in attendees
    }
    return roles.pop() if len(roles) == 1 else None


def mark_declined(session: Session, meeting_id: str) -> None:
    """The session of this meeting, removed in Outlook, is declined in its programme (for
    the next plan); by whom is not known, so both people's days of it are left."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is not None:
        lock_programme(session, meeting.programme_id)
        _mark(session, meeting, None)


def _mark(session: Session, meeting: Meeting, by: Decliner | None) -> None:
    programme = session.get(Programme, meeting.programme_id, populate_existing=True)
    if programme is None:
        return
    statuses = dict(programme.statuses or {})
    statuses[release_key(meeting.pair, meeting.index)] = declined(by)
    programme.statuses = statuses
    programme.updated_at = datetime.now(UTC)
