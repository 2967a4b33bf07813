"""Whether two time zones keep the same clock over a stretch of time: a mailbox's working
hours may be read in the zone a scenario gives the person only if that zone's clock is the
mailbox zone's clock (Europe/Paris and W. Europe Standard Time agree; New York does not)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def first_disagreement(
    one: tzinfo, other: tzinfo, start: datetime, end: datetime
) -> datetime | None:
    """The first instant of [start, end) at which the two zones' UTC offsets differ, or
    None. Offsets are compared every hour and, across each hour in which either zone
    changes its clock, at the very second of each change (no zone changes twice an hour)."""
    if one is other:
        return None
    moment = start
    if _offset(one, moment) != _offset(other, moment):
        return moment
    while moment < end:
        later = min(moment + HOUR, end)
        changes = [
            _change_between(zone, moment, later)
            for zone in (one, other)
            if _offset(zone, moment) != _offset(zone, later)
        ]
        for instant in sorted([*changes, later]):
            if instant < end and _offset(one, instant) != _offset(other, instant):
                return instant
        moment = later
    return None


def _change_between(zone: tzinfo, low: datetime, high: datetime) -> datetime:
    """The first second at which the offset of `zone` is the one it has at `high`."""
    before = _offset(zone, low)
    while high - low > SECOND:
        middle = low + SECOND * max(1, (high - low) // SECOND // 2)
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


def _offset(zone: tzinfo, instant: datetime) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()
