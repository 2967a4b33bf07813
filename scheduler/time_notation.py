"""Wall-clock notation of the scenario format: weekdays, `HH:MM` and `HH:MM-HH:MM` ranges."""

from __future__ import annotations

import re

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")

MinuteRange = tuple[int, int]


def parse_clock(text: str, *, allow_midnight_end: bool = False) -> int:
    """`"09:30"` -> 570 minutes after local midnight. `24:00` only ends a range."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a time of day as HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0 and allow_midnight_end:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValueError(f"'{text}' is not a time of day (00:00 to 23:59)")
    return hours * 60 + minutes


def parse_range(text: str) -> MinuteRange:
    """`"09:00-18:00"` -> (540, 1080). Ranges never cross midnight; `24:00` may end one."""
    if not isinstance(text, str) or text.count("-") != 1:
        raise ValueError(f"'{text}' is not a range as HH:MM-HH:MM")
    start_text, end_text = text.split("-")
    start = parse_clock(start_text)
    end = parse_clock(end_text, allow_midnight_end=True)
    if end <= start:
        raise ValueError(f"range '{text}' ends before it starts (ranges cannot cross midnight)")
    return start, end


def parse_weekday_key(key: str) -> list[int]:
    """`"mon-fri"` -> [0, 1, 2, 3, 4]; `"sat"` -> [5]; `"sun-thu"` -> [6, 0, 1, 2, 3].

    A range runs forwards through the week and wraps past Sunday, as a week that starts on
    Sunday (Israel, parts of the Gulf) is written; `mon-mon` is Monday alone."""
    parts = key.strip().lower().split("-")
    if len(parts) > 2 or any(part not in WEEKDAYS for part in parts):
        raise ValueError(f"'{key}' is not a weekday (mon..sun) or a range of them (mon-fri)")
    first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    return [(first + step) % 7 for step in range((last - first) % 7 + 1)]


def merge_ranges(ranges: list[MinuteRange]) -> tuple[MinuteRange, ...]:
    """Ranges of one day that touch or overlap become one."""
    merged: list[MinuteRange] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_working_hours(spec: dict[str, list[str]]) -> dict[int, tuple[MinuteRange, ...]]:
    """Weekly working hours by weekday index (0 = Monday). A day named twice is an error."""
    by_day: dict[int, list[MinuteRange]] = {}
    for key, ranges in spec.items():
        if not isinstance(ranges, list):
            raise ValueError(f"'{key}' must map to a list of ranges such as ['09:00-18:00']")
        parsed = [parse_range(text) for text in ranges]
        for day in parse_weekday_key(key):
            if day in by_day:
                raise ValueError(f"{WEEKDAYS[day]} is named twice (in '{key}' and before)")
            by_day[day] = list(parsed)
    return {day: merge_ranges(ranges) for day, ranges in sorted(by_day.items())}


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekly_working_minutes(spec: dict[str, list[str]]) -> int:
    """Minutes of working hours in a week, as a person's `working_hours` writes them."""
    return sum(end - start for day in parse_working_hours(spec).values() for start, end in day)
