"""A programme's invitations at a glance: what is sent, what waits, what failed, and
how people answered."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.storage.models import Meeting
from scheduler.plan_format import instant_text

SHOWN = 50  # failed and waiting meetings listed in full


def invitation_status(session: Session, programme_id: str) -> dict[str, Any]:
    meetings = session.scalars(select(Meeting).where(Meeting.programme_id == programme_id)).all()
    waiting = [m for m in meetings if m.revision > m.synced_revision]
    failed = [m for m in waiting if m.error]
    live = [m for m in meetings if m.wanted == "live"]
    answers: Counter[str] = Counter()
    for meeting in live:
        if meeting.revision == meeting.synced_revision:
            answers[_answer(meeting)] += 1
    return {
        "meetings": len(live),
        "in_step": sum(1 for m in live if m.revision == m.synced_revision),
        "waiting": len(waiting),
        "failed": len(failed),
        "responses": dict(sorted(answers.items())),
        "waiting_sessions": [_row(m) for m in waiting[:SHOWN]],
        "removed_in_outlook": [_row(m) for m in meetings if m.error and m.event_cancelled][:SHOWN],
    }


def _answer(meeting: Meeting) -> str:
    """The executive's answer (an attendee's decline wins: it moves the session)."""
    responses = dict(meeting.responses or {})
    if "declined" in responses.values():
        return "declined"
    executive = str(meeting.attendees[-1][0]).lower()
    return str(responses.get(executive, "none"))


def _row(meeting: Meeting) -> dict[str, Any]:
    return {
        "pair": meeting.pair,
        "index": meeting.index,
        "start": instant_text(meeting.start),
        "wanted": meeting.wanted,
        "error": meeting.error,
    }
