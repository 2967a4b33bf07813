"""ICS calendar files as busy times (free/busy only: no subject, place or body is kept).

Recurring events are expanded over the horizon by `recurring_ical_events`, with their
exceptions (EXDATE, moved or cancelled instances). Times with a TZID or in UTC keep their
zone; floating times and all-day dates are read in the person's time zone.
`TRANSP:TRANSPARENT` is free, `STATUS:TENTATIVE` tentative, `STATUS:CANCELLED` ignored;
Outlook's `X-MICROSOFT-CDO-BUSYSTATUS` (OOF, TENTATIVE, FREE, WORKINGELSEWHERE) wins when
present, as Outlook itself shows it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from scheduler.domain import Busy
from scheduler.time_grid import local_midnight, naive_to_utc

OUTLOOK_STATUS = {
    "OOF": "oof",
    "BUSY": "busy",
    "TENTATIVE": "tentative",
    "FREE": "free",
    "WORKINGELSEWHERE": "workingElsewhere",
}


class IcsError(Exception):
    """A calendar file that cannot be read; the message names the line where it can."""


def read_ics(path: Path, tz: tzinfo, start: datetime, end: datetime) -> list[Busy]:
    """The busy times of the calendar in [start, end) (UTC instants)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IcsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise IcsError(f"{path}: cannot be read: {problem}") from None
    try:
        calendar = icalendar.Calendar.from_ical(text)
        events = recurring_ical_events.of(calendar).between(start, end)
        busy = [b for event in events if (b := _busy(event, tz)) is not None]
    except Exception as problem:  # the library raises many kinds; each is a broken file
        raise IcsError(f"{path}: {_where(text, problem)}{_reason(problem)}") from None
    return sorted(busy, key=lambda b: (b.start, b.end))


def _busy(event: Any, tz: tzinfo) -> Busy | None:
    status = _status(event)
    if status is None:
        return None
    start = _instant(event.get("DTSTART").dt, tz)
    end = _end(event, start, tz)
    if end <= start:
        return None
    return Busy(start, end, status)


def _status(event: Any) -> str | None:
    """The free/busy status of an event, or None when it takes no time."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    outlook = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    if outlook in OUTLOOK_STATUS:
        return OUTLOOK_STATUS[outlook]
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return "free"
    return "tentative" if str(event.get("STATUS", "")).upper() == "TENTATIVE" else "busy"


def _instant(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return naive_to_utc(value, tz)  # floating times are the person's local time
    return local_midnight(value, tz)  # an all-day date starts at the person's midnight


def _end(event: Any, start: datetime, tz: tzinfo) -> datetime:
    if event.get("DTEND") is not None:
        return _instant(event.get("DTEND").dt, tz)
    if event.get("DURATION") is not None:
        duration: timedelta = event.get("DURATION").dt
        return start + duration
    is_all_day = not isinstance(event.get("DTSTART").dt, datetime)
    return start + (timedelta(days=1) if is_all_day else timedelta(0))


def _reason(problem: Exception) -> str:
    text = str(problem).strip() or type(problem).__name__
    return text[:300]


def _where(text: str, problem: Exception) -> str:
    """`line N: ` for the line that holds the text the library complains about."""
    message = str(problem)
    quoted = re.findall(r"'([^']{3,})'", message) + re.findall(r"got: (\S+)", message)
    for needle in quoted:
        for number, line in enumerate(text.splitlines(), start=1):
            if needle in line:
                return f"line {number}: "
    return ""


def utc_window(first_day: date, end_day: date) -> tuple[datetime, datetime]:
    """Instants that surely cover the local days [first_day, end_day) in any time zone."""
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC) - timedelta(days=2)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC) + timedelta(days=2)
    return start, end
