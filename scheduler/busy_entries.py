"""The busy times a scenario lists for each person, read as one table.

A snapshot of Outlook calendars lists hundreds of busy blocks per person (a programme of
ten thousand pairs, some seven million), so they are not read one pydantic object at a
time: every person's entries become rows of one table, their times are parsed column-wise
(`scheduler.instant_columns`), and the rules of an entry are checked on whole columns.
Only a list with something wrong, or something unusual, is read entry by entry, so that
every error still names its field: `people[3].busy[17].end: end must be after start`.

An entry is a mapping, or the same in one text (the compact form):

    {start: 2027-01-04T09:00, end: 2027-01-04T10:00, status: tentative}
    "2027-01-04T09:00/2027-01-04T10:00 tentative"        (status optional, busy by default)

A time without an offset is the person's wall-clock time; it becomes UTC only once the
person's time zone is known (a Graph mailbox may state it), with zoneinfo's readings.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt

from scheduler.busy_times import STATUS_CODE, Busy, BusyTimes
from scheduler.errors import FieldError
from scheduler.instant_columns import (
    WIDTH,
    BoolArray,
    Instants,
    IntArray,
    as_texts,
    parse_instants,
    wall_to_utc,
)

FIRST_YEAR, LAST_YEAR = 1971, 2999
ENTRY_KEYS = frozenset({"start", "end", "status"})
STATUS_LIST = "'busy', 'tentative', 'oof', 'workingElsewhere' or 'free'"
UTC_TEXT = "%Y-%m-%dT%H:%M:%SZ"
COMPACT_WIDTH = 64  # bytes of a compact text read at once; a longer one is read by itself


@dataclass(frozen=True)
class BusyEntries:
    """Parsed entries: seconds since 1970 of UTC, or of the wall clock where `naive`."""

    starts: IntArray
    ends: IntArray
    naive: BoolArray
    statuses: npt.NDArray[np.uint8]

    def in_utc(self, tz: tzinfo) -> BusyTimes:
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


def _column(values: IntArray) -> array[int]:
    column = array("q")
    column.frombytes(values.astype(np.int64).tobytes())
    return column


def _none() -> BusyEntries:
    empty = np.zeros(0, dtype=np.int64)
    return BusyEntries(empty, empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=np.uint8))


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
    """Every person's busy list (by position), read as one table: per-person numpy calls
    would cost more than the parsing of a whole snapshot."""
    table = _Table()
    texts = [index for index, listed in lists.items() if _all_texts(listed)]
    table.add_compact(texts, [lists[index] for index in texts])  # or none, if one is odd
    for index, listed in lists.items():
        if index not in table.rows_of:
            table.add_fields(index, _fields_of(listed, path_of(index)))
    found: dict[int, BusyEntries] = {}
    errors: list[FieldError] = []
    wrong = table.wrong_rows()
    for index, rows in table.rows_of.items():
        if table.fields[index].errors or wrong[rows].any():
            errors.extend(_entry_errors(index, table, lists[index], path_of(index)))
        else:
            found[index] = table.entries(rows)
    return found, errors


def _all_texts(listed: Any) -> bool:
    return isinstance(listed, list) and bool(listed) and set(map(type, listed)) == {str}


def _entry_errors(index: int, table: _Table, listed: Any, path: str) -> list[FieldError]:
    """Everything wrong with one person's list, each error with its entry."""
    fields = table.fields[index]
    if not fields.errors and fields.from_compact:  # read at once: look at it entry by entry
        fields = _fields_of(listed, path)
    return fields.checked(table.times_of(fields, table.rows_of[index]))


