"""Graph's times and time zones: dateTimeTimeZone values, Windows zone names, and custom
zones (`Customized Time Zone`) as Outlook reports them."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from connectors.graph.custom_zones import (
    CUSTOM_ZONE_TYPE,
    MailboxZone,
    UnknownZoneError,
    custom_zone,
)
from connectors.shown_text import shown
from connectors.zone_names import iana_name  # the one Windows -> IANA table of Tandem

DAYS = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


@dataclass(frozen=True)
class MailboxHours:
    """A mailbox's working hours (None when it states none Tandem can use) and their zone
    (None when it cannot be read, and then `zone_problem` says why)."""

    hours: dict[str, list[str]] | None
    zone: MailboxZone | None
    zone_problem: str | None = None
    zone_name: str | None = None  # as Graph names it, for times given in the same zone


def parse_graph_time(value: dict[str, Any], custom: Mapping[str, tzinfo] | None = None) -> datetime:
    """A dateTimeTimeZone (`2027-03-01T09:00:00.0000000`, zone name) as a UTC instant.

    The zone is a Windows or IANA name, or the name of a custom zone in `custom` (a
    mailbox's own zone, under the name its working hours give it). Any other zone, or
    none, is an `UnknownZoneError`: a wall time in an unknown zone is no instant at all."""
    text = str(value.get("dateTime", ""))
    name = value.get("timeZone")
    zone = UTC if not name and text.endswith("Z") else _named_zone(name, custom or {})
    return _wall_time(text).replace(tzinfo=zone).astimezone(UTC)


def _wall_time(text: str) -> datetime:
    wall = text.rstrip("Z")
    if "." in wall:
        head, fraction = wall.split(".", 1)
        wall = f"{head}.{fraction[:6]}"  # Graph sends 7 fractional digits
    try:
        return datetime.fromisoformat(wall)
    except ValueError:
        raise ValueError(f"the time {text[:40]!a}, which is no date and time") from None


def graph_working_hours(hours: dict[str, Any]) -> MailboxHours:
    """Working hours in the scenario's notation, and the zone they are stated in."""
    days = [DAYS[d.lower()] for d in hours.get("daysOfWeek", []) if d.lower() in DAYS]
    start, end = _clock(hours.get("startTime")), _clock(hours.get("endTime"))
    found = None
    if days and start is not None and end is not None and end > start:
        found = {day: [f"{start}-{end}"] for day in days}
    zone = hours.get("timeZone") or {}
    name = str(zone["name"]) if zone.get("name") else None
    try:
        return MailboxHours(found, mailbox_zone(zone), zone_name=name)
    except UnknownZoneError as unknown:
        return MailboxHours(found, None, str(unknown), name)


def _clock(value: Any) -> str | None:
    """`08:00:00.0000000` -> `08:00`."""
    if not isinstance(value, str) or len(value) < 5:
        return None
    return value[:5]


def mailbox_zone(zone: dict[str, Any]) -> MailboxZone:
    """The zone of a workingHours `timeZone`: a custom zone by its rules (what Outlook
    applies, whatever its name says), a named one by its Windows or IANA name."""
    if str(zone.get("@odata.type", "")).lower() == CUSTOM_ZONE_TYPE or "bias" in zone:
        return custom_zone(zone)
    name = zone.get("name")
    found = iana_name(str(name)) if name else None
    if found is None:
        raise UnknownZoneError(f"time zone {_shown(name)} is not a Windows or IANA name")
    return MailboxZone(found, zoneinfo.ZoneInfo(found))


def _named_zone(name: Any, custom: Mapping[str, tzinfo]) -> tzinfo:
    if isinstance(name, str) and name:
        if found := iana_name(name):
            return zoneinfo.ZoneInfo(found)
        if name in custom:
            return custom[name]
    raise UnknownZoneError(
        f"times in time zone {_shown(name)}, neither a Windows or IANA name nor the "
        "mailbox's own custom zone"
    )


def _shown(name: Any) -> str:
    """A zone name for a message: quoted, escaped, at most 80 characters."""
    return "(none)" if not name else shown(name, 80)
