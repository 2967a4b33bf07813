"""A required session is placed at most once (the validator's `known_session`: no unknown
session, none placed twice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rule_names import RuleName
from scheduler.rules.parts import Blocker, ByConstruction, HardRule

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.model.variables import Variables


def add_one_start_per_session(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """At most one of a session's candidate starts; only required sessions have any."""
    for session in v.sessions:
        if len(session) > 1:
            model.add_at_most_one(v.choices(session))


class PlacedOnce:
    def __init__(self, data: CandidateSet) -> None:
        self._placed: set[int] = set()

    def blockers(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        if session.number in self._placed:
            return [Blocker(RuleName.KNOWN_SESSION, "the session is placed already")]
        return []

    def book(self, session: SessionCandidates, choice: int) -> None:
        self._placed.add(session.number)


KNOWN_SESSION = HardRule(
    RuleName.KNOWN_SESSION,
    candidates=None,
    model=add_one_start_per_session,
    greedy=PlacedOnce,
    explanation=ByConstruction("never a reason: it only stops a session placed twice"),
)
