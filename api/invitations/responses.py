"""Responses read back from Outlook: accepted, tentative, declined, or the meeting gone.

Meetings are read through `$batch` (twenty a request). A decline by the executive (or
by the mentor, when a programme mailbox organises) marks the session declined and asks
for a re-plan of the programme, in which that session moves and nothing else does unless
it must. A decline is handled once per start: a moved meeting starts with fresh answers.
Change notifications only say which meetings to read; the reading is always done here,
so a lost, repeated or forged notification can neither miss nor invent a decline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.storage.models import Meeting, Programme
from connectors.graph.events import EventsClient, EventState


@dataclass
class ResponseReport:
    read: int = 0
    declined: list[tuple[str, str, int]] = field(default_factory=list)  # programme, pair, index
    gone: list[tuple[str, str, int]] = field(default_factory=list)

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
        query = select(Meeting.id, Meeting.organiser, Meeting.event_id).where(
            Meeting.wanted == "live",
            Meeting.event_id.is_not(None),
            Meeting.revision == Meeting.synced_revision,
        )
        if programme_id is not None:
            query = query.where(Meeting.programme_id == programme_id)
        if event_ids is not None:
            query = query.where(Meeting.event_id.in_(list(event_ids)))
        rows = [(str(m), str(o), str(e)) for m, o, e in session.execute(query)]
    states = events.read_many([(organiser, event_id) for _, organiser, event_id in rows])
    report = ResponseReport(read=len(rows))
    with sessions() as session:
        for meeting_id, _, event_id in rows:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.event_id != event_id or meeting.wanted != "live":
                continue  # changed while we read: its next turn reads it again
            _apply(session, meeting, states.get(event_id), report)
        session.commit()
    return report


def _apply(
    session: Session, meeting: Meeting, state: EventState | None, report: ResponseReport
) -> None:
    key = (meeting.programme_id, meeting.pair, meeting.index)
    if state is None or state.cancelled:  # deleted or cancelled in Outlook, not by Tandem
        meeting.wanted, meeting.event_cancelled = "cancelled", True
        meeting.responses = {"organiser": "deleted"}
        meeting.error = "deleted in Outlook by its organiser"
        _mark_declined(session, meeting)
        report.gone.append(key)
        return
    if state.responses != meeting.responses:
        meeting.responses = state.responses
        meeting.updated_at = datetime.now(UTC)
    declined = any(answer == "declined" for answer in state.responses.values())
    if declined and meeting.decline_handled != meeting.start:
        meeting.decline_handled = meeting.start
        _mark_declined(session, meeting)
        report.declined.append(key)


def _mark_declined(session: Session, meeting: Meeting) -> None:
    programme = session.get(Programme, meeting.programme_id)
    if programme is None:
        return
    statuses = dict(programme.statuses or {})
    statuses[f"{meeting.pair}#{meeting.index}"] = "declined"
    programme.statuses = statuses
    programme.updated_at = datetime.now(UTC)
