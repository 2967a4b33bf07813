"""Objectives: placement first (weighted by priority), then soft goals as named penalties.

Each soft goal returns its terms; `soft_penalties` lists them with their names and
weights, and one place (`total_penalty`) sums them into the second-stage objective.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.candidates import SessionCandidates
from scheduler.domain import PRIORITY_ORDER
from scheduler.model.variables import Variables
from scheduler.parameters import SoftWeights


def priority_weights(sessions: list[SessionCandidates]) -> dict[str, int]:
    """Lexicographic weights: one high session outweighs every normal one, and so on.

    The lowest priority present weighs 1, so a programme of one priority counts sessions.
    """
    weights: dict[str, int] = {}
    below = 0
    for priority in PRIORITY_ORDER:
        count = sum(1 for s in sessions if s.pair.priority == priority)
        if count:
            weights[priority] = below + 1
            below += count * weights[priority]
    return weights


def placement(v: Variables) -> cp_model.LinearExprT:
    weights = priority_weights(list(v.sessions))
    return sum(weights[s.pair.priority] * v.presence(s) for s in v.sessions if len(s))


@dataclass(frozen=True)
class Penalty:
    name: str
    weight: int
    terms: cp_model.LinearExprT


def _per_candidate(
    v: Variables, amount: Callable[[SessionCandidates], list[int]]
) -> cp_model.LinearExprT:
    return sum(
        cost * var
        for s in v.sessions
        for cost, var in zip(amount(s), v.choices(s), strict=True)
        if cost
    )


def preferred_time(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.preference_misses.tolist())


def tentative_time(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.tentative.astype(int).tolist())


def late_in_period(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.lateness.tolist())


def unstable_slot(v: Variables) -> cp_model.LinearExprT:
    """Sessions off their pair's anchor slot (one weekday and local time the pair keeps)."""
    model, misses = v.model, []
    for sessions in v.pairs().values():
        placeable = [s for s in sessions if len(s)]
        if len(placeable) < 2:
            continue
        anchors: dict[int, cp_model.IntVar] = {}
        for session in placeable:
            miss = model.new_bool_var("")
            by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for slot, var in zip(session.slot.tolist(), v.choices(session), strict=True):
                by_slot[slot].append(var)
            for slot, variables in by_slot.items():
                anchor = anchors.setdefault(slot, model.new_bool_var(""))
                model.add(sum(variables) <= anchor + miss)
            misses.append(miss)
        model.add_at_most_one(list(anchors.values()))
    return sum(misses)


def mentor_crowding(v: Variables) -> cp_model.LinearExprT:
    """Sessions beyond the first of a mentor on one local day: spread them over the week."""
    model, extras = v.model, []
    for person in v.people():
        sessions = [s for s in v.sessions_of(person) if s.pair.mentor == person]
        if len(sessions) < 2 or len({s.pair.id for s in sessions}) < 2:
            continue
        by_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for session in sessions:
            for day, var in zip(session.mentor_day.tolist(), v.choices(session), strict=True):
                by_day[day].append(var)
        for variables in by_day.values():
            if len(variables) > 1:
                extra = model.new_int_var(0, len(variables), "")
                model.add(extra >= sum(variables) - 1)
                extras.append(extra)
    return sum(extras)


SOFT_GOALS: tuple[tuple[str, Callable[[Variables], cp_model.LinearExprT]], ...] = (
    ("preferred_time", preferred_time),
    ("tentative_time", tentative_time),
    ("unstable_slot", unstable_slot),
    ("mentor_crowding", mentor_crowding),
    ("late_in_period", late_in_period),
)


def soft_penalties(v: Variables, weights: SoftWeights) -> list[Penalty]:
    return [Penalty(name, getattr(weights, name), goal(v)) for name, goal in SOFT_GOALS]


def total_penalty(penalties: list[Penalty]) -> cp_model.LinearExprT:
    return sum(penalty.weight * penalty.terms for penalty in penalties)