@dataclass
class _Table:
    """All people's entries as rows: start and end texts, status codes, and which rows are
    whose."""

    starts: list[Any] = field(default_factory=list)  # S26 columns, or lists of values
    ends: list[Any] = field(default_factory=list)
    codes: list[Any] = field(default_factory=list)
    rows_of: dict[int, slice] = field(default_factory=dict)
    fields: dict[int, _Fields] = field(default_factory=dict)
    size: int = 0
    _times: tuple[Instants, Instants] | None = None
    _codes: npt.NDArray[np.uint8] | None = None

    def add_compact(self, people: list[int], lists: list[list[str]]) -> None:
        """Every listed entry of these people as rows, when all split the same way."""
        if not people:
            return
        columns = _compact_columns([entry for listed in lists for entry in listed])
        if columns is None:
            return
        starts, ends, codes = columns
        self.starts.append(starts)
        self.ends.append(ends)
        self.codes.append(codes)
        for index, listed in zip(people, lists, strict=True):
            self.rows_of[index] = slice(self.size, self.size + len(listed))
            self.fields[index] = _Fields.whole(len(listed))
            self.size += len(listed)

    def add_fields(self, index: int, fields: _Fields) -> None:
        self.starts.append(fields.starts)
        self.ends.append(fields.ends)
        self.codes.append(np.array(fields.statuses, dtype=np.uint8))
        self.rows_of[index] = slice(self.size, self.size + len(fields.positions))
        self.fields[index] = fields
        self.size += len(fields.positions)

    def times(self) -> tuple[Instants, Instants]:
        """The start and the end of every row."""
        if self._times is None:
            self._times = (_parsed(self.starts), _parsed(self.ends))
        return self._times

    def times_of(self, fields: _Fields, rows: slice) -> tuple[Instants, Instants]:
        if fields.from_compact or len(fields.positions) == rows.stop - rows.start:
            starts, ends = self.times()
            return starts[rows], ends[rows]
        return _parsed([fields.starts]), _parsed([fields.ends])

    def wrong_rows(self) -> BoolArray:
        wrong: BoolArray = np.logical_or.reduce(_wrong(*self.times()), axis=0)
        return wrong

    def entries(self, rows: slice) -> BusyEntries:
        """One person's entries: views of the table's columns; an end with a fraction of
        a second is rounded up (a block never shrinks)."""
        starts, ends = self.times()
        if self._codes is None:
            self._codes = np.concatenate(self.codes) if self.codes else np.zeros(0, np.uint8)
        end_seconds = ends.seconds[rows] + (ends.micro[rows] > 0)
        return BusyEntries(starts.seconds[rows], end_seconds, starts.naive[rows], self._codes[rows])


def _parsed(parts: list[Any]) -> Instants:
    """The times of many lists, each an S26 column (exact texts) or a list of values."""
    raws, offsets, size = [], [], 0
    for part in parts:
        raws.append(part if isinstance(part, np.ndarray) else _texts_of(part))
        offsets.append(size)
        size += len(part)

    def original(index: int) -> Any:
        part = bisect.bisect_right(offsets, index) - 1
        value = parts[part][index - offsets[part]]
        return value.decode() if isinstance(value, bytes) else value

    joined = np.concatenate(raws) if raws else np.zeros(0, dtype=f"S{WIDTH}")
    return parse_instants(joined, original)


def _texts_of(values: list[Any]) -> Any:
    """Values as an S26 column; where numpy cannot hold them, blanks (so each is read one
    by one, from the value itself)."""
    found = as_texts(values)
    return found if found is not None else np.zeros(len(values), dtype=f"S{WIDTH}")


def _wrong(start: Instants, end: Instants) -> npt.NDArray[np.bool_]:
    """Per rule of an entry (as rows), whether each entry breaks it: no time at start, at
    end; offsets on one side only; years out of range (as written); end not after start."""
    good = ~(start.bad | end.bad)
    years = ~(_within_years(start.year) & _within_years(end.year))
    same_kind = start.naive == end.naive
    return np.stack(
        [
            start.bad,
            end.bad,
            good & ~same_kind,
            good & years,
            good & same_kind & ~end.later_than(start),
        ]
    )


WRONG = (
    (".start", "Input should be a valid datetime"),
    (".end", "Input should be a valid datetime"),
    ("", "start and end must both carry an offset, or neither"),
    ("", f"times must lie between the years {FIRST_YEAR} and {LAST_YEAR}"),
    ("", "end must be after start"),
)


def _within_years(year: IntArray) -> BoolArray:
    inside: BoolArray = (year >= FIRST_YEAR) & (year <= LAST_YEAR)
    return inside


# --- the compact form, at once ----------------------------------------------------------------


