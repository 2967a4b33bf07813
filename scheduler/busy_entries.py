"""The busy times a scenario lists for each person, read column by column.

A snapshot of Outlook calendars lists hundreds of busy blocks per person (a programme of a
thousand pairs, some 700,000), so they are not read one pydantic object at a time: the
times are parsed as columns of bytes with numpy, in the shapes such files use (`Z`, an
offset or none; minutes or seconds); anything else is read one by one, exactly as the
rest of the scenario is, so no form that was accepted before is refused now. Every error
still names its field: `people[3].busy[17].end: end must be after start`.

An entry is a mapping, or the same in one text (the compact form):

    {start: 2027-01-04T09:00, end: 2027-01-04T10:00, status: tentative}
    "2027-01-04T09:00/2027-01-04T10:00 tentative"        (status optional, busy by default)

A time without an offset is the person's wall-clock time; it becomes UTC only once the
person's time zone is known (a Graph mailbox may state it), with zoneinfo's readings.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from pydantic import TypeAdapter, ValidationError

from scheduler.busy_times import STATUS_CODE, Busy, BusyTimes
from scheduler.errors import FieldError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DAY = 86_400
FIRST_YEAR, LAST_YEAR = 1971, 2999
ENTRY_KEYS = frozenset({"start", "end", "status"})
STATUS_LIST = "'busy', 'tentative', 'oof', 'workingElsewhere' or 'free'"
_DATETIME = TypeAdapter(datetime)
UTC_TEXT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class BusyEntries:
    """Parsed entries: seconds since 1970 of UTC, or of the wall clock where `naive`."""

    starts: IntArray
    ends: IntArray
    naive: BoolArray
    statuses: npt.NDArray[np.uint8]

    def in_utc(self, tz: ZoneInfo) -> BusyTimes:
        """Naive times read in `tz`; a block that holds no time once in UTC (written inside
        a spring-forward gap, 02:30-03:10 becoming 03:30-03:10) is dropped."""
        starts, ends = self.starts.copy(), self.ends.copy()
        if self.naive.any():
            starts[self.naive] = wall_to_utc(self.starts[self.naive], tz)
            ends[self.naive] = wall_to_utc(self.ends[self.naive], tz)
        keep = ends > starts
        starts, ends, statuses = starts[keep], ends[keep], self.statuses[keep]
        order = np.lexsort((ends, starts))
        return BusyTimes(_column(starts[order]), _column(ends[order]), statuses[order].tobytes())


def _column(values: IntArray) -> Any:
    from array import array

    column = array("q")
    column.frombytes(values.astype(np.int64).tobytes())
    return column


def compact_text(busy: Busy) -> str:
    """A busy block in the compact form, in UTC: `2027-01-04T08:00:00Z/2027-01-04T09:00:00Z`,
    then ` tentative` (or another status) unless it is plain busy."""
    start, end = (moment.astimezone(UTC).strftime(UTC_TEXT) for moment in (busy.start, busy.end))
    text = f"{start}/{end}"
    return text if busy.status == "busy" else f"{text} {busy.status}"


def read_busy_entries(entries: Any, path: str) -> tuple[BusyEntries, list[FieldError]]:
    """The entries of one person's `busy` list (at `path`, e.g. `people[3].busy`)."""
    found, errors = read_busy_lists({0: entries}, lambda _: path)
    return found.get(0, _none()), errors


def read_busy_lists(
    lists: dict[int, Any], path_of: Callable[[int], str] = lambda i: f"people[{i}].busy"
) -> tuple[dict[int, BusyEntries], list[FieldError]]:
    """Every person's busy list (by position), their times parsed in one pass over all
    of them (per-person numpy calls would cost more than the parsing)."""
    fields = {index: _fields_of(listed, path_of(index)) for index, listed in lists.items()}
    starts = _Column.joined([f.starts for f in fields.values()])
    ends = _Column.joined([f.ends for f in fields.values()])
    start_times, end_times = starts.parsed(), ends.parsed()
    found: dict[int, BusyEntries] = {}
    errors: list[FieldError] = []
    offset = 0
    for index, field in fields.items():
        rows = slice(offset, offset + len(field.positions))
        offset = rows.stop
        entries, wrong = field.checked(
            tuple(part[rows] for part in start_times), tuple(part[rows] for part in end_times)
        )
        errors.extend(wrong)
        if not wrong:
            found[index] = entries
    return found, errors


