"""The resolved problem (what the planner plans) and the plan (what it returns).

A `Problem` is a scenario with every default applied, every local time zone resolved and
every busy time in UTC. A `Plan` is the solver's answer in business terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Literal

from scheduler.busy_times import Busy, BusyTimes, TentativePolicy
from scheduler.time_notation import MinuteRange

# Re-exported: the domain's busy time, one and many, and the tentative policy.
__all__ = ["Busy", "BusyTimes", "TentativePolicy"]

Priority = Literal["high", "normal", "low"]
PRIORITY_ORDER: tuple[Priority, ...] = ("low", "normal", "high")
CapPeriod = Literal["day", "week"]
Decliner = Literal["mentor", "executive"]
# After a decline the session leaves the declined time, and by default the declining
# person's local day of it too (`other_day`); `other_time` lets it stay on that day.
AfterDecline = Literal["other_day", "other_time"]
# A mentoring session (a mentor and an executive), or a supervision check-in (a coach,
# in the pair's `mentor` place, and the mentor they supervise, in its `mentee` place).
SessionKind = Literal["mentoring", "supervision"]
Cadence = int | Literal["monthly"]  # weeks, or calendar months


def resolved_cadence(written: int | str) -> Cadence:
    """A cadence as written (`weekly`, `biweekly`, `monthly`, or weeks) as planned."""
    weeks = {"weekly": 1, "biweekly": 2}
    if isinstance(written, str):
        return weeks.get(written, "monthly")
    return written


@dataclass(frozen=True)
class Person:
    id: str
    role: Literal["executive", "mentor", "coach"]
    tz: tzinfo
    working_hours: dict[int, tuple[MinuteRange, ...]]
    busy: BusyTimes = field(default_factory=BusyTimes.empty)
    holidays: dict[date, str] = field(default_factory=dict)
    out_of_office: frozenset[date] = frozenset()
    available_from: date | None = None
    max_sessions_per_day: int | None = None  # the person's own caps; see `session_cap`
    max_sessions_per_week: int | None = None
    name: str | None = None
    email: str | None = None
    region: str | None = None

    def is_day_off(self, day: date) -> bool:
        return day in self.holidays or day in self.out_of_office


@dataclass(frozen=True)
class Preference:
    """A soft wish in the mentee's local time."""

    weekdays: frozenset[int] | None = None
    between: MinuteRange | None = None


@dataclass(frozen=True)
class Pair:
    id: str
    mentor: str
    mentee: str
    cadence: Cadence
    duration_minutes: int
    start: date
    session_count: int | None
    priority: Priority = "normal"
    preferred: Preference | None = None
    buffer_minutes: int = 0
    min_gap_days: int = 2
    tentative: TentativePolicy = "avoid"
    max_sessions_per_day: int | None = None  # the pair's own caps; see `session_cap`
    max_sessions_per_week: int | None = None
    max_moves_per_session: int | None = None
    after_decline: AfterDecline = "other_day"
    kind: SessionKind = "mentoring"

    @property
    def people(self) -> tuple[str, str]:
        return (self.mentor, self.mentee)

    @property
    def roles(self) -> tuple[str, str]:
        """What the people in the `mentor` and `mentee` places are, in words."""
        return ("coach", "mentor") if self.kind == "supervision" else ("mentor", "executive")

    def person_of(self, role: Decliner) -> str:
        return self.mentor if role == "mentor" else self.mentee

    def role_word(self, role: Decliner) -> str:
        """What the person in the `role` place is (a check-in's `mentor` is its coach)."""
        return self.roles[0] if role == "mentor" else self.roles[1]


@dataclass(frozen=True)
class Period:
    """The days in which session `index` of a pair must start, in the mentee's local dates."""

    index: int
    first_day: date
    end_day: date  # exclusive
    start: datetime  # UTC, cut at the horizon
    end: datetime  # UTC, cut at the horizon

    @property
    def is_empty(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Booking:
    """A session already booked (the scenario's `current`)."""

    start: datetime  # UTC
    status: Literal["booked", "declined", "cancelled"] = "booked"
    moves: int = 0

    @property
    def must_leave(self) -> bool:
        """Declined or cancelled: the session must leave this start."""
        return self.status != "booked"


@dataclass(frozen=True)
class Decline:
    """A start a session was declined at (now or in an earlier plan): the session is never
    offered that time again, nor, with `after_decline: other_day`, that local day of the
    person who declined (of both people when who declined is not known)."""

    start: datetime  # UTC
    by: Decliner | None = None

    def left_roles(self) -> tuple[Decliner, ...]:
        """Whose local day of the declined start the session leaves (with `other_day`)."""
        return (self.by,) if self.by is not None else ("mentor", "executive")

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.start, self.by or "")


