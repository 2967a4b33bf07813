"""How many instances a recurring event can have in the window read, at most, known from its
rule before it is expanded. A rule such as `FREQ=SECONDLY`, or `FREQ=DAILY` with every
hour, minute and second listed, stands for millions of instances: expanding it would take
minutes and gigabytes. Such a series is refused with its line instead; no real calendar
comes near the limit (a busy week holds a few dozen meetings)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

MOST_INSTANCES = 100_000  # per file, in the window read (the horizon and two days each side)
SECONDS_OF = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 604_800,
    "MONTHLY": 28 * 86_400,  # the shortest month: an upper bound on their number
    "YEARLY": 365 * 86_400,
}
# Each BY part may multiply the instances of one period by the number of its values.
EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def most_instances(rule: Any, start: datetime, end: datetime) -> float:
    """An upper bound on the instances of `rule` (icalendar's vRecur) in [start, end)."""
    frequency = SECONDS_OF.get(str(_first(rule, "FREQ", "")).upper())
    if frequency is None:
        return 1.0  # no rule Tandem can expand: the library's own error says so later
    interval = max(int(_first(rule, "INTERVAL", 1) or 1), 1)
    periods = (end - start).total_seconds() / (frequency * interval) + 1
    spread = math.prod(len(rule.get(part) or [None]) for part in EXPANDING)
    count = _first(rule, "COUNT", None)
    bound = periods * spread
    return min(bound, float(count)) if count is not None else bound


def _first(rule: Any, key: str, default: Any) -> Any:
    values = rule.get(key)
    return values[0] if values else default
