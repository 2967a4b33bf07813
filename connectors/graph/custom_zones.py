"""Outlook's custom time zones (`#microsoft.graph.customTimeZone`), read by their rules.

A custom zone comes as Windows keeps a zone (TIME_ZONE_INFORMATION): `bias`, the minutes
to add to local standard time to get UTC; `daylightOffset.daylightBias`, the minutes added
to that in daylight time; and the two yearly changes, each a `month`, a `dayOccurrence`
(5 is the last), a `dayOfWeek` and a local `time`. Graph's resource page says the bias is
positive east of UTC, but its own getSchedule sample gives Pacific time as bias 480 and
daylightBias -60: the Windows sign, which is what the service sends, so that is the one
read here. A zone without daylight time has no daylightOffset, or month 0 in it (Windows'
way to say so). A rule for one given year (`year` other than 0) is not read: the docs do
not say what it means, and a guess would move working hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from scheduler.rule_zone import DaylightTime, YearlyChange
from scheduler.zone_text import rule_text, zone_named

CUSTOM_ZONE_TYPE = "#microsoft.graph.customtimezone"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class UnknownZoneError(ValueError):
    """A time zone Graph gave that Tandem cannot read; the message says what it was."""


@dataclass(frozen=True)
class MailboxZone:
    """A mailbox's time zone as a scenario writes it (an IANA name, or the zone's rule)
    and as Python reads it."""

    text: str
    zone: tzinfo


def custom_zone(zone: dict[str, Any]) -> MailboxZone:
    """The zone a customTimeZone describes; UnknownZoneError names what does not fit."""
    try:
        standard = -timedelta(minutes=_whole(zone.get("bias"), "bias"))
        daylight = _daylight(zone, standard)
        text = rule_text(standard, daylight)
        return MailboxZone(text, zone_named(text))
    except ValueError as problem:
        raise UnknownZoneError(f"custom time zone {_name(zone)}: {problem}") from None


def _daylight(zone: dict[str, Any], standard: timedelta) -> DaylightTime | None:
    starts, ends = zone.get("daylightOffset") or {}, zone.get("standardOffset") or {}
    if not starts.get("month"):  # Windows: no start month, no daylight time
        return None
    bias = _whole(starts.get("daylightBias", 0), "daylightBias")
    if bias == 0:
        return None  # daylight time that moves no clock
    if not ends.get("month"):
        raise ValueError("daylight time starts but never ends (standardOffset has no month)")
    return DaylightTime(
        standard - timedelta(minutes=bias),
        starts=_change(starts, "daylightOffset"),
        ends=_change(ends, "standardOffset"),
    )


def _change(offset: dict[str, Any], field: str) -> YearlyChange:
    if offset.get("year"):
        raise ValueError(f"{field} holds for year {offset['year']} only; Tandem reads yearly rules")
    weekday = str(offset.get("dayOfWeek", "")).lower()
    if weekday not in WEEKDAYS:
        raise ValueError(f"{field}.dayOfWeek {weekday[:20]!a} is not a weekday")
    try:
        return YearlyChange(
            month=_whole(offset.get("month"), f"{field}.month"),
            week=_whole(offset.get("dayOccurrence"), f"{field}.dayOccurrence"),
            weekday=WEEKDAYS.index(weekday),
            seconds=_seconds(offset.get("time")),
        )
    except ValueError as problem:
        raise ValueError(f"{field}: {problem}") from None


def _seconds(value: Any) -> int:
    """`02:00:00.0000000` -> 7200; to the nearest second, so Windows' end of the day,
    23:59:59.999, is 24:00."""
    if not isinstance(value, str) or value.count(":") != 2:
        raise ValueError(f"time {str(value)[:20]!a} is not hh:mm:ss")
    hours, minutes, seconds = value.split(":")
    try:
        whole = int(Decimal(seconds).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if not (0 <= int(minutes) < 60 and 0 <= whole <= 60):
            raise ValueError(value)
        return int(hours) * 3600 + int(minutes) * 60 + whole
    except (ArithmeticError, ValueError):
        raise ValueError(f"time {value[:20]!a} is not hh:mm:ss") from None


def _whole(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field} {str(value)[:20]!a} is not a whole number")
    return value


def _name(zone: dict[str, Any]) -> str:
    return ascii(str(zone.get("name") or "")[:80])
