"""A scenario's time zone as text: an IANA name (`Europe/Paris`), or, where no IANA name
says it, the zone's own rule written as a POSIX TZ string restricted to the form Windows
and Outlook rules take (`<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3`).

The POSIX form is the one the tz database itself writes at the end of every zone file
(RFC 8536 section 3.3): the standard abbreviation and offset, then for zones with daylight
time the daylight abbreviation and offset, the change that starts daylight time and the
one that ends it, each `Mmonth.week.weekday[/time]`. Offsets count hours west of UTC
(`-9:30` is nine and a half hours east), as POSIX and Windows both do; week 5 is the last
such weekday of the month; weekday 0 is Sunday; the time defaults to 02:00 and the daylight
offset to one hour ahead of standard time. Tandem writes every part out.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import timedelta, tzinfo

from scheduler.rule_zone import DaylightTime, RuleZone, YearlyChange

_NAME = r"(?:<([A-Za-z0-9+-]{3,})>|([A-Za-z]{3,}))"
_CLOCK = r"(\d{1,2}(?::\d{2}(?::\d{2})?)?)"
_OFFSET = r"([+-]?\d{1,2}(?::\d{2}(?::\d{2})?)?)"
_CHANGE = rf"M(\d{{1,2}})\.(\d)\.(\d)(?:/{_CLOCK})?"
RULE = re.compile(rf"{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?,{_CHANGE},{_CHANGE})?")
DEFAULT_CHANGE_SECONDS = 2 * 3600
EXAMPLE_RULE = "<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3"


def zone_named(text: str) -> tzinfo:
    """The zone of an IANA name or of a rule; ValueError saying which forms are known."""
    return _zone_named(text)


@functools.lru_cache(maxsize=512)
def _zone_named(text: str) -> tzinfo:
    """Cached: one object per text, as zoneinfo keeps one per key (datetime arithmetic
    between times of the same tzinfo object stays on the wall clock)."""
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe"
        pass
    if RULE.fullmatch(text) is None:
        raise ValueError(
            f"unknown time zone '{text}' (use an IANA name such as Europe/Paris, or a zone "
            f"rule such as {EXAMPLE_RULE})"
        )
    try:
        return rule_zone(text)
    except ValueError as problem:
        raise ValueError(f"time zone rule '{text}': {problem}") from None


def rule_zone(text: str) -> RuleZone:
    """The zone a POSIX TZ rule of the Windows form describes."""
    found = RULE.fullmatch(text)
    if found is None:
        raise ValueError("not a rule of the form <std>offset[<dst>[offset],Mm.w.d/t,Mm.w.d/t]")
    parts = found.groups()
    standard = -_seconds(parts[2])
    if parts[3] is None and parts[4] is None:
        return RuleZone(standard, None, text, (parts[0] or parts[1], ""))
    daylight_offset = -_seconds(parts[5]) if parts[5] else standard + timedelta(hours=1)
    daylight = DaylightTime(daylight_offset, _change(parts[6:10]), _change(parts[10:14]))
    return RuleZone(standard, daylight, text, (parts[0] or parts[1], parts[3] or parts[4] or ""))


def rule_text(standard: timedelta, daylight: DaylightTime | None) -> str:
    """The POSIX TZ rule of a zone, every part written out; names are the offsets, as the
    tz database names zones that have no abbreviation of their own (`<+0930>`)."""
    text = f"<{_abbreviation(standard)}>{_clock(-standard)}"
    if daylight is None:
        return text
    return (
        f"{text}<{_abbreviation(daylight.offset)}>{_clock(-daylight.offset)}"
        f",{_change_text(daylight.starts)},{_change_text(daylight.ends)}"
    )


def _change(parts: tuple[str | None, ...]) -> YearlyChange:
    month, week, weekday, clock = parts
    assert month is not None and week is not None and weekday is not None
    if int(weekday) > 6:
        raise ValueError(f"weekday {weekday} is not 0 (Sunday) to 6 (Saturday)")
    seconds = _seconds(clock) if clock else timedelta(seconds=DEFAULT_CHANGE_SECONDS)
    return YearlyChange(int(month), int(week), (int(weekday) - 1) % 7, int(seconds.total_seconds()))


def _change_text(change: YearlyChange) -> str:
    posix_weekday = (change.weekday + 1) % 7  # POSIX counts from Sunday
    clock = _clock(timedelta(seconds=change.seconds))
    return f"M{change.month}.{change.week}.{posix_weekday}/{clock}"


def _seconds(text: str) -> timedelta:
    """`[+-]hh[:mm[:ss]]`, at most 24 hours either way."""
    sign = -1 if text.startswith("-") else 1
    fields = [int(f) for f in text.lstrip("+-").split(":")]
    hours, minutes, seconds = (*fields, 0, 0)[:3]
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and minutes + seconds):
        raise ValueError(f"'{text}' is not a time between 0 and 24 hours")
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _clock(value: timedelta) -> str:
    """`-9:30`, `8`, `2:00:30`: hours, and minutes and seconds only when needed."""
    total = int(value.total_seconds())
    sign, total = ("-" if total < 0 else ""), abs(total)
    hours, minutes, seconds = total // 3600, total // 60 % 60, total % 60
    if seconds:
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{hours}:{minutes:02d}" if minutes else f"{sign}{hours}"


def _abbreviation(offset: timedelta) -> str:
    """`+0930`, `-08`, `+00` (the east-positive offset, the tz database's numeric names)."""
    total = int(offset.total_seconds()) // 60
    sign, total = ("-" if total < 0 else "+"), abs(total)
    hours, minutes = divmod(total, 60)
    return f"{sign}{hours:02d}{minutes:02d}" if minutes else f"{sign}{hours:02d}"
