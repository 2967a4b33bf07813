"""The time zones of one calendar file.

A TZID is read, in this order: as an IANA name, with the time zone database (it knows the
zone's whole history, which a VTIMEZONE seldom does); with the file's own VTIMEZONE of
that TZID; as a Windows zone id or display name (`connectors.zone_names`). Anything else is
a problem naming the line. A file's VTIMEZONEs are built here, for this file only, with
dateutil's `tzical` (the builder icalendar uses too), never through icalendar's per-process
cache of zones by name: Outlook calls every custom zone `Customized Time Zone`, and one
person's definition must not govern the next person's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from io import StringIO
from zoneinfo import ZoneInfo

from dateutil.tz import tzical

from connectors.ics.findings import Findings
from connectors.ics.lines import Line, Part
from connectors.zone_names import ZoneNameError, iana_zone, is_iana_name

# What dateutil's VTIMEZONE reader accepts in STANDARD and DAYLIGHT; X- and other
# properties (COMMENT, X-LIC-LOCATION, ...) do not change a zone's offsets.
RULE_PROPERTIES = ("DTSTART", "RRULE", "RDATE", "TZOFFSETFROM", "TZOFFSETTO")
RULE_PARTS = ("STANDARD", "DAYLIGHT")
TEXT_ESCAPE = re.compile(r"\\(.)")
NEWLINES = {"n": "\n", "N": "\n"}


@dataclass
class Definition:
    """One VTIMEZONE of the file: its zone, or why it cannot be read."""

    part: Part
    zone: tzinfo | None
    problem: str | None
    used: bool = False


@dataclass
class FileZones:
    findings: Findings
    definitions: dict[str, Definition] = field(default_factory=dict)
    resolved: dict[str, tzinfo | None] = field(default_factory=dict)

    @classmethod
    def of(cls, calendar: Part, findings: Findings) -> FileZones:
        zones = cls(findings)
        for part in calendar.parts:
            if part.name == "VTIMEZONE":
                zones._define(part)
        return zones

    def zone(self, tzid: str, line: Line, user: Part) -> tzinfo | None:
        """The zone of a TZID used on `line` of the component `user`; None when it has
        none, which is reported once, at the TZID's first use."""
        if tzid not in self.resolved:
            self.resolved[tzid] = self._resolve(tzid, line, user)
        return self.resolved[tzid]

    def named_zone(self, name: str, line: Line) -> tzinfo | None:
        """A zone written as a name outside any TZID (X-WR-TIMEZONE)."""
        try:
            return ZoneInfo(iana_zone(name))
        except ZoneNameError as unknown:
            self.findings.problem(line.number, f"time zone {name!r} ({line.name}) is {unknown}")
            return None

    def report_unused_broken(self) -> None:
        for definition in self.definitions.values():
            if definition.problem and not definition.used:
                self.findings.warning(
                    definition.part.begin,
                    f"skipped: no event needs it, and it cannot be read ({definition.problem})",
                    definition.part,
                )

    def _resolve(self, tzid: str, line: Line, user: Part) -> tzinfo | None:
        if is_iana_name(tzid):
            return ZoneInfo(tzid)
        if tzid in self.definitions:
            return self._defined(tzid, line, user)
        try:
            return ZoneInfo(iana_zone(tzid))
        except ZoneNameError as unknown:
            self.findings.problem(
                line.number,
                f"time zone {tzid!r} ({line.name} TZID) has no VTIMEZONE in the file and is "
                f"{unknown}",
                user,
            )
            return None

    def _defined(self, tzid: str, line: Line, user: Part) -> tzinfo | None:
        definition = self.definitions[tzid]
        definition.used = True
        if definition.zone is None:
            self.findings.problem(
                line.number,
                f"time zone {tzid!r} ({line.name} TZID) is defined by the VTIMEZONE of line "
                f"{definition.part.begin}, which cannot be read ({definition.problem})",
                user,
            )
        return definition.zone

    def _define(self, part: Part) -> None:
        tzid_line = part.first("TZID")
        if tzid_line is None:
            self.findings.warning(part.begin, "skipped: it has no TZID", part)
            return
        tzid = _text_value(tzid_line)
        zone, problem = _built(part)
        earlier = self.definitions.get(tzid)
        if earlier is not None and earlier.part.text() != part.text():
            problem = f"the VTIMEZONE of line {earlier.part.begin} defines the same TZID otherwise"
            zone = None
        if earlier is None or zone is None:
            self.definitions[tzid] = Definition(part, zone, problem)


def _built(part: Part) -> tuple[tzinfo | None, str | None]:
    try:
        return tzical(StringIO(_rules_text(part))).get(), None
    except (ValueError, TypeError, IndexError, KeyError) as broken:
        return None, str(broken)[:200] or type(broken).__name__


def _rules_text(part: Part) -> str:
    """The VTIMEZONE as dateutil reads it: its rules, under a TZID of no meaning (the TZID
    of the file is the key here, whatever characters it holds)."""
    rules = "".join(
        f"BEGIN:{rule.name}\r\n"
        + "".join(
            f"{line.name}:{line.value}\r\n" for line in rule.lines if line.name in RULE_PROPERTIES
        )
        + f"END:{rule.name}\r\n"
        for rule in part.parts
        if rule.name in RULE_PARTS
    )
    return f"BEGIN:VTIMEZONE\r\nTZID:zone\r\n{rules}END:VTIMEZONE\r\n"


def _text_value(line: Line) -> str:
    """A TEXT value with its escapes undone (`Amsterdam\\, Berlin` -> `Amsterdam, Berlin`)."""
    return TEXT_ESCAPE.sub(lambda found: NEWLINES.get(found[1], found[1]), line.value)
