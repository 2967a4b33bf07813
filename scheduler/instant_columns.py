"""Times written in a scenario, read as columns: a million of them in well under a second.

The common shapes of ISO 8601 (`YYYY-MM-DDTHH:MM`, optionally `:SS`, then `Z`, `±HH:MM` or
nothing; `T` or a space between date and time) are read from their bytes with numpy, all
texts at once. Any other value is read one by one by pydantic, exactly as the rest of the
scenario is, so nothing that was accepted before is refused now, and nothing refused is
accepted (a property test holds the two readings to each other).

A time without an offset is a wall-clock time; `wall_to_utc` turns wall-clock seconds into
UTC in a time zone with zoneinfo's readings (fold=0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import TypeAdapter, ValidationError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DAY = 86_400
WIDTH = 26  # bytes of a text column: the longest shape (25) and one more, to see longer ones
_DATETIME = TypeAdapter(datetime)

# The shapes `YYYY-MM-DDTHH:MM` + [`:SS`] + [`Z` | `±HH:MM`], by length.
_SHAPES = {  # length -> (seconds at, zone at, zone kind)
    16: (None, None, "naive"),
    17: (None, 16, "Z"),
    19: (17, None, "naive"),
    20: (17, 19, "Z"),
    22: (None, 16, "offset"),
    25: (17, 19, "offset"),
}


@dataclass(frozen=True)
class Instants:
    """Times read as columns: whole seconds since 1970 (of UTC, or of the wall clock where
    `naive`), the microseconds beyond them, the year as written, and which are no valid
    time at all."""

    seconds: IntArray
    micro: IntArray
    naive: BoolArray
    year: IntArray
    bad: BoolArray

    def __getitem__(self, rows: slice) -> Instants:
        return Instants(
            self.seconds[rows], self.micro[rows], self.naive[rows], self.year[rows], self.bad[rows]
        )

    def later_than(self, other: Instants) -> BoolArray:
        """Each time strictly after `other`'s, to the microsecond."""
        mine = self.seconds * 1_000_000 + self.micro
        theirs = other.seconds * 1_000_000 + other.micro
        later: BoolArray = mine > theirs
        return later


def parse_instants(
    values: list[Any] | Any, originals: Callable[[int], Any] | None = None
) -> Instants:
    """`values` is a list, or already an array of byte texts (`S26`) with `originals`
    giving each value as written (a longer text does not fit the array: the one-by-one
    reading must see it whole)."""
    count = len(values)
    found = Instants(
        np.zeros(count, dtype=np.int64),
        np.zeros(count, dtype=np.int64),
        np.zeros(count, dtype=bool),
        np.zeros(count, dtype=np.int64),
        np.zeros(count, dtype=bool),
    )
    done = np.zeros(count, dtype=bool)
    raw = values if isinstance(values, np.ndarray) else as_texts(values)
    if raw is not None and count:
        _columns(raw, found, done)
    for index in np.flatnonzero(~done).tolist():
        one = _one_by_one(originals(index) if originals is not None else values[index])
        if one is None:
            found.bad[index] = True
        else:
            found.seconds[index], found.micro[index], found.naive[index], found.year[index] = one
    return found


def as_texts(values: list[Any]) -> Any:
    """The values as byte texts; other values than texts become their str() here and fail
    the shapes below. A text holding a NUL is left blank (numpy would drop trailing NULs
    and read the rest as a time): it is read one by one, and refused there."""
    try:
        raw = np.array(values, dtype=f"S{WIDTH}")
    except (UnicodeEncodeError, ValueError, TypeError):
        return None
    texts = [v for v in values if isinstance(v, str)]
    if "\x00" in "".join(texts):
        for index, value in enumerate(values):
            if isinstance(value, str) and "\x00" in value:
                raw[index] = b""
    return raw


# Rows parsed at a time: arrays of a million rows stay in the processor's caches better
# than arrays of ten million, and memory stays small.
_CHUNK = 1 << 20


def _columns(raw: Any, found: Instants, done: BoolArray) -> None:
    for first in range(0, len(raw), _CHUNK):
        rows = slice(first, first + _CHUNK)
        _chunk(raw[rows], found[rows], done[rows])


def _chunk(raw: Any, found: Instants, done: BoolArray) -> None:
    """Parse the shapes of `_SHAPES` in `raw`, writing into `found` (views) and `done`."""
    chars = raw.view(np.uint8).reshape(len(raw), WIDTH)
    length = np.strings.str_len(raw)
    year, valid = _digits(chars, 0, 4)
    month, has_month = _digits(chars, 5, 2)
    day, has_day = _digits(chars, 8, 2)
    hour, has_hour = _digits(chars, 11, 2)
    minute, has_minute = _digits(chars, 14, 2)
    valid &= has_month & has_day & has_hour & has_minute
    valid &= (chars[:, 4] == ord("-")) & (chars[:, 7] == ord("-")) & (chars[:, 13] == ord(":"))
    valid &= (chars[:, 10] == ord("T")) | (chars[:, 10] == ord(" "))
    valid &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= _month_days(year, month))
    valid &= (hour <= 23) & (minute <= 59)
    wall = _days_since_epoch(year, month, day) * DAY + hour * 3600 + minute * 60
    for size, (second_at, zone_at, kind) in _SHAPES.items():
        rows = valid & (length == size)
        if not rows.any():
            continue
        shaped, value = _shape(chars, rows, second_at, zone_at, kind)
        found.seconds[shaped] = wall[shaped] + value[shaped]
        found.naive[shaped] = kind == "naive"
        found.year[shaped] = year[shaped]
        done[shaped] = True


