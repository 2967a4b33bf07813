"""A time zone given by its yearly rule: a standard offset and, when the zone keeps
daylight time, the daylight offset and the two yearly clock changes ("the last Sunday of
March at 02:00").

This is the rule Windows keeps for a zone (TIME_ZONE_INFORMATION), the rule Outlook
reports for a custom zone, and the rule a POSIX TZ string writes as `M3.5.0/2`: the same
four numbers (month, occurrence of the weekday with 5 meaning the last, weekday, local
time), so one class reads all three. A change happens at the wall-clock time in force just
before it: daylight time starts at a standard time, and ends at a daylight time. Either
change may come first in the year (southern zones keep daylight time over New Year).

Wall times that a change skips or repeats follow PEP 495 as zoneinfo does: `fold=0` reads
them with the offset in force before the change, `fold=1` with the one after.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta, tzinfo
from typing import NamedTuple

DAY_SECONDS = 24 * 3600
LAST = 5  # the occurrence that means "the last one in the month"


@dataclass(frozen=True)
class YearlyChange:
    """A clock change on the `week`-th `weekday` of `month`, at `seconds` past local
    midnight (24:00 is the end of that day: Windows writes it 23:59:59.999)."""

    month: int  # 1..12
    week: int  # 1..4, or 5 for the last such weekday of the month
    weekday: int  # 0 Monday .. 6 Sunday, as `date.weekday()`
    seconds: int  # 0 .. 24 h

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if not 1 <= self.week <= LAST:
            raise ValueError(f"occurrence {self.week} is not 1-5")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0-6")
        if not 0 <= self.seconds <= DAY_SECONDS:
            raise ValueError("a change must happen between 00:00 and 24:00")

    def wall_time(self, year: int) -> datetime:
        """The local wall-clock moment of the change in `year`."""
        first = date(year, self.month, 1)
        day = 1 + (self.weekday - first.weekday()) % 7 + 7 * (self.week - 1)
        days_in_month = calendar.monthrange(year, self.month)[1]
        while day > days_in_month:  # the fifth occurrence, or a fourth that is not there
            day -= 7
        return datetime(year, self.month, day) + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class DaylightTime:
    """Daylight time: its UTC offset, and the changes that start and end it."""

    offset: timedelta
    starts: YearlyChange  # written in standard time
    ends: YearlyChange  # written in daylight time

    def __post_init__(self) -> None:
        if self.starts.month == self.ends.month:
            # Two changes a few days apart (the 4th and the last Sunday may be one day)
            # are no zone anybody keeps; refusing them keeps the changes in order.
            raise ValueError("daylight time cannot start and end in the same month")


class _Change(NamedTuple):
    utc: datetime  # naive UTC instant of the change
    before: timedelta  # the UTC offset until then
    after: timedelta  # and from then on


class RuleZone(tzinfo):
    """A `tzinfo` that follows a yearly rule; `text` names it (str, repr, tzname)."""

    def __init__(
        self,
        standard: timedelta,
        daylight: DaylightTime | None,
        text: str,
        abbreviations: tuple[str, str] = ("", ""),
    ) -> None:
        if abs(standard) > timedelta(hours=24) or (
            daylight is not None and abs(daylight.offset) > timedelta(hours=24)
        ):
            raise ValueError("a UTC offset must be within 24 hours")
        self.standard = standard
        self.daylight = daylight
        self.text = text
        self.abbreviations = abbreviations
        self._years: dict[int, tuple[_Change, ...]] = {}

    # What datetime asks of a tzinfo

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None or self.daylight is None:
            return self.standard
        wall = dt.replace(tzinfo=None)
        changes = self._changes_around(wall.year)
        offset = changes[0].before
        for change in changes:
            earliest, latest = sorted((change.utc + change.before, change.utc + change.after))
            if wall < earliest:
                break
            if wall < latest:  # skipped or repeated by this change
                return change.after if dt.fold else change.before
            offset = change.after
        return offset

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - self.standard

    def tzname(self, dt: datetime | None) -> str:
        standard, daylight = self.abbreviations
        in_daylight = self.daylight is not None and self.dst(dt) != timedelta(0)
        return (daylight if in_daylight else standard) or self.text

    def fromutc(self, dt: datetime) -> datetime:
        if dt.tzinfo is not self:
            raise ValueError("fromutc: dt.tzinfo is not self")
        instant = dt.replace(tzinfo=None)
        if self.daylight is None:
            return (instant + self.standard).replace(tzinfo=self)
        changes = self._changes_around(instant.year)
        offset, fold = changes[0].before, 0
        for change in changes:
            if instant < change.utc:
                break
            offset = change.after
            # The clock went back: the first hour after the change is its second pass.
            fold = int(instant + change.after < change.utc + change.before)
        return (instant + offset).replace(tzinfo=self, fold=fold)

    # Identity, for caches, comparisons and pickling

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleZone):
            return NotImplemented
        return (self.standard, self.daylight) == (other.standard, other.daylight)

    def __hash__(self) -> int:
        return hash((self.standard, self.daylight))

    def __reduce__(self) -> tuple[type[RuleZone], tuple[object, ...]]:
        return (RuleZone, (self.standard, self.daylight, self.text, self.abbreviations))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"RuleZone({self.text!r})"

    # The changes

    def _changes_around(self, year: int) -> tuple[_Change, ...]:
        """The changes of the year before, this year and the next, in order: a change on
        New Year's night falls in the other year in UTC."""
        if year not in self._years:
            years = range(max(MINYEAR, year - 1), min(MAXYEAR, year + 1) + 1)
            changes = [change for y in years for change in self._changes_in(y)]
            self._years[year] = tuple(sorted(changes))
        return self._years[year]

    def _changes_in(self, year: int) -> tuple[_Change, _Change]:
        assert self.daylight is not None
        standard, daylight = self.standard, self.daylight.offset
        starts, ends = self.daylight.starts.wall_time(year), self.daylight.ends.wall_time(year)
        return (
            _Change(starts - standard, standard, daylight),  # written in standard time
            _Change(ends - daylight, daylight, standard),  # written in daylight time
        )
