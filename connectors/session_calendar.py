"""Sessions as an ICS calendar: the service's feed (`/v1/programmes/.../sessions.ics`) and
`tandem agenda --format ics` write the same events.

Each event is neutral: its summary names no subject of anyone's other meetings, only the
session (the service's feed writes the programme's invitation subject; the agenda a plain
title), and `CLASS:PRIVATE` (unless the programme's invitations are not private) lets an
assistant see a busy block, not the content. Each event keeps its UID across plans and
`SEQUENCE` counts its moves, so a calendar takes a moved session as the newer version.
Times are UTC instants (`...Z`): every calendar shows them in its reader's own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event

PRODUCT_ID = "-//Tandem//Reverse mentoring//EN"


@dataclass(frozen=True)
class SessionEvent:
    """One session as a calendar shows it. For a check-in, `mentor` is the coach and
    `mentee` the supervised mentor (as in plans)."""

    uid: str
    start: datetime  # UTC
    end: datetime
    mentor: str
    mentee: str
    check_in: bool = False
    sequence: int = 0  # how often the session moved
    title: str | None = None  # the summary; without it, a neutral one
    private: bool = True

    @property
    def summary(self) -> str:
        if self.title is not None:
            return self.title
        if self.check_in:
            return f"Mentor check-in: {self.mentee} with coach {self.mentor}"
        return "Reverse mentoring session"


def session_uid(programme: str, pair: str, index: int) -> str:
    """The same session keeps its uid across plans, so a calendar moves it, never adds it."""
    return f"tandem-{programme}-{pair}-{index}@tandem"


def calendar_text(events: Iterable[SessionEvent], stamp: datetime | None = None) -> str:
    """The VCALENDAR of `events`. `stamp` (DTSTAMP) is when the calendar was written; without
    it, each event's start stands in (a feed that reads the same for the same plan)."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for event in events:
        calendar.add_component(_vevent(event, stamp or event.start))
    text: bytes = calendar.to_ical()
    return text.decode("utf-8")


def _vevent(event: SessionEvent, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.end)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.summary)
    if event.private:
        vevent.add("class", "PRIVATE")
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent
