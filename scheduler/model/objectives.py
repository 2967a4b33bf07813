"""Objectives: placement first (weighted by priority), then soft goals as named penalties.

Each soft goal returns its terms; `soft_penalties` lists them with their names and
weights, and one place (`total_penalty`) sums them into the second-stage objective.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.candidates import SessionCandidates
from scheduler.domain import PRIORITY_ORDER
from scheduler.model.variables import Variables, summed
from scheduler.parameters import SoftWeights

Level = tuple[int, bool]  # (priority rank, already booked)


def level(session: SessionCandidates) -> Level:
    """Priority first; within a priority, a session already booked is kept before a new
    one is placed (re-planning keeps every session that can still be held)."""
    return (PRIORITY_ORDER.index(session.pair.priority), session.request.booking is not None)


def placement_weights(sessions: Sequence[SessionCandidates]) -> dict[Level, int]:
    """Lexicographic weights: one session of a level outweighs all those below it.

    The lowest level present weighs 1, so a programme of one level counts sessions.
    """
    counts = Counter(level(s) for s in sessions)
    weights: dict[Level, int] = {}
    below = 0
    for rank in sorted(counts):
        weights[rank] = below + 1
        below += counts[rank] * weights[rank]
    return weights


def placement(v: Variables) -> cp_model.LinearExprT:
    weights = placement_weights(v.sessions)
    placeable = [s for s in v.sessions if len(s)]
    return summed([weights[level(s)] * v.presence(s) for s in placeable])


@dataclass(frozen=True)
class Penalty:
    name: str
    weight: int
    terms: cp_model.LinearExprT


def _per_candidate(
    v: Variables, amount: Callable[[SessionCandidates], list[int]]
) -> cp_model.LinearExprT:
    costs, variables = [], []
    for session in v.sessions:
        for cost, var in zip(amount(session), v.choices(session), strict=True):
            if cost:
                costs.append(cost)
                variables.append(var)
    return cp_model.LinearExpr.weighted_sum(variables, costs) if costs else 0


def preferred_time(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.preference_misses.tolist())


def tentative_time(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.tentative.astype(int).tolist())


def late_in_period(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.lateness.tolist())


def late_check_in(v: Variables) -> cp_model.LinearExprT:
    return _per_candidate(v, lambda s: s.check_in_lateness.tolist())


def unstable_slot(v: Variables) -> cp_model.LinearExprT:
    """Sessions off their pair's anchor slot (one weekday and local time the pair keeps).

    Each pair picks at most one anchor; `on` is 1 when session k starts at slot s and s is
    the anchor. The misses are the placed sessions minus those on the anchor. Written
    this way, the linear relaxation already knows that a pair keeps at most as many
    sessions on one slot as have a start there, which makes the bound tight (the plain
    "slot used implies anchor" form leaves it near zero and the search cannot prove much).
    """
    model, terms = v.model, list[cp_model.LinearExprT]()
    for sessions in v.pairs().values():
        placeable = [s for s in sessions if len(s)]
        if len(placeable) < 2:
            continue
        anchors: dict[int, cp_model.IntVar] = {}
        allowed = v.anchor_slots.get(placeable[0].pair.id)  # None: every slot may be the anchor
        for session in placeable:
            by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for slot, var in zip(session.slot.tolist(), v.choices(session), strict=True):
                if allowed is None or slot in allowed:
                    by_slot[slot].append(var)
            for slot, variables in by_slot.items():
                if slot not in anchors:  # not `setdefault`: it would make a Boolean each time
                    anchors[slot] = model.new_bool_var("")
                anchor = anchors[slot]
                on = model.new_bool_var("")
                model.add_implication(on, anchor)
                model.add(on <= cp_model.LinearExpr.sum(variables))
                terms.append(-on)
            terms.append(v.presence(session))
        model.add_at_most_one(list(anchors.values()))
    return summed(terms)


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
                model.add(extra >= cp_model.LinearExpr.sum(variables) - 1)
                extras.append(extra)
    return summed(extras)


SOFT_GOALS: tuple[tuple[str, Callable[[Variables], cp_model.LinearExprT]], ...] = (
    ("preferred_time", preferred_time),
    ("tentative_time", tentative_time),
    ("unstable_slot", unstable_slot),
    ("mentor_crowding", mentor_crowding),
    ("late_in_period", late_in_period),
    ("late_check_in", late_check_in),
)


def moves(v: Variables) -> cp_model.LinearExprT:
    """Booked sessions placed elsewhere: fewest moves first, then moves within the week.

    A move weighs more than all the week changes together, so one move to another week
    beats two within the week."""
    booked = [s for s in v.sessions if s.move_cost is not None and not s.frozen]
    per_move = len(booked) + 1
    terms: list[cp_model.LinearExprT] = []
    for session in booked:
        kinds = session.move_cost.tolist() if session.move_cost is not None else []
        for kind, var in zip(kinds, v.choices(session), strict=True):
            if kind:
                terms.append((per_move + (1 if kind == 2 else 0)) * var)
    return summed(terms)


def has_bookings(v: Variables) -> bool:
    return any(s.move_cost is not None and not s.frozen for s in v.sessions)


def soft_penalties(v: Variables, weights: SoftWeights) -> list[Penalty]:
    return [Penalty(name, getattr(weights, name), goal(v)) for name, goal in SOFT_GOALS]


def total_penalty(penalties: list[Penalty]) -> cp_model.LinearExprT:
    return summed([p.weight * p.terms for p in penalties if not isinstance(p.terms, int)])