def _digits(chars: Any, at: int, count: int) -> tuple[IntArray, BoolArray]:
    """The number written by `count` digits from `at`, and whether all are digits (a byte
    below '0' wraps above 9)."""
    total = np.zeros(len(chars), dtype=np.int64)
    valid = np.ones(len(chars), dtype=bool)
    for position in range(at, at + count):
        digit = chars[:, position] - np.uint8(48)
        valid &= digit <= 9
        total = total * 10 + digit
    return total, valid


def _shape(
    chars: Any, rows: BoolArray, second_at: int | None, zone_at: int | None, kind: str
) -> tuple[BoolArray, IntArray]:
    """Rows of one shape that really have it, and the seconds to add (the clock's seconds
    minus the offset)."""
    shaped = rows.copy()
    value = np.zeros(len(rows), dtype=np.int64)
    if second_at is not None:
        second, has_second = _digits(chars, second_at, 2)
        shaped &= (chars[:, second_at - 1] == ord(":")) & has_second & (second <= 59)
        value += second
    if kind == "Z":
        assert zone_at is not None
        shaped &= chars[:, zone_at] == ord("Z")
    elif kind == "offset":
        assert zone_at is not None
        sign = np.where(chars[:, zone_at] == ord("-"), -1, 1)
        hours, has_hours = _digits(chars, zone_at + 1, 2)
        minutes, has_minutes = _digits(chars, zone_at + 4, 2)
        shaped &= (chars[:, zone_at] == ord("+")) | (chars[:, zone_at] == ord("-"))
        shaped &= has_hours & has_minutes & (chars[:, zone_at + 3] == ord(":"))
        shaped &= (hours <= 23) & (minutes <= 59)
        value -= sign * (hours * 3600 + minutes * 60)
    return shaped, value


def _month_days(year: IntArray, month: IntArray) -> IntArray:
    lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days: IntArray = lengths[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return days


def _days_since_epoch(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    """Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)."""
    shifted = year - (month <= 2)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: IntArray = era * 146_097 + day_of_era - 719_468
    return days


def _one_by_one(value: Any) -> tuple[int, int, bool, int] | None:
    """A time in any other form the scenario format reads (as pydantic does): seconds,
    microseconds, naive, year as written. An offset is taken off without converting the
    time (a year 1 or 9999 moved to UTC would leave the calendar)."""
    try:
        moment = _DATETIME.validate_python(value)
    except ValidationError:
        return None
    wall = _wall_seconds(moment.replace(tzinfo=None))
    offset = moment.utcoffset()
    shift = 0 if offset is None else offset.days * DAY + offset.seconds
    return wall - shift, moment.microsecond, offset is None, moment.year


def _wall_seconds(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1)
    return delta.days * DAY + delta.seconds


def wall_to_utc(wall: IntArray, tz: tzinfo) -> IntArray:
    """Wall-clock seconds in `tz` to UTC seconds: an ambiguous time is its first
    occurrence, a time that does not exist moves forward by the gap (zoneinfo, fold=0).
    Days without a clock change shift by one offset; the few others go one by one."""
    days, position = np.unique(wall // DAY, return_inverse=True)
    offsets = [_constant_offset(int(day), tz) for day in days]
    shift = np.array([0 if o is None else o for o in offsets], dtype=np.int64)
    result: IntArray = wall - shift[position]
    for changing in [d for d, o in enumerate(offsets) if o is None]:
        for row in np.flatnonzero(position == changing).tolist():
            result[row] = _one_to_utc(int(wall[row]), tz)
    return result


def _constant_offset(day_number: int, tz: tzinfo) -> int | None:
    """The day's UTC offset in seconds when it does not change within the day."""
    day = date(1970, 1, 1) + timedelta(days=day_number)
    moments = [datetime(day.year, day.month, day.day, hour, tzinfo=tz) for hour in (0, 12)]
    moments.append(datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz))
    offsets = {m.utcoffset() for m in moments}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    assert offset is not None
    return int(offset.total_seconds())


def _one_to_utc(wall: int, tz: tzinfo) -> int:
    local = (datetime(1970, 1, 1) + timedelta(seconds=wall)).replace(tzinfo=tz, fold=0)
    return int((local - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