def _fields_of(entries: Any, path: str) -> _Fields:
    if not isinstance(entries, list):
        fields = _Fields(path)
        fields.errors.append(FieldError(path, "Input should be a valid list"))
        return fields
    at_once = _columns_at_once(entries, path)
    if at_once is not None:
        return at_once
    fields = _Fields(path)  # mixed or faulty entries: one by one, each error with its place
    for position, entry in enumerate(entries):
        fields.add(position, entry)
    return fields


class _Column:
    """Texts of times from many lists, as one array of byte texts (`S26`), with the values
    as written for the few that are read one by one."""

    def __init__(self, raw: Any, originals: Callable[[int], Any]) -> None:
        self.raw = raw
        self.originals = originals

    @classmethod
    def joined(cls, parts: list[Any]) -> _Column:
        raws, starts, offset = [], [], 0
        for part in parts:
            raw = part if isinstance(part, np.ndarray) else _as_bytes(part)
            if raw is None:  # texts numpy cannot hold as bytes: read them one by one
                raw = np.zeros(len(part), dtype=f"S{_WIDTH + 1}")
            raws.append(raw)
            starts.append(offset)
            offset += len(part)

        def original(index: int) -> Any:
            part = bisect.bisect_right(starts, index) - 1
            value = parts[part][index - starts[part]]
            return value.decode() if isinstance(value, bytes) else value

        joined = np.concatenate(raws) if raws else np.zeros(0, dtype=f"S{_WIDTH + 1}")
        return cls(joined, original)

    def parsed(self) -> tuple[IntArray, BoolArray, BoolArray]:
        return parse_instants(self.raw, self.originals)


def _columns_at_once(entries: list[Any], path: str) -> _Fields | None:
    """The columns of a list whose entries are all well-formed mappings, or all texts,
    without a Python call per entry; None when any entry needs a closer look."""
    fields = _Fields(path)
    try:
        if all(type(entry) is dict for entry in entries):
            if not all(ENTRY_KEYS.issuperset(e) and "start" in e and "end" in e for e in entries):
                return None
            fields.starts = [e["start"] for e in entries]
            fields.ends = [e["end"] for e in entries]
            codes = [STATUS_CODE.get(e.get("status", "busy")) for e in entries]
        elif all(type(entry) is str for entry in entries):
            compact = _compact_columns(entries)
            if compact is None:
                return None
            fields.starts, fields.ends, codes = compact
        else:
            return None
    except TypeError:  # an unhashable status
        return None
    if None in codes:
        return None
    fields.statuses = cast(list[int], codes)
    fields.positions = list(range(len(entries)))
    return fields


_COMPACT_WIDTH = 64


def _compact_columns(entries: list[str]) -> tuple[Any, Any, list[int | None]] | None:
    """Start and end texts (as byte columns) and status codes of compact entries that all
    split at the same place, with ends as long as starts: cut from their bytes at once.
    None for any other list, read text by text."""
    try:
        raw = np.array(entries, dtype=f"S{_COMPACT_WIDTH}")
    except UnicodeEncodeError:
        return None
    count = len(entries)
    chars = raw.view(np.uint8).reshape(count, _COMPACT_WIDTH)
    length = np.char.str_len(raw)
    slash = chars == ord("/")
    if not count or (length >= _COMPACT_WIDTH).any() or (slash.sum(axis=1) != 1).any():
        return None
    at = int(slash[0].argmax())
    end_stop = 2 * at + 1
    tagged = length != end_stop
    if at > _WIDTH or (slash.argmax(axis=1) != at).any():
        return None
    if (length < end_stop).any() or (chars[tagged, end_stop] != ord(" ")).any():
        return None
    codes: list[int | None] = [STATUS_CODE["busy"]] * count
    for row in np.flatnonzero(tagged).tolist():
        codes[row] = STATUS_CODE.get(raw[row][end_stop + 1 :].decode())
    return _texts(chars[:, :at]), _texts(chars[:, at + 1 : end_stop]), codes