def _compact_columns(entries: list[str]) -> tuple[Any, Any, npt.NDArray[np.uint8]] | None:
    """Start and end texts (as S26 columns) and status codes of compact entries that all
    split at the same place with ends as long as starts, cut from their bytes at once.
    None for any other list (it is read entry by entry)."""
    try:
        raw = np.array(entries, dtype=f"S{COMPACT_WIDTH}")
    except UnicodeEncodeError:
        return None
    length = np.strings.str_len(raw)
    slash = np.strings.find(raw, b"/")
    at = int(slash[0])
    end_stop = 2 * at + 1
    if not 0 < at < WIDTH or (length >= COMPACT_WIDTH).any():
        return None
    if (slash != at).any() or (np.strings.rfind(raw, b"/") != at).any():
        return None
    chars = raw.view(np.uint8).reshape(len(raw), COMPACT_WIDTH)
    tagged = length != end_stop
    if (length < end_stop).any() or (chars[tagged, end_stop] != ord(" ")).any():
        return None
    # A space inside either time (`2027-01-04 09:00/...`) is refused by the entry-by-entry
    # reading; so is a NUL, which numpy would drop from the end of a text.
    spaces = np.strings.find(raw, b" ")
    if ((spaces != -1) & (spaces != end_stop)).any() or "\x00" in "".join(entries):
        return None
    codes = np.full(len(raw), STATUS_CODE["busy"], dtype=np.uint8)
    for row in np.flatnonzero(tagged).tolist():
        code = STATUS_CODE.get(raw[row][end_stop + 1 :].decode())
        if code is None:
            return None
        codes[row] = code
    return _texts(chars[:, :at]), _texts(chars[:, at + 1 : end_stop]), codes


def _texts(columns: Any) -> Any:
    """Byte columns as an array of S26 texts, padded with NULs."""
    padded = np.zeros((columns.shape[0], WIDTH), dtype=np.uint8)
    padded[:, : columns.shape[1]] = columns
    return padded.view(f"S{WIDTH}").ravel()


# --- one list, entry by entry -------------------------------------------------------------


def _fields_of(entries: Any, path: str) -> _Fields:
    fields = _Fields(path)
    if not isinstance(entries, list):
        fields.errors.append(FieldError(path, "Input should be a valid list"))
        return fields
    if all(type(entry) is dict for entry in entries) and fields.add_mappings(entries):
        return fields
    fields = _Fields(path)
    for position, entry in enumerate(entries):
        fields.add(position, entry)
    return fields


class _Fields:
    """One list's entries as start and end values and status codes, and what is wrong."""

    def __init__(self, path: str = "") -> None:
        self.path = path
        self._positions: list[int] = []
        self._whole: int | None = None  # a list read at once: every one of its entries
        self.starts: list[Any] = []
        self.ends: list[Any] = []
        self.statuses: list[int] = []
        self.errors: list[FieldError] = []

    @property
    def positions(self) -> Sequence[int]:
        """The entry of each row."""
        return range(self._whole) if self._whole is not None else self._positions

    @property
    def from_compact(self) -> bool:
        return self._whole is not None

    @classmethod
    def whole(cls, count: int) -> _Fields:
        """A list read at once with the others: every entry is a row."""
        fields = cls()
        fields._whole = count
        return fields

    def add_mappings(self, entries: list[dict[str, Any]]) -> bool:
        """Well-formed mappings, taken as columns; False if one needs a closer look."""
        if not all(ENTRY_KEYS.issuperset(e) and "start" in e and "end" in e for e in entries):
            return False
        try:
            codes = [STATUS_CODE.get(e.get("status", "busy")) for e in entries]
        except TypeError:  # an unhashable status
            return False
        if None in codes:
            return False
        self.starts = [e["start"] for e in entries]
        self.ends = [e["end"] for e in entries]
        self.statuses = [c for c in codes if c is not None]
        self._positions = list(range(len(entries)))
        return True

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
            self._positions.append(position)
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

    def checked(self, times: tuple[Instants, Instants]) -> list[FieldError]:
        """Every error of the list, in entry order, one per entry: the shape errors found
        while reading, then what the parsed times break."""
        found = list(self.errors)
        reported = {_position(e.path, self.path) for e in found}
        for (suffix, message), rows in zip(WRONG, _wrong(*times), strict=True):
            for row in np.flatnonzero(rows).tolist():
                position = self.positions[row]
                if position not in reported:
                    reported.add(position)
                    found.append(FieldError(f"{self.path}[{position}]{suffix}", message))
        return sorted(found, key=lambda e: _position(e.path, self.path))


def _position(path: str, prefix: str) -> int:
    """The entry an error is about (-1: the list itself)."""
    number = path[len(prefix) + 1 :].split("]", 1)[0]
    return int(number) if number.isdigit() else -1
