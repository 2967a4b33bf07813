"""The parts a hard rule is made of.

A rule is enforced by the candidates (no candidate start breaks it) or by the model (a
constraint over the candidates' Booleans). The greedy checks it through the candidates
(it books candidate starts only) or through a tracker of its own in the ledger. And it
explains an unplaced session either while a session's possible starts are narrowed down
rule by rule (the first rule that leaves no start both people share is the reason), or
from what blocks each start in the final plan.

A part that needs no code says why (`ByConstruction`), so that every rule states all of
its parts and a test can check that none is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from scheduler.rule_names import RuleName

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.availability import AvailabilityIndex, BoolArray, IntArray, PersonCells
    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.domain import Problem, SessionRequest, TentativePolicy, Unplaced
    from scheduler.model.variables import Variables
    from scheduler.rules.narrowing import Narrowing
    from scheduler.time_grid import Grid


@dataclass(frozen=True)
class ByConstruction:
    """A part that needs no code of its own, and the reason why."""

    reason: str


# --- how the candidates enforce a rule ----------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The start cells [first, stop) a session may use."""

    bounds: Callable[[SessionRequest, Grid, Problem], tuple[int, int]]


@dataclass(frozen=True)
class Layer:
    """The grid cells one person leaves usable for a pair's sessions, given the pair's
    buffer (minutes) and tentative policy."""

    usable: Callable[[PersonCells, int, TentativePolicy], BoolArray]


@dataclass(frozen=True)
class StartFilter:
    """The candidate starts a session keeps, given its booking and declines."""

    keep: Callable[[SessionRequest, Grid, Problem, IntArray], IntArray]


@dataclass(frozen=True)
class FixedStart:
    """A session with one start decided already: its candidates, built from the booking."""

    build: Callable[[int, SessionRequest, AvailabilityIndex], SessionCandidates]


CandidatePart = Window | Layer | StartFilter | FixedStart | ByConstruction
ModelPart = Callable[["cp_model.CpModel", "CandidateSet", "Variables"], None]


# --- how the greedy's ledger checks a rule ------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """What keeps one more session from a start: which rule, in words, and the other pair
    when another pair's session is in the way."""

    rule: RuleName
    text: str
    pair: str | None = None
    person: str | None = None  # whose cap it is, where one person's
    limit: int | None = None  # the cap reached


class Tracker(Protocol):
    """A rule's own record of what is booked, answering what blocks one more session."""

    def blockers(self, session: SessionCandidates, choice: int) -> list[Blocker]: ...

    def book(self, session: SessionCandidates, choice: int) -> None: ...


GreedyPart = Callable[["CandidateSet"], Tracker] | ByConstruction


# --- how a rule explains an unplaced session ----------------------------------------------


@dataclass(frozen=True)
class NoStartLeft:
    """The reason, when this rule's candidate part leaves no start both people share."""

    explain: Callable[[Narrowing], Unplaced]


@dataclass(frozen=True)
class TakenBy:
    """In the final plan, this rule's tracker blocks the session's starts: the reason's code."""

    code: str


ExplanationPart = NoStartLeft | TakenBy | ByConstruction


@dataclass(frozen=True)
class HardRule:
    name: RuleName
    candidates: CandidatePart | None
    model: ModelPart | None
    greedy: GreedyPart
    explanation: ExplanationPart

    @property
    def enforced(self) -> bool:
        """The candidates or the model enforce it (a `ByConstruction` part counts: it says
        why the representation itself does)."""
        return self.candidates is not None or self.model is not None