def _texts(columns: Any) -> Any:
    """Byte columns as an array of `S26` texts, padded with NULs."""
    padded = np.zeros((columns.shape[0], _WIDTH + 1), dtype=np.uint8)
    padded[:, : columns.shape[1]] = columns
    return padded.view(f"S{_WIDTH + 1}").ravel()


def _none() -> BusyEntries:
    empty = np.zeros(0, dtype=np.int64)
    return BusyEntries(empty, empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=np.uint8))


class _Fields:
    """The entries' start, end and status texts, column by column, and what is wrong."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions: list[int] = []
        self.starts: list[Any] = []
        self.ends: list[Any] = []
        self.statuses: list[int] = []
        self.errors: list[FieldError] = []

    def add(self, position: int, entry: Any) -> None:
        where = f"{self.path}[{position}]"
        if isinstance(entry, str):
            found = self._compact(where, entry)
        elif isinstance(entry, dict):
            found = self._mapping(where, entry)
        else:
            self.errors.append(
                FieldError(
                    where,
                    "a busy time is a mapping {start, end, status} or a text 'START/END [status]'",
                )
            )
            return
        if found is not None:
            self.positions.append(position)
            self.starts.append(found[0])
            self.ends.append(found[1])
            self.statuses.append(found[2])

    def _compact(self, where: str, text: str) -> tuple[str, str, int] | None:
        parts = text.split()
        interval = parts[0].split("/") if parts else []
        if len(parts) not in (1, 2) or len(interval) != 2:
            self.errors.append(
                FieldError(where, f"'{text[:80]}' is not a busy time as 'START/END [status]'")
            )
            return None
        status = self._status(where, parts[1] if len(parts) == 2 else "busy")
        return (interval[0], interval[1], status) if status is not None else None

    def _mapping(self, where: str, entry: dict[str, Any]) -> tuple[Any, Any, int] | None:
        unknown = sorted(str(key) for key in entry if key not in ENTRY_KEYS)
        for key in unknown:
            self.errors.append(
                FieldError(f"{where}.{key}", "unknown key (not in the scenario format)")
            )
        missing = [key for key in ("start", "end") if key not in entry]
        for key in missing:
            self.errors.append(FieldError(f"{where}.{key}", "required"))
        status = self._status(f"{where}.status", entry.get("status", "busy"))
        if unknown or missing or status is None:
            return None
        return entry["start"], entry["end"], status

    def _status(self, where: str, status: Any) -> int | None:
        code = STATUS_CODE.get(status) if isinstance(status, str) else None
        if code is None:
            self.errors.append(FieldError(where, f"Input should be {STATUS_LIST}"))
        return code

    def checked(
        self, start_times: tuple[Any, ...], end_times: tuple[Any, ...]
    ) -> tuple[BusyEntries, list[FieldError]]:
        """The entries from their parsed times (seconds, naive, bad), or what is wrong."""
        starts, start_naive, start_bad = start_times
        ends, end_naive, end_bad = end_times
        keep = ~(start_bad | end_bad)
        for index in np.flatnonzero(start_bad).tolist():
            self._error(index, ".start", "Input should be a valid datetime")
        for index in np.flatnonzero(end_bad).tolist():
            self._error(index, ".end", "Input should be a valid datetime")
        self._check(
            keep & (start_naive != end_naive), "start and end must both carry an offset, or neither"
        )
        years = keep & ~(_within_years(starts, start_naive) & _within_years(ends, end_naive))
        self._check(years, f"times must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
        self._check(keep & (start_naive == end_naive) & (ends <= starts), "end must be after start")
        errors = sorted(self.errors, key=lambda e: _position(e.path, self.path))
        if errors:
            return _none(), errors
        statuses = np.array(self.statuses, dtype=np.uint8)
        return BusyEntries(starts, ends, start_naive, statuses), []

    def _check(self, wrong: BoolArray, message: str) -> None:
        for index in np.flatnonzero(wrong).tolist():
            self._error(index, "", message)

    def _error(self, index: int, field: str, message: str) -> None:
        where = f"{self.path}[{self.positions[index]}]{field}"
        if not any(e.path.startswith(f"{self.path}[{self.positions[index]}]") for e in self.errors):
            self.errors.append(FieldError(where, message))


def _position(path: str, prefix: str) -> int:
    """The entry an error is about (-1: the list itself)."""
    number = path[len(prefix) + 1 :].split("]", 1)[0]
    return int(number) if number.isdigit() else -1


def _within_years(seconds: IntArray, naive: BoolArray) -> BoolArray:
    first = (date(FIRST_YEAR, 1, 1) - date(1970, 1, 1)).days * DAY
    last = (date(LAST_YEAR + 1, 1, 1) - date(1970, 1, 1)).days * DAY
    inside: BoolArray = (seconds >= first) & (seconds < last)
    return inside


# --- instants, column-wise ------------------------------------------------------------------

_WIDTH = 25
# The shapes `YYYY-MM-DDTHH:MM` + [`:SS`] + [`Z` | `±HH:MM`], by length.
_SHAPES = {  # length -> (seconds at, zone at, zone kind)
    16: (None, None, "naive"),
    17: (None, 16, "Z"),
    19: (17, None, "naive"),
    20: (17, 19, "Z"),
    22: (None, 16, "offset"),
    25: (17, 19, "offset"),
}


def parse_instants(
    values: list[Any] | Any, originals: Callable[[int], Any] | None = None
) -> tuple[IntArray, BoolArray, BoolArray]:
    """Seconds since 1970 (of UTC, or of the wall clock for a naive time), whether each
    is naive, and whether each is no valid time at all. `values` is a list, or already an
    array of byte texts (`S26`) with `originals` giving each value as written (a longer
    text does not fit the array: the one-by-one reading must see it whole)."""
    count = len(values)
    seconds = np.zeros(count, dtype=np.int64)
    naive = np.zeros(count, dtype=bool)
    done = np.zeros(count, dtype=bool)
    raw = values if isinstance(values, np.ndarray) else _as_bytes(values)
    if raw is not None and count:
        _columns(raw, seconds, naive, done)
    bad = np.zeros(count, dtype=bool)
    for index in np.flatnonzero(~done).tolist():
        value = originals(index) if originals is not None else values[index]
        one = _one_by_one(value)
        if one is None:
            bad[index] = True
        else:
            seconds[index], naive[index] = one
    return seconds, naive, bad


def _as_bytes(values: list[Any]) -> Any:
    try:  # other values than texts become their str() here, and fail the shapes below
        return np.array(values, dtype=f"S{_WIDTH + 1}")
    except (UnicodeEncodeError, ValueError, TypeError):
        return None


class _Bytes:
    """Texts of one width as columns of bytes, read one column at a time (a whole matrix
    of integers would cost more memory traffic than the parsing itself)."""

    def __init__(self, raw: Any) -> None:
        self.chars = raw.view(np.uint8).reshape(len(raw), _WIDTH + 1)

    def char(self, at: int, expected: str) -> BoolArray:
        found: BoolArray = self.chars[:, at] == ord(expected)
        return found

    def digit(self, at: int) -> tuple[IntArray, BoolArray]:
        """The digit at `at` and whether there is one (bytes below '0' wrap above 9)."""
        value = self.chars[:, at] - np.uint8(48)
        return value.astype(np.int64), value <= 9

    def number(self, at: int, width: int) -> tuple[IntArray, BoolArray]:
        total = np.zeros(len(self.chars), dtype=np.int64)
        valid = np.ones(len(self.chars), dtype=bool)
        for position in range(at, at + width):
            value, is_digit = self.digit(position)
            total = total * 10 + value
            valid &= is_digit
        return total, valid


def _columns(raw: Any, seconds: IntArray, naive: BoolArray, done: BoolArray) -> None:
    text = _Bytes(raw)
    length = np.char.str_len(raw)
    year, valid = text.number(0, 4)
    month, has_month = text.number(5, 2)
    day, has_day = text.number(8, 2)
    hour, has_hour = text.number(11, 2)
    minute, has_minute = text.number(14, 2)
    valid &= has_month & has_day & has_hour & has_minute
    valid &= text.char(4, "-") & text.char(7, "-") & text.char(13, ":")
    valid &= text.char(10, "T") | text.char(10, " ")
    valid &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= _month_days(year, month))
    valid &= (hour <= 23) & (minute <= 59)
    wall = _days_since_epoch(year, month, day) * DAY + hour * 3600 + minute * 60
    for size, (second_at, zone_at, kind) in _SHAPES.items():
        rows = valid & (length == size)
        if not rows.any():
            continue
        shaped, value = _shape(text, rows, second_at, zone_at, kind)
        seconds[shaped] = wall[shaped] + value[shaped]
        naive[shaped] = kind == "naive"
        done[shaped] = True


def _shape(
    text: _Bytes, rows: BoolArray, second_at: int | None, zone_at: int | None, kind: str
) -> tuple[BoolArray, IntArray]:
    """Rows of one shape that really have it, and the seconds to add (the clock's seconds
    minus the offset)."""
    shaped = rows.copy()
    value = np.zeros(len(rows), dtype=np.int64)
    if second_at is not None:
        second, has_second = text.number(second_at, 2)
        shaped &= text.char(second_at - 1, ":") & has_second & (second <= 59)
        value += second
    if kind == "Z":
        assert zone_at is not None
        shaped &= text.char(zone_at, "Z")
    elif kind == "offset":
        assert zone_at is not None
        sign = np.where(text.char(zone_at, "-"), -1, 1)
        hours, has_hours = text.number(zone_at + 1, 2)
        minutes, has_minutes = text.number(zone_at + 4, 2)
        shaped &= text.char(zone_at, "+") | text.char(zone_at, "-")
        shaped &= has_hours & has_minutes & text.char(zone_at + 3, ":")
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


def _one_by_one(value: Any) -> tuple[int, bool] | None:
    """A time in any other form the scenario format reads (as pydantic does)."""
    try:
        moment = _DATETIME.validate_python(value)
    except ValidationError:
        return None
    if moment.tzinfo is None:
        return _wall_seconds(moment), True
    return _wall_seconds(moment.astimezone(UTC).replace(tzinfo=None)), False


def _wall_seconds(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1)
    return delta.days * DAY + delta.seconds


def wall_to_utc(wall: IntArray, tz: ZoneInfo) -> IntArray:
    """Wall-clock seconds in `tz` to UTC seconds: an ambiguous time is its first
    occurrence, a time that does not exist moves forward by the gap (zoneinfo, fold=0).
    Days without a clock change shift by one offset; the few others go one by one."""
    days = wall // DAY
    result = np.empty_like(wall)
    for day_number in np.unique(days):
        rows = days == day_number
        offset = _constant_offset(int(day_number), tz)
        if offset is not None:
            result[rows] = wall[rows] - offset
        else:
            result[rows] = [_one_to_utc(int(value), tz) for value in wall[rows]]
    return result


def _constant_offset(day_number: int, tz: ZoneInfo) -> int | None:
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


def _one_to_utc(wall: int, tz: ZoneInfo) -> int:
    local = (datetime(1970, 1, 1) + timedelta(seconds=wall)).replace(tzinfo=tz, fold=0)
    return int((local - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