@dataclass(frozen=True)
class SessionRequest:
    """One session a pair needs: session `index`, inside `period`; maybe booked already,
    maybe declined at some starts already."""

    pair: Pair
    period: Period
    booking: Booking | None = None
    frozen: bool = False  # booked inside the notice window: it stays where it is
    declines: tuple[Decline, ...] = ()  # sorted, each once

    @property
    def key(self) -> tuple[str, int]:
        return (self.pair.id, self.period.index)


@dataclass(frozen=True)
class Problem:
    name: str
    timezone: tzinfo
    horizon_first_day: date
    horizon_end_day: date  # exclusive
    horizon_start: datetime
    horizon_end: datetime
    grid_minutes: int
    people: dict[str, Person]
    pairs: dict[str, Pair]
    sessions: tuple[SessionRequest, ...]
    rules_max_sessions_per_day: int = 2
    rules_max_sessions_per_week: int = 5
    now: datetime | None = None
    notice_until: datetime | None = None  # now + min_notice_hours: nothing new before this
    # What reading the inputs skipped (parts of calendar files that cannot matter), each
    # `FIELD (line N): FILE: line M: what was skipped`; the plan repeats them.
    input_warnings: tuple[str, ...] = ()

    def session_cap(self, person_id: str, pair: Pair, period: CapPeriod) -> int:
        """How many sessions `person_id` may have on the day (or ISO week) of a session of
        `pair`, counting all their sessions.

        A cap set on the pair wins over the programme's rule; a cap set on the person
        replaces the rule for them; when the pair and the person both set one, both hold.
        """
        key = f"max_sessions_per_{period}"
        own: int | None = getattr(self.people[person_id], key)
        pairs: int | None = getattr(pair, key)
        if own is not None and pairs is not None:
            return min(own, pairs)
        if own is not None or pairs is not None:
            return own if own is not None else pairs  # type: ignore[return-value]
        return int(getattr(self, f"rules_{key}"))


@dataclass(frozen=True)
class PlannedSession:
    pair: str
    index: int
    mentor: str
    mentee: str
    start: datetime
    end: datetime
    moved: bool = False
    moves: int = 0  # how often the session has moved, this move included
    moved_because: str | None = None
    frozen: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.pair, self.index)


@dataclass(frozen=True)
class Unplaced:
    pair: str
    index: int
    reason: str
    code: str
    people: tuple[str, ...] = ()
    blocking_pairs: tuple[str, ...] = ()
    suggestion: str | None = None  # the smallest change that would place it, checked

    @property
    def key(self) -> tuple[str, int]:
        return (self.pair, self.index)


class SolveStatus(StrEnum):
    """How good a placement is known to be: of a plan, and of each group of it."""

    OPTIMAL = "OPTIMAL"  # proven: no valid plan places more (weighted by priority)
    FEASIBLE = "FEASIBLE"  # valid; not proven to place the most
    NO_SOLUTION_IN_TIME = "NO_SOLUTION_IN_TIME"  # the solver found nothing: the greedy stands
    UNCHANGED = "UNCHANGED"  # re-planning: a group the change did not reach, kept as booked


@dataclass(frozen=True)
class GoalFigures:
    """One soft goal of a plan: its penalty, and the least it could be on its own for the
    sessions the plan places (so `penalty - bound` is the most any plan could gain on it)."""

    penalty: int
    bound: int


@dataclass(frozen=True)
class SolverReport:
    """How the plan was found: status of the placement, objective and proven bound; the
    soft goals' penalty and bound; and whether the wall clock cut anything."""

    name: str
    status: SolveStatus
    seconds: float
    objective: int | None = None
    bound: int | None = None
    placed_bound: int | None = None
    soft_penalty: int | None = None
    soft_bound: int | None = None  # proven lower bound of the weighted soft penalty
    soft_penalty_by_goal: dict[str, int] = field(default_factory=dict)
    goals: dict[str, GoalFigures] = field(default_factory=dict)
    greedy_placed: int | None = None
    groups: int = 0
    unchanged_groups: int = 0  # re-planning: groups the change did not reach, not searched
    stops: dict[str, int] = field(default_factory=dict)  # groups by what ended their search
    cut_by_wall_clock: bool = False  # only then may the same input and seed give another plan
    notes: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None or self.bound == 0:
            return None
        return max(0.0, (self.bound - self.objective) / self.bound)

    @property
    def soft_gap(self) -> float | None:
        """How far the soft penalty may still be above its optimum, as a share of it."""
        if self.soft_penalty is None or self.soft_bound is None:
            return None
        if self.soft_penalty == 0:
            return 0.0
        return max(0.0, (self.soft_penalty - self.soft_bound) / self.soft_penalty)


@dataclass(frozen=True)
class Plan:
    scenario: str
    sessions: tuple[PlannedSession, ...]
    unplaced: tuple[Unplaced, ...]
    solver: SolverReport
    warnings: tuple[str, ...] = ()

    @property
    def required(self) -> int:
        return len(self.sessions) + len(self.unplaced)
