"""Graph's times and time zones: dateTimeTimeZone values, Windows zone names, and custom
zones (`Customized Time Zone`) as Outlook reports them."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from typing import Any

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


def parse_graph_time(value: dict[str, Any]) -> datetime:
    """A dateTimeTimeZone (`2027-03-01T09:00:00.0000000`, zone name) as a UTC instant."""
    text = str(value["dateTime"])
    if "." in text:
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"  # Graph sends 7 fractional digits
    moment = datetime.fromisoformat(text.rstrip("Z"))
    zone = iana_name(str(value.get("timeZone") or "UTC")) or "UTC"
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def graph_working_hours(hours: dict[str, Any]) -> tuple[dict[str, list[str]] | None, str | None]:
    """Working hours in the scenario's notation, and their IANA time zone."""
    days = [DAYS[d.lower()] for d in hours.get("daysOfWeek", []) if d.lower() in DAYS]
    start, end = _clock(hours.get("startTime")), _clock(hours.get("endTime"))
    if not days or start is None or end is None or end <= start:
        return None, _zone(hours.get("timeZone") or {})
    return {day: [f"{start}-{end}"] for day in days}, _zone(hours.get("timeZone") or {})


def _clock(value: Any) -> str | None:
    """`08:00:00.0000000` -> `08:00`."""
    if not isinstance(value, str) or len(value) < 5:
        return None
    return value[:5]


def _zone(zone: dict[str, Any]) -> str | None:
    """A named zone, or a custom one as the fixed zone of its standard bias.

    A custom zone's daylight rule is not followed: Outlook uses custom zones for rare,
    hand-made settings, and working hours an hour off for part of the year are safer than
    none (the scenario can always state the person's time zone)."""
    name = str(zone.get("name", ""))
    if name and (found := iana_name(name)):
        return found
    bias = zone.get("bias")
    if isinstance(bias, int) and bias % 60 == 0 and abs(bias) <= 14 * 60:
        hours = bias // 60  # minutes west of UTC; Etc/GMT+5 is five hours west
        return "Etc/GMT" if hours == 0 else f"Etc/GMT{hours:+d}"
    return None
