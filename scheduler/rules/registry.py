"""Every hard rule, in the order in which an unplaced session is explained: first what
bounds a session's starts, then each person's calendar, then the rules of booked
sessions, then the rules between sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.calendar import CALENDAR_RULES
from scheduler.rules.caps import DAILY_CAP, WEEKLY_CAP
from scheduler.rules.declined_time import DECLINED_TIME
from scheduler.rules.double_booking import DOUBLE_BOOKING
from scheduler.rules.min_gap import MIN_GAP
from scheduler.rules.one_start import KNOWN_SESSION
from scheduler.rules.parts import ByConstruction, HardRule, Layer, StartFilter, Tracker, Window
from scheduler.rules.rebooking import FROZEN, LEFT_START, MAX_MOVES
from scheduler.rules.shape import SHAPE_RULES
from scheduler.rules.windows import WINDOW_RULES

if TYPE_CHECKING:
    from scheduler.candidates import CandidateSet

HARD_RULES: tuple[HardRule, ...] = (
    *SHAPE_RULES,
    *WINDOW_RULES,
    *CALENDAR_RULES,
    FROZEN,
    MAX_MOVES,
    LEFT_START,
    DECLINED_TIME,
    KNOWN_SESSION,
    DOUBLE_BOOKING,
    DAILY_CAP,
    WEEKLY_CAP,
    MIN_GAP,
)


def windows() -> list[Window]:
    return [r.candidates for r in HARD_RULES if isinstance(r.candidates, Window)]


def layers() -> list[Layer]:
    return [r.candidates for r in HARD_RULES if isinstance(r.candidates, Layer)]


def start_filters() -> list[StartFilter]:
    return [r.candidates for r in HARD_RULES if isinstance(r.candidates, StartFilter)]


def model_rules() -> list[HardRule]:
    return [r for r in HARD_RULES if r.model is not None]


def trackers_of(data: CandidateSet) -> list[Tracker]:
    """A fresh tracker of every rule that the greedy's ledger checks itself."""
    return [r.greedy(data) for r in HARD_RULES if not isinstance(r.greedy, ByConstruction)]
