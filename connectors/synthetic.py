"""Synthetic calendars (`calendar: {generate: {density, seed}}`) that look like real ones.

Meetings of 30 to 90 minutes on quarter hours; a share of them weekly recurring (the
same weekday and time every week); some tentative; occasional out-of-office days.
`density` is the busy share of working time. The same seed and person id always give the
same calendar, and two people with the same seed still get different calendars.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from scheduler.domain import Busy
from scheduler.time_grid import local_to_utc
from scheduler.time_notation import MinuteRange

DURATIONS = (30, 45, 60, 60, 90)  # minutes; an hour is the most common meeting
RECURRING_SHARE = 0.4  # of the busy time, held by weekly recurring meetings
TENTATIVE_SHARE = 0.1  # of one-off meetings
OUT_OF_OFFICE_WEEKLY_CHANCE = 0.08  # a week with one to three days away


@dataclass(frozen=True)
class CalendarShape:
    tz: tzinfo
    working_hours: dict[int, tuple[MinuteRange, ...]]
    first_day: date
    end_day: date  # exclusive


def generate_busy(person_id: str, shape: CalendarShape, density: float, seed: int) -> list[Busy]:
    rng = random.Random(f"{seed}:{person_id}")
    away = _out_of_office_days(rng, shape)
    recurring = _recurring_meetings(rng, shape, density * RECURRING_SHARE)
    busy: list[Busy] = []
    day = shape.first_day
    while day < shape.end_day:
        ranges = shape.working_hours.get(day.weekday(), ())
        if ranges and day in away:
            busy.append(_block(shape, day, ranges[0][0], ranges[-1][1], "oof"))
        elif ranges:
            busy.extend(_day_meetings(rng, shape, day, ranges, recurring, density))
        day += timedelta(days=1)
    return busy


def _out_of_office_days(rng: random.Random, shape: CalendarShape) -> set[date]:
    away: set[date] = set()
    monday = shape.first_day - timedelta(days=shape.first_day.weekday())
    while monday < shape.end_day:
        if rng.random() < OUT_OF_OFFICE_WEEKLY_CHANCE:
            first = monday + timedelta(days=rng.randrange(5))
            away.update(first + timedelta(days=i) for i in range(rng.randint(1, 3)))
        monday += timedelta(days=7)
    return away


def _recurring_meetings(
    rng: random.Random, shape: CalendarShape, share: float
) -> dict[int, list[MinuteRange]]:
    """Weekly meetings by weekday, filling about `share` of the working week."""
    weekly_minutes = sum(b - a for ranges in shape.working_hours.values() for a, b in ranges)
    target = share * weekly_minutes
    meetings: dict[int, list[MinuteRange]] = {day: [] for day in shape.working_hours}
    held, attempts = 0, 0
    while held < target and attempts < 200 and shape.working_hours:
        attempts += 1
        weekday = rng.choice(sorted(shape.working_hours))
        placed = _place(rng, shape.working_hours[weekday], meetings[weekday])
        if placed:
            meetings[weekday].append(placed)
            held += placed[1] - placed[0]
    return meetings


def _place(
    rng: random.Random, ranges: tuple[MinuteRange, ...], taken: list[MinuteRange]
) -> MinuteRange | None:
    """A random meeting on quarter hours inside one range, clear of `taken`."""
    low, high = rng.choice(ranges)
    duration = rng.choice(DURATIONS)
    slots = (high - duration - low) // 15
    if slots < 0:
        return None
    start = low + 15 * rng.randint(0, slots)
    meeting = (start, start + duration)
    if any(a < meeting[1] and meeting[0] < b for a, b in taken):
        return None
    return meeting


def _day_meetings(
    rng: random.Random,
    shape: CalendarShape,
    day: date,
    ranges: tuple[MinuteRange, ...],
    recurring: dict[int, list[MinuteRange]],
    density: float,
) -> list[Busy]:
    taken = list(recurring.get(day.weekday(), []))
    target = density * sum(b - a for a, b in ranges) * rng.uniform(0.7, 1.3)
    held = sum(b - a for a, b in taken)
    one_offs: list[MinuteRange] = []
    while held < target:
        meeting = _into_a_gap(rng, _gaps(ranges, taken))
        if meeting is None:
            break
        taken.append(meeting)
        one_offs.append(meeting)
        held += meeting[1] - meeting[0]
    clock = _DayClock(day, shape.tz)
    recurring_busy = [clock.busy(a, b, "busy") for a, b in recurring.get(day.weekday(), [])]
    one_off_busy = [
        clock.busy(a, b, "tentative" if rng.random() < TENTATIVE_SHARE else "busy")
        for a, b in one_offs
    ]
    return recurring_busy + one_off_busy


def _gaps(ranges: tuple[MinuteRange, ...], taken: list[MinuteRange]) -> list[MinuteRange]:
    """Free quarter-hour-aligned stretches of at least the shortest meeting."""
    gaps = []
    for low, high in ranges:
        cursor = low
        for a, b in sorted(m for m in taken if m[0] < high and m[1] > low):
            if a - cursor >= DURATIONS[0]:
                gaps.append((cursor, a))
            cursor = max(cursor, b)
        if high - cursor >= DURATIONS[0]:
            gaps.append((cursor, high))
    return gaps


def _into_a_gap(rng: random.Random, gaps: list[MinuteRange]) -> MinuteRange | None:
    if not gaps:
        return None
    low, high = rng.choices(gaps, weights=[b - a for a, b in gaps])[0]
    duration = rng.choice([d for d in DURATIONS if d <= high - low])
    first = -(-low // 15) * 15
    slots = (high - duration - first) // 15
    if slots < 0:
        return None
    start = first + 15 * rng.randint(0, slots)
    return (start, start + duration)


class _DayClock:
    """Local minutes of one day to UTC, with one zone lookup unless the clocks change."""

    def __init__(self, day: date, tz: tzinfo) -> None:
        self.day, self.tz = day, tz
        self.midnight = local_to_utc(day, 0, tz)
        self.constant = (
            self.midnight.astimezone(tz).utcoffset()
            == local_to_utc(day, 24 * 60, tz).astimezone(tz).utcoffset()
        )

    def busy(self, start: int, end: int, status: str) -> Busy:
        if self.constant:
            return Busy(
                self.midnight + timedelta(minutes=start),
                self.midnight + timedelta(minutes=end),
                status,
            )
        return Busy(
            local_to_utc(self.day, start, self.tz), local_to_utc(self.day, end, self.tz), status
        )


def _block(shape: CalendarShape, day: date, start: int, end: int, status: str) -> Busy:
    return _DayClock(day, shape.tz).busy(start, end, status)
