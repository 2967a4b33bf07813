"""The one place where time zones, local dates, periods and grid indices meet.

Instants are UTC. Local wall-clock times become instants per date with zoneinfo: an
ambiguous time (clocks go back) is its first occurrence, and a time that does not exist
(clocks go forward) moves forward by the gap. Both are what zoneinfo does with fold=0,
which is why `local_to_utc` builds the datetime with the default fold.

The model sees integers only: a grid index counts `grid_minutes` steps from `origin`,
which lies on the grid (multiples of the grid from 00:00 UTC).
"""

from __future__ import annotations

import calendar
import functools
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from scheduler.time_notation import MINUTES_PER_DAY

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_to_utc(day: date, minute_of_day: int, tz: tzinfo) -> datetime:
    """The UTC instant of `minute_of_day` (0..1440) on the local `day` in `tz`."""
    day = day + timedelta(days=minute_of_day // MINUTES_PER_DAY)
    minute = minute_of_day % MINUTES_PER_DAY
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return local.astimezone(UTC)


@functools.lru_cache(maxsize=65_536)
def local_midnight(day: date, tz: tzinfo) -> datetime:
    """Cached: a programme asks for the same few hundred midnights of a few zones for each
    of its hundred thousand sessions."""
    return local_to_utc(day, 0, tz)


def naive_to_utc(moment: datetime, tz: tzinfo) -> datetime:
    """A datetime without offset is read in `tz`; one with an offset keeps it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz, fold=0)
    return moment.astimezone(UTC)


def local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def epoch_minutes(moment: datetime) -> int:
    """Whole minutes since 1970 (floored) of an aware instant."""
    return int(moment.timestamp()) // 60


def from_epoch_minutes(minutes: int) -> datetime:
    return EPOCH + timedelta(minutes=minutes)


def add_months(day: date, months: int) -> date:
    """First day of the month `months` after the month of `day`."""
    month_index = day.year * 12 + (day.month - 1) + months
    return date(month_index // 12, month_index % 12 + 1, 1)


@functools.lru_cache(maxsize=1 << 14)
def period_days(start: date, cadence: int | str, index: int) -> tuple[date, date]:
    """Local dates [first, end) of period `index` of a pair starting on `start` (cached:
    the pairs of a programme share a few start dates)."""
    if cadence == "monthly":
        first = start if index == 0 else add_months(start, index)
        return first, add_months(start, index + 1)
    assert isinstance(cadence, int)
    first = start + timedelta(days=7 * cadence * index)
    return first, first + timedelta(days=7 * cadence)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return (year, week)


def iso_week_key(day: date) -> int:
    """The ISO week of a date as one integer, year * 100 + week."""
    year, week = iso_week(day)
    return year * 100 + week


@dataclass(frozen=True)
class Grid:
    """Grid indices over [origin, origin + size * step)."""

    origin_minute: int  # epoch minutes, a multiple of `step`
    step: int
    size: int

    @classmethod
    def covering(cls, start: datetime, end: datetime, step: int) -> Grid:
        first = epoch_minutes(start) // step * step
        last = math.ceil(epoch_minutes(end) / step) * step
        return cls(first, step, (last - first) // step)

    def index_at_or_after(self, moment: datetime) -> int:
        """First index whose instant is not before `moment`."""
        return math.ceil((epoch_minutes(moment) - self.origin_minute) / self.step)

    def index_at_or_before(self, moment: datetime) -> int:
        """Last index whose instant is not after `moment`."""
        return (epoch_minutes(moment) - self.origin_minute) // self.step

    def cell_starting_at(self, moment: datetime) -> int | None:
        """The cell that starts exactly at `moment`, if `moment` lies on the grid."""
        offset = epoch_minutes(moment) - self.origin_minute
        on_grid = offset % self.step == 0 and moment.second == 0 and moment.microsecond == 0
        return offset // self.step if on_grid else None

    def instant(self, index: int) -> datetime:
        return from_epoch_minutes(self.origin_minute + index * self.step)

    def minute(self, index: int) -> int:
        return self.origin_minute + index * self.step

    def cells(self, minutes: int) -> int:
        """How many grid steps make `minutes` (a multiple of the step)."""
        return minutes // self.step
