"""Each person's usable time on the grid, layer by layer.

A grid cell is the time [i, i+1) steps after the grid's origin. A cell is usable by a
person when it lies inside one working-hours range of a local day (`WorkingCells`), that
day is no holiday or out-of-office day, the mentor is already available, and no blocking
busy time (widened by the pair's buffer) touches it. The layers stay separate so that
`explain` can say which one took a session's time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from scheduler.busy_times import BLOCKING_CODES, STATUSES, TENTATIVE_CODE
from scheduler.domain import BusyTimes, Person, Problem, TentativePolicy
from scheduler.rules.registry import layers
from scheduler.time_grid import Grid, epoch_minutes, iso_week, local_midnight, local_to_utc
from scheduler.time_notation import MinuteRange

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
DayOff = Literal["holiday", "out_of_office"]


@dataclass(frozen=True)
class WorkRange:
    """One working-hours range of one local day, as grid cells [first_cell, end_cell)."""

    day: date
    local_start: int  # minutes after local midnight
    start_minute: int  # epoch minutes
    end_minute: int
    first_cell: int
    end_cell: int
    constant_offset: bool  # no clock change inside the range

    @cached_property
    def iso_week_key(self) -> int:
        year, week = iso_week(self.day)
        return year * 100 + week


class WorkingCells:
    """The working-hours ranges of one (time zone, weekly hours) over the grid.

    People who share a time zone and weekly hours share one of these.
    """

    def __init__(
        self,
        grid: Grid,
        tz: tzinfo,
        weekly: dict[int, tuple[MinuteRange, ...]],
        days: tuple[date, date],
    ) -> None:
        self.ranges: list[WorkRange] = []
        self.range_of_cell = np.full(grid.size, -1, dtype=np.int64)
        day, last_day = days
        while day <= last_day:
            for start, end in weekly.get(day.weekday(), ()):
                self._add_range(grid, tz, day, start, end)
            day += timedelta(days=1)

    def _add_range(self, grid: Grid, tz: tzinfo, day: date, start: int, end: int) -> None:
        start_utc, end_utc = local_to_utc(day, start, tz), local_to_utc(day, end, tz)
        first, stop = grid.index_at_or_after(start_utc), grid.index_at_or_before(end_utc)
        first, stop = max(first, 0), min(stop, grid.size)
        if stop <= first:
            return
        constant = start_utc.astimezone(tz).utcoffset() == end_utc.astimezone(tz).utcoffset()
        self.range_of_cell[first:stop] = len(self.ranges)
        self.ranges.append(
            WorkRange(
                day, start, epoch_minutes(start_utc), epoch_minutes(end_utc), first, stop, constant
            )
        )

    @cached_property
    def day_ordinal(self) -> IntArray:
        return np.array([r.day.toordinal() for r in self.ranges], dtype=np.int64)

    @cached_property
    def week_key(self) -> IntArray:
        return np.array([r.iso_week_key for r in self.ranges], dtype=np.int64)

    def local_minutes(self, grid: Grid, cells: IntArray, tz: tzinfo) -> IntArray:
        """Local minute of day at which each cell starts (exact across clock changes)."""
        ranges = self.range_of_cell[cells]
        local_start = np.array([r.local_start for r in self.ranges], dtype=np.int64)
        start_minute = np.array([r.start_minute for r in self.ranges], dtype=np.int64)
        minutes = local_start[ranges] + (
            grid.origin_minute + cells * grid.step - start_minute[ranges]
        )
        for position in np.flatnonzero(~self._constant_offset[ranges]):
            local = grid.instant(int(cells[position])).astimezone(tz)
            minutes[position] = local.hour * 60 + local.minute
        return minutes

    @cached_property
    def _constant_offset(self) -> BoolArray:
        return np.array([r.constant_offset for r in self.ranges], dtype=bool)


class PersonCells:
    """One person's layers of usable time on the grid; the calendar rules
    (`scheduler.rules.calendar`) say which layers a session needs."""

    def __init__(self, person: Person, grid: Grid, working: WorkingCells) -> None:
        self.person = person
        self.grid = grid
        self.working = working
        self.available_from_cell = _first_available_cell(person, grid)
        self._busy_minutes = _busy_arrays(person.busy)
        self._blocked: dict[tuple[int, TentativePolicy], BoolArray] = {}
        self._tentative: dict[int, BoolArray] = {}
        self._tentative_counts: dict[int, IntArray] = {}
        self._free: dict[tuple[int, TentativePolicy], BoolArray] = {}
        self._starts: dict[tuple[int, int, TentativePolicy], BoolArray] = {}
        self._merged: dict[TentativePolicy, tuple[IntArray, IntArray, IntArray]] = {}

    def release(self) -> None:
        """Forget every layer computed so far (they are computed again if asked for)."""
        for cache in (self._blocked, self._tentative, self._tentative_counts, self._free):
            cache.clear()
        self._starts.clear()
        self._merged.clear()
        for name in ("working_cell", "_not_on_day_off", "usable_day_cell", "available_cell"):
            self.__dict__.pop(name, None)

    @cached_property
    def working_cell(self) -> BoolArray:
        """Inside working hours, whatever the day."""
        return self.working.range_of_cell >= 0

    def not_on_day_off(self, kind: DayOff) -> BoolArray:
        """Cells whose working day is no holiday (or no out-of-office day) of the person."""
        return self._not_on_day_off[kind]

    @cached_property
    def _not_on_day_off(self) -> dict[DayOff, BoolArray]:
        days = {"holiday": self.person.holidays, "out_of_office": self.person.out_of_office}
        layers: dict[DayOff, BoolArray] = {}
        for kind, off in days.items():
            per_range = np.array([r.day not in off for r in self.working.ranges] + [True])
            layers[kind] = per_range[self.working.range_of_cell]  # type: ignore[index]
        return layers

    @cached_property
    def usable_day_cell(self) -> BoolArray:
        """Inside working hours of a day that is no holiday and no out-of-office day."""
        return (
            self.working_cell
            & self.not_on_day_off("holiday")
            & self.not_on_day_off("out_of_office")
        )

    @cached_property
    def available_cell(self) -> BoolArray:
        cells = np.ones(self.grid.size, dtype=bool)
        cells[: max(0, self.available_from_cell)] = False
        return cells

    def blocked_cells(self, buffer: int, tentative: TentativePolicy) -> BoolArray:
        """Cells touched by blocking busy time widened by `buffer` minutes on each side."""
        key = (buffer, tentative)
        if key not in self._blocked:
            starts, ends, _ = self._busy_minutes
            blocking = self._blocking(tentative)
            self._blocked[key] = self._cover(starts[blocking], ends[blocking], buffer)
        return self._blocked[key]

    def _blocking(self, tentative: TentativePolicy) -> BoolArray:
        """Which busy blocks block under the policy (busy and out of office always)."""
        _, _, statuses = self._busy_minutes
        blocking: BoolArray = (statuses == _BUSY) | (
            (statuses == _TENTATIVE) & (tentative == "block")
        )
        return blocking

    def blocked_minutes(self, window: slice, tentative: TentativePolicy) -> IntArray:
        """Per cell of `window`, the minutes that blocking busy time covers (overlapping
        blocks counted once)."""
        grid = self.grid
        first, stop, _ = window.indices(grid.size)
        size = max(0, stop - first)
        edges = grid.origin_minute + (first + np.arange(size + 1, dtype=np.int64)) * grid.step
        minutes: IntArray = np.diff(self._busy_minutes_before(edges, tentative))
        return minutes

    def _busy_minutes_before(self, moments: IntArray, tentative: TentativePolicy) -> IntArray:
        """Minutes of blocking busy time before each of `moments` (epoch minutes), from the
        blocks merged once per policy: no array of every minute of the window."""
        starts, ends, before = self._merged_blocking(tentative)
        if not len(starts):
            return np.zeros(len(moments), dtype=np.int64)
        # The blocks that start before each moment, all of their minutes; less the part of
        # the last of them that runs past the moment.
        count = np.searchsorted(starts, moments, side="right")
        last = np.maximum(count - 1, 0)
        overshoot = np.where(count > 0, np.maximum(ends[last] - moments, 0), 0)
        found: IntArray = before[count] - overshoot
        return found

    def _merged_blocking(self, tentative: TentativePolicy) -> tuple[IntArray, IntArray, IntArray]:
        """The blocking blocks merged where they overlap or touch (sorted starts, ends), and
        the minutes of all merged blocks before each (one more entry: all of them)."""
        if tentative not in self._merged:
            starts, ends, _ = self._busy_minutes
            blocking = self._blocking(tentative)
            order = np.argsort(starts[blocking], kind="stable")
            starts, ends = starts[blocking][order], ends[blocking][order]
            if len(starts):
                reach = np.maximum.accumulate(ends)  # the latest end so far
                opens = np.ones(len(starts), dtype=bool)  # a block that starts a merged one
                opens[1:] = starts[1:] > reach[:-1]
                closes = np.append(np.flatnonzero(opens)[1:] - 1, len(starts) - 1)
                starts, ends = starts[opens], reach[closes]
            before = np.concatenate(([0], np.cumsum(ends - starts)))
            self._merged[tentative] = (starts, ends, before)
        return self._merged[tentative]

    def tentative_cells(self, buffer: int) -> BoolArray:
        if buffer not in self._tentative:
            starts, ends, statuses = self._busy_minutes
            tentative = statuses == _TENTATIVE
            self._tentative[buffer] = self._cover(starts[tentative], ends[tentative], buffer)
        return self._tentative[buffer]

    def tentative_counts(self, buffer: int) -> IntArray:
        """Tentative cells before each cell (a prefix sum: any span's count at once)."""
        if buffer not in self._tentative_counts:
            cells = self.tentative_cells(buffer)
            counts = np.concatenate(([0], np.cumsum(cells, dtype=np.int64)))
            self._tentative_counts[buffer] = counts
        return self._tentative_counts[buffer]

    def free_cells(self, buffer: int, tentative: TentativePolicy) -> BoolArray:
        """Cells that every calendar rule leaves usable for a pair's session."""
        key = (buffer, tentative)
        if key not in self._free:
            free = np.ones(self.grid.size, dtype=bool)
            for layer in layers():
                free &= layer.usable(self, buffer, tentative)
            self._free[key] = free
        return self._free[key]

    def start_cells(self, length: int, buffer: int, tentative: TentativePolicy) -> BoolArray:
        """Cells where a session of `length` cells may start, for this person alone."""
        key = (length, buffer, tentative)
        if key not in self._starts:
            self._starts[key] = whole_runs(
                self.free_cells(buffer, tentative), self.working.range_of_cell, length
            )
        return self._starts[key]

    def _cover(self, starts: IntArray, ends: IntArray, buffer: int) -> BoolArray:
        grid = self.grid
        first = np.floor_divide(starts - buffer - grid.origin_minute, grid.step)
        stop = -np.floor_divide(-(ends + buffer - grid.origin_minute), grid.step)
        first = np.clip(first, 0, grid.size)
        stop = np.maximum(np.clip(stop, 0, grid.size), first)  # never a negative cover
        change = np.zeros(grid.size + 1, dtype=np.int64)
        np.add.at(change, first, 1)
        np.add.at(change, stop, -1)
        covered: BoolArray = np.cumsum(change[:-1]) > 0
        return covered


def whole_runs(free: BoolArray, range_of_cell: IntArray, length: int) -> BoolArray:
    """Starts t where cells t..t+length-1 are all free and lie in one working range."""
    size = free.shape[0]
    result = np.zeros(size, dtype=bool)
    if length > size:
        return result
    counts = np.concatenate(([0], np.cumsum(free, dtype=np.int64)))
    last = np.arange(size - length + 1) + length - 1
    all_free = counts[length:] - counts[: size - length + 1] == length
    same_range = range_of_cell[: size - length + 1] == range_of_cell[last]
    result[: size - length + 1] = all_free & same_range
    return result


_BUSY, _TENTATIVE, _OTHER = 0, 1, 2
_KIND_OF_STATUS = np.array(
    [
        _BUSY if code in BLOCKING_CODES else _TENTATIVE if code == TENTATIVE_CODE else _OTHER
        for code in range(len(STATUSES))
    ],
    dtype=np.int64,
)


def _busy_arrays(busy: BusyTimes) -> tuple[IntArray, IntArray, IntArray]:
    """Start minutes (rounded down), end minutes (rounded up) and kind of each block."""
    starts = np.frombuffer(busy.starts, dtype=np.int64) if len(busy) else np.zeros(0, np.int64)
    ends = np.frombuffer(busy.ends, dtype=np.int64) if len(busy) else np.zeros(0, np.int64)
    codes = np.frombuffer(busy.statuses, dtype=np.uint8)
    return starts // 60, -(-ends // 60), _KIND_OF_STATUS[codes]


def _first_available_cell(person: Person, grid: Grid) -> int:
    if person.available_from is None:
        return 0
    return grid.index_at_or_after(local_midnight(person.available_from, person.tz))


def same_person(old: Person, new: Person) -> bool:
    """Everything but the busy times, which the caller reports as changed or not (comparing
    hundreds of busy blocks per person would cost more than the re-plan itself)."""
    return (
        old.tz == new.tz
        and old.working_hours == new.working_hours
        and old.holidays == new.holidays
        and old.out_of_office == new.out_of_office
        and old.available_from == new.available_from
        and len(old.busy) == len(new.busy)
    )


class AvailabilityIndex:
    """Every person's cells over the problem's grid, sharing weekly patterns."""

    def __init__(
        self,
        problem: Problem,
        previous: AvailabilityIndex | None = None,
        changed: frozenset[str] = frozenset(),
    ) -> None:
        """`previous`: an index of an earlier version of the programme over the same grid;
        the cells of its people who are not in `changed` are reused as they are."""
        self.problem = problem
        self.grid = Grid.covering(problem.horizon_start, problem.horizon_end, problem.grid_minutes)
        margin = timedelta(days=2)  # local dates of far time zones reach past the horizon's
        self._days = (problem.horizon_first_day - margin, problem.horizon_end_day + margin)
        self._working: dict[
            tuple[str, tuple[tuple[int, tuple[MinuteRange, ...]], ...]], WorkingCells
        ] = {}
        reusable: dict[str, PersonCells] = (
            previous.people if previous is not None and previous.grid == self.grid else {}
        )
        if previous is not None and reusable:
            self._working = previous._working
        self.people: dict[str, PersonCells] = {
            pid: reusable[pid]
            if pid in reusable and pid not in changed and same_person(reusable[pid].person, person)
            else self._person_cells(person)
            for pid, person in problem.people.items()
        }

    def release(self, people: Iterable[str]) -> None:
        """Forget the layers computed for these people (a process done with their group)."""
        for person in people:
            self.people[person].release()

    def _person_cells(self, person: Person) -> PersonCells:
        key = (str(person.tz), tuple(sorted(person.working_hours.items())))
        if key not in self._working:
            self._working[key] = WorkingCells(
                self.grid, person.tz, person.working_hours, self._days
            )
        return PersonCells(person, self.grid, self._working[key])
