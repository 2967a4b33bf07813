"""One VEVENT of a calendar file as an icalendar event that holds only what bears on busy
time (its times, recurrence, status and UID: never its subject, place or description),
each time in the zone this file gives it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
from icalendar.parser import Contentline, Parameters

from connectors.ics.findings import Findings
from connectors.ics.lines import Line, Part
from connectors.ics.zones import FileZones

TIME_PROPERTIES = {
    "DTSTART": "start",
    "DTEND": "end",
    "DURATION": "length",
    "RRULE": "recurrence rule",
    "EXRULE": "exclusion rule",
    "RDATE": "extra dates",
    "EXDATE": "excluded dates",
    "RECURRENCE-ID": "date of the instance it changes",
}
ZONED = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")  # may carry a TZID
TEXT_VALUED = {"UID", "STATUS", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS"}
KEPT = {*TIME_PROPERTIES, *TEXT_VALUED, "SEQUENCE"}
TYPES = icalendar.Event.types_factory
RULE_INTERVAL = re.compile(r"(?:^|;)\s*INTERVAL\s*=\s*([+-]?\d+)", re.IGNORECASE)
DATES = re.compile(r"\d{8}(,\d{8})*")
DAYS_AFTER_T = re.compile(r"([+-]?)PT(\d+)([WD])", re.IGNORECASE)  # `PT1W`: W takes no T


@dataclass(frozen=True)
class Clock:
    """Where times without a zone are read: the file's X-WR-TIMEZONE, else the person's
    zone. With X-WR-TIMEZONE, UTC times are read in that zone too (as Google Calendar and
    the x-wr-timezone library do), so a series written in UTC keeps its local time."""

    floating: tzinfo
    calendar_zone: tzinfo | None


def read_event(
    part: Part, zones: FileZones, clock: Clock, findings: Findings
) -> icalendar.Event | None:
    """The event, or None when it cannot be read (the findings say why)."""
    _check_alarms(part, findings)
    lines = _readable_lines(part, findings)
    zoned = _zones_of(lines, zones, part)
    if lines is None or zoned is None:
        return None
    event = _parsed(part, lines)
    _attach_zones(event, zoned, clock)
    return event if _times_hold(event, part, findings) else None


def _check_alarms(part: Part, findings: Findings) -> None:
    """Alarms do not bear on busy time: one that cannot be read is skipped with a warning."""
    for alarm in part.parts:
        if alarm.name != "VALARM":
            continue
        broken = next((line for line in alarm.lines if _unreadable(line)), None)
        if broken is not None:
            findings.warning(
                broken.number, f"skipped: its {broken.name or 'line'} cannot be read", alarm
            )


def _readable_lines(part: Part, findings: Findings) -> list[Line] | None:
    """The lines that bear on busy time, repaired where the reading is certain; None when
    a time cannot be read."""
    kept: list[Line] = []
    readable = True
    for line in part.lines:
        if not line.name:
            findings.warning(
                line.number, "skipped a line that is no property (a broken fold?)", part
            )
        elif line.name in KEPT:
            line = _repaired(_dates_without_zone(line), part, findings)
            if problem := _value_problem(line):
                readable = _report_unreadable(line, problem, part, findings) and readable
                continue
            kept.append(line)
    return kept if readable else None


def _value_problem(line: Line) -> str | None:
    if line.name in TEXT_VALUED:
        return None  # any text reads
    if _unreadable(line):
        return "cannot be read"
    interval = RULE_INTERVAL.search(line.value) if line.name in ("RRULE", "EXRULE") else None
    if interval and int(interval[1]) < 1:  # dateutil would repeat the first date forever
        return "cannot be read: its INTERVAL must be 1 or more"
    return None


def _report_unreadable(line: Line, problem: str, part: Part, findings: Findings) -> bool:
    """A time that cannot be read is a problem (False); anything else is skipped (True)."""
    if line.name in TIME_PROPERTIES:
        plain = TIME_PROPERTIES[line.name]
        findings.problem(line.number, f"its {plain} ({line.name}) {line.value!r} {problem}", part)
        return False
    findings.warning(line.number, f"its {line.name} {problem}: skipped", part)
    return True


def _repaired(line: Line, part: Part, findings: Findings) -> Line:
    """Two slips whose meaning is not in doubt, read with a warning: spaces inside a
    recurrence rule (`BYDAY=MO, TU`) and a T before weeks or days (`PT1W`)."""
    value = line.value
    if line.name in ("RRULE", "EXRULE") and re.search(r"\s", value):
        fixed = re.sub(r"\s+", "", value)
        findings.warning(line.number, f"spaces in its {line.name} ignored", part)
    elif line.name == "DURATION" and (slip := DAYS_AFTER_T.fullmatch(value.strip())):
        fixed = f"{slip[1]}P{slip[2]}{slip[3].upper()}"
        findings.warning(line.number, f"its DURATION {value!r} read as {fixed!r}", part)
    else:
        return line
    return Line(line.number, line.text[: len(line.text) - len(value)] + fixed)


def _dates_without_zone(line: Line) -> Line:
    """A TZID on dates is dropped: a date has no zone (RFC 5545, 3.3.4); it is a day of
    the person's, like any other all-day date."""
    if line.name not in ZONED or not DATES.fullmatch(line.value.strip()):
        return line
    name, parameters, _ = _parts(line)
    if "TZID" not in parameters:
        return line
    del parameters["TZID"]
    head = f"{name};{parameters.to_ical().decode()}" if parameters else name
    return Line(line.number, f"{head}:{line.value}")


