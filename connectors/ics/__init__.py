"""ICS calendar files as busy times (free/busy only: no subject, place or body is kept).

Only what bears on busy time is read: each event's times, recurrence, status and UID.
Recurring events are expanded over the horizon by `recurring_ical_events`, with their
exceptions (EXDATE, moved or cancelled instances). Time zones are the file's own (see
`connectors.ics.zones`); floating times are read in the file's X-WR-TIMEZONE, else in the
person's zone; all-day dates are the person's days. `TRANSP:TRANSPARENT` is free,
`STATUS:TENTATIVE` tentative, `STATUS:CANCELLED` ignored; Outlook's
`X-MICROSOFT-CDO-BUSYSTATUS` (OOF, TENTATIVE, FREE, WORKINGELSEWHERE) wins when present, as
Outlook itself shows it.

A part that cannot matter and cannot be read (an alarm, an unused time zone definition,
a free/busy block) is skipped with a warning naming its line; a busy time that cannot be
known is a problem naming the line, the component's BEGIN line and UID, and the file is
refused with every such problem at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from connectors.ics.events import Clock, read_event
from connectors.ics.findings import Findings
from connectors.ics.lines import Part, StructureError, read_parts
from connectors.ics.recurrence_size import MOST_INSTANCES, most_instances
from connectors.ics.zones import FileZones
from scheduler.domain import Busy
from scheduler.time_grid import local_midnight

OUTLOOK_STATUS = {
    "OOF": "oof",
    "BUSY": "busy",
    "TENTATIVE": "tentative",
    "FREE": "free",
    "WORKINGELSEWHERE": "workingElsewhere",
}
NOT_READ = {"VFREEBUSY": "Tandem reads a calendar's events (VEVENT), not its free/busy blocks"}


class IcsError(Exception):
    """A calendar file that cannot be read: every problem, each naming its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class IcsReading:
    busy: list[Busy]
    warnings: list[str]  # parts skipped, each naming its line


def read_ics(path: Path, tz: tzinfo, start: datetime, end: datetime) -> IcsReading:
    """The busy times of the calendar in [start, end) (UTC instants), with what was skipped."""
    findings = Findings(str(path))
    calendars = _calendars(path, _text(path))
    busy = [b for calendar in calendars for b in _busy_times(calendar, tz, start, end, findings)]
    if findings.problems:
        raise IcsError(findings.problem_texts())
    return IcsReading(sorted(busy, key=lambda b: (b.start, b.end)), findings.warning_texts())


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IcsError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as problem:
        raise IcsError([f"{path}: cannot be read: {problem}"]) from None


def _calendars(path: Path, text: str) -> list[Part]:
    try:
        calendars = [part for part in read_parts(text) if part.name == "VCALENDAR"]
    except StructureError as broken:
        raise IcsError([f"{path}: line {broken.line}: {broken.message}"]) from None
    if not calendars:
        raise IcsError([f"{path}: not an iCalendar file (no BEGIN:VCALENDAR)"])
    return calendars


def _busy_times(
    calendar: Part, tz: tzinfo, start: datetime, end: datetime, findings: Findings
) -> list[Busy]:
    zones = FileZones.of(calendar, findings)
    clock = _clock(calendar, zones, tz)
    series: dict[str, list[tuple[Part, icalendar.Event]]] = defaultdict(list)
    for part in calendar.parts:
        if part.name == "VEVENT" and (event := read_event(part, zones, clock, findings)):
            series[str(event["UID"])].append((part, event))
        elif part.name in NOT_READ:
            findings.warning(part.begin, f"skipped: {NOT_READ[part.name]}", part)
    zones.report_unused_broken()
    expandable = _within_instance_limit(series, start, end, findings)
    return [
        busy
        for occurrence in _occurrences(expandable, start, end, findings)
        if (busy := _busy(occurrence, tz)) is not None
    ]


def _within_instance_limit(
    series: dict[str, list[tuple[Part, icalendar.Event]]],
    start: datetime,
    end: datetime,
    findings: Findings,
) -> dict[str, list[tuple[Part, icalendar.Event]]]:
    """The series whose rules, together, stand for at most MOST_INSTANCES instances in the
    window; each one past it is a problem at its first component, never expanded. Events
    without a rule are not counted: each costs one, and the file's size bounds them."""
    kept: dict[str, list[tuple[Part, icalendar.Event]]] = {}
    total = 0.0
    for uid, members in series.items():
        rules = [event.get("RRULE") for _, event in members if event.get("RRULE") is not None]
        size = sum(most_instances(rule, start, end) for rule in rules)  # one-offs: 1 each
        if total + size > MOST_INSTANCES:
            findings.problem(
                members[0][0].begin,
                f"its recurrence stands for more than {MOST_INSTANCES:,} instances in the "
                "horizon (a rule by the second or minute?): not expanded",
                members[0][0],
            )
            continue
        total += size
        kept[uid] = members
    return kept


def _clock(calendar: Part, zones: FileZones, tz: tzinfo) -> Clock:
    line = calendar.first("X-WR-TIMEZONE")
    named = zones.named_zone(line.value.strip(), line) if line else None
    return Clock(floating=named or tz, calendar_zone=named)


def _occurrences(
    series: dict[str, list[tuple[Part, icalendar.Event]]],
    start: datetime,
    end: datetime,
    findings: Findings,
) -> list[Any]:
    """Every instance in [start, end); a series that cannot be expanded is a problem at
    its first component. All series at once, and one by one only to find a broken one."""
    try:
        return _expanded((event for members in series.values() for _, event in members), start, end)
    except Exception:  # the library raises many kinds; the series one by one say which
        pass
    found: list[Any] = []
    for members in series.values():
        try:
            found.extend(_expanded((event for _, event in members), start, end))
        except Exception as problem:  # as above; the events hold no subject to leak
            first = members[0][0]
            findings.problem(
                first.begin,
                "its recurrence cannot be expanded "
                f"({str(problem)[:200] or type(problem).__name__})",
                first,
            )
    return found


def _expanded(events: Iterable[icalendar.Event], start: datetime, end: datetime) -> list[Any]:
    calendar = icalendar.Calendar()
    for event in events:
        calendar.add_component(event)
    return list(recurring_ical_events.of(calendar).between(start, end))


def _busy(event: Any, tz: tzinfo) -> Busy | None:
    status = _status(event)
    if status is None:
        return None
    start = _instant(event.get("DTSTART").dt, tz)
    end = _end(event, start, tz)
    if end <= start:
        return None  # an event of no length takes no time
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
        return value.astimezone(UTC)  # every time carries its zone by now
    return local_midnight(value, tz)  # an all-day date starts at the person's midnight


def _end(event: Any, start: datetime, tz: tzinfo) -> datetime:
    first_day = event.get("DTSTART").dt
    is_all_day = not isinstance(first_day, datetime)
    if event.get("DTEND") is not None:
        last = event.get("DTEND").dt
        if is_all_day and last == first_day:  # blocks its day, as Outlook and Google show it
            return local_midnight(first_day + timedelta(days=1), tz)
        return _instant(last, tz)
    if event.get("DURATION") is not None:
        duration: timedelta = event.get("DURATION").dt
        return start + duration
    return start + (timedelta(days=1) if is_all_day else timedelta(0))


def utc_window(first_day: date, end_day: date) -> tuple[datetime, datetime]:
    """Instants that surely cover the local days [first_day, end_day) in any time zone."""
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC) - timedelta(days=2)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC) + timedelta(days=2)
    return start, end
