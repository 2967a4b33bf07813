"""The soft goals of a plan, counted in plain Python: each goal's penalty, and the least
it could be on its own for the sessions the plan places.

The counts mirror the model's terms (`scheduler.model.objectives`); a test checks that the
model's objective equals their weighted sum on every solution. The bound of a goal takes
that goal alone: what remains of it whatever the other goals want, so `penalty - bound` is
the most any plan placing the same sessions could gain on it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from scheduler.candidates import SessionCandidates
from scheduler.domain import GoalFigures
from scheduler.parameters import SoftWeights

Chosen = dict[int, int]  # session number -> candidate


def goal_figures(
    sessions: Sequence[SessionCandidates], chosen: Chosen, weights: SoftWeights
) -> dict[str, GoalFigures]:
    placed = [s for s in sessions if s.number in chosen]
    figures = {
        "preferred_time": _per_candidate(placed, chosen, lambda s: s.preference_misses.tolist()),
        "tentative_time": _per_candidate(placed, chosen, lambda s: s.tentative.tolist()),
        "unstable_slot": _unstable_slot(sessions, placed, chosen),
        "mentor_crowding": _mentor_crowding(sessions, placed, chosen),
        "late_in_period": _per_candidate(placed, chosen, lambda s: s.lateness.tolist()),
        "late_check_in": _per_candidate(placed, chosen, lambda s: s.check_in_lateness.tolist()),
    }
    return {
        goal: GoalFigures(getattr(weights, goal) * penalty, getattr(weights, goal) * bound)
        for goal, (penalty, bound) in figures.items()
    }


def weighted_penalty(figures: dict[str, GoalFigures]) -> int:
    return sum(f.penalty for f in figures.values())


def weighted_bound(figures: dict[str, GoalFigures]) -> int:
    return sum(f.bound for f in figures.values())


def _per_candidate(
    placed: list[SessionCandidates],
    chosen: Chosen,
    cost: Callable[[SessionCandidates], list[int]],
) -> tuple[int, int]:
    penalty = bound = 0
    for session in placed:
        costs = cost(session)
        penalty += int(costs[chosen[session.number]])
        bound += int(min(costs))
    return penalty, bound


def _pairs(sessions: Sequence[SessionCandidates]) -> dict[str, list[SessionCandidates]]:
    by_pair: dict[str, list[SessionCandidates]] = defaultdict(list)
    for session in sessions:
        by_pair[session.pair.id].append(session)
    return by_pair


def _unstable_slot(
    sessions: Sequence[SessionCandidates], placed: list[SessionCandidates], chosen: Chosen
) -> tuple[int, int]:
    """Placed sessions off the pair's most kept slot; the bound counts, per slot, the placed
    sessions that have a start there at all."""
    placed_numbers = {s.number for s in placed}
    penalty = bound = 0
    for own in _pairs(sessions).values():
        if sum(1 for s in own if len(s)) < 2:
            continue  # the model sets no anchor for a pair with one session to place
        mine = [s for s in own if s.number in placed_numbers]
        if not mine:
            continue
        kept = Counter(int(s.slot[chosen[s.number]]) for s in mine)
        possible = Counter(slot for s in mine for slot in set(s.slot.tolist()))
        penalty += len(mine) - max(kept.values())
        bound += len(mine) - max(possible.values())
    return penalty, bound


def _mentor_crowding(
    sessions: Sequence[SessionCandidates], placed: list[SessionCandidates], chosen: Chosen
) -> tuple[int, int]:
    """Sessions beyond the first on a mentor's day, for mentors of two pairs or more; the
    bound leaves only what no spreading over the sessions' possible days avoids."""
    pairs_of: dict[str, set[str]] = defaultdict(set)
    for session in sessions:
        pairs_of[session.pair.mentor].add(session.pair.id)
    penalty = bound = 0
    by_mentor: dict[str, list[SessionCandidates]] = defaultdict(list)
    for session in placed:
        if len(pairs_of[session.pair.mentor]) >= 2:
            by_mentor[session.pair.mentor].append(session)
    for own in by_mentor.values():
        days = Counter(int(s.mentor_day[chosen[s.number]]) for s in own)
        penalty += sum(count - 1 for count in days.values())
        bound += len(own) - _most_on_distinct_days(own)
    return penalty, bound


def _most_on_distinct_days(sessions: list[SessionCandidates]) -> int:
    """The largest number of the sessions that can each have a day of their own: a maximum
    bipartite matching of sessions to their possible days, by augmenting paths (searched
    without recursion: a mentor may have thousands of sessions)."""
    options = [sorted(set(s.mentor_day.tolist())) for s in sessions]
    owner: dict[int, int] = {}  # day -> session position
    day_of: dict[int, int] = {}  # session position -> day
    for root in range(len(sessions)):
        free_day = _augmenting_path(root, options, owner)
        if free_day is None:
            continue
        day, reached_from = free_day
        while True:  # shift every session on the path to the day it reached
            position = reached_from[day]
            previous = day_of.get(position)
            owner[day], day_of[position] = position, day
            if position == root or previous is None:
                break
            day = previous
    return len(day_of)


def _augmenting_path(
    root: int, options: list[list[int]], owner: dict[int, int]
) -> tuple[int, dict[int, int]] | None:
    """A free day reachable from session `root` by alternating paths, with the session
    each day was reached from."""
    reached_from: dict[int, int] = {}
    stack = [(root, iter(options[root]))]
    while stack:
        position, days = stack[-1]
        for day in days:
            if day in reached_from:
                continue
            reached_from[day] = position
            if day not in owner:
                return day, reached_from
            stack.append((owner[day], iter(options[owner[day]])))
            break
        else:
            stack.pop()
    return None