def _unreadable(line: Line) -> bool:
    """Whether icalendar cannot read the line's value (as the type of its property)."""
    try:
        name, parameters, value = _parts(line)
        value_type: Any = TYPES.for_property(name, parameters.value)
        value_type.from_ical(value)
    except Exception:  # the library raises many kinds; each means the value is broken
        return True
    return False


def _parts(line: Line) -> tuple[str, Parameters, str]:
    """Name, parameters (unquoted) and value, as icalendar splits a content line."""
    return Contentline(line.text).parts()  # type: ignore[no-untyped-call]


def _zones_of(lines: list[Line] | None, zones: FileZones, part: Part) -> dict[str, tzinfo] | None:
    """The zone of each TZID the event's times use; None when one has none."""
    found: dict[str, tzinfo | None] = {}
    for line in lines or []:
        tzid = _parts(line)[1].get("TZID") if line.name in ZONED else None
        if tzid is not None and str(tzid) not in found:  # each TZID reported once
            found[str(tzid)] = zones.zone(str(tzid), line, part)
    zoned = {tzid: zone for tzid, zone in found.items() if zone is not None}
    return zoned if len(zoned) == len(found) else None


def _parsed(part: Part, lines: list[Line]) -> icalendar.Event:
    text = "".join(f"{line.text}\r\n" for line in lines)
    event = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\n{text}END:VEVENT\r\n")
    assert isinstance(event, icalendar.Event)
    if "UID" not in event:
        # Events without a UID are each their own series (the expansion groups by UID).
        event.add("UID", f"tandem-no-uid-line-{part.begin}")
    return event


def _attach_zones(event: icalendar.Event, zoned: dict[str, tzinfo], clock: Clock) -> None:
    """Each time in its zone: the TZID's, else the clock's (see Clock). icalendar's own
    choice of zone is replaced: only the wall-clock time it read is kept."""
    for name in ZONED:
        values = event.get(name)
        for value in values if isinstance(values, list) else [values]:
            if value is None:
                continue
            tzid = value.params.get("TZID")
            zone = zoned.get(str(tzid)) if tzid is not None else None
            for item in getattr(value, "dts", [value]):
                item.dt = _in_zone(item.dt, zone, clock)


def _in_zone(value: Any, zone: tzinfo | None, clock: Clock) -> Any:
    if isinstance(value, tuple):  # a period of RDATE: (start, end or duration)
        return tuple(_in_zone(v, zone, clock) for v in value)
    if not isinstance(value, datetime):
        return value  # a date, or a period's duration
    if zone is not None:
        return value.replace(tzinfo=zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=clock.floating)
    if clock.calendar_zone is not None and value.utcoffset() == timedelta(0):
        return value.astimezone(clock.calendar_zone)
    return value


def _times_hold(event: icalendar.Event, part: Part, findings: Findings) -> bool:
    """An event has a start, and its end is of the same kind and not before it."""
    start = event.get("DTSTART")
    if start is None:
        findings.problem(part.begin, "event without a start (DTSTART)", part)
        return False
    problem = _end_problem(start.dt, event)
    if problem:
        line = part.first("DTEND") or part.first("DURATION")
        findings.problem(line.number if line else part.begin, problem, part)
    return not problem


def _end_problem(start: date, event: icalendar.Event) -> str | None:
    end = event.get("DTEND")
    if end is not None:
        if _is_day(start) != _is_day(end.dt):
            kinds = ("a date", "a date-time") if _is_day(start) else ("a date-time", "a date")
            return f"its start (DTSTART) is {kinds[0]} and its end (DTEND) {kinds[1]}"
        if _ordered(end.dt) < _ordered(start):
            return "event that ends (DTEND) before it starts (DTSTART)"
    duration = event.get("DURATION")
    if end is None and duration is not None and duration.dt < timedelta(0):
        return "event of negative length (DURATION)"
    return None


def _is_day(value: date) -> bool:
    return not isinstance(value, datetime)


def _ordered(value: date) -> date | datetime:
    """Dates compare as dates, times as UTC instants."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value
