"""The searches of one group of sessions that share nobody: placement, moves, soft goals.

Before a model is built its size is estimated; a group beyond the memory budget keeps the
greedy's plan (the note names the cause), as does one the time left cannot build. Where
the greedy places every session and the soft goals' relaxation keeps every rule, both
optima are proven without a model. A re-plan leaves a group its change did not reach as
it was booked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import SolveStatus
from scheduler.model.builder import build_model
from scheduler.model.objectives import level
from scheduler.model_size import ModelSize, estimate_model
from scheduler.parameters import SolverParameters
from scheduler.soft_relaxation import Relaxation, settle_without_search
from scheduler.stages import (
    HeadStart,
    Placement,
    Polish,
    Stop,
    fewest_moves,
    head_start,
    keep_placement,
    place_most,
    placed_by_greedy,
    placement_value,
    places_all,
    polish,
)


class Skipped:
    """Why a group had no model: over the memory budget, or out of wall-clock time."""

    OVER_BUDGET = "memory budget"
    OUT_OF_TIME = "wall clock"


@dataclass(frozen=True)
class GroupResult:
    numbers: tuple[int, ...]
    placement: Placement
    polish: Polish
    size: ModelSize
    skipped: str | None = None


def searched_group(
    data: CandidateSet, greedy: dict[int, int], params: SolverParameters, deadline: float
) -> GroupResult:
    """The searches of one group (all of `data`'s sessions)."""
    sessions = list(data.sessions)
    if _unchanged(sessions, greedy):
        return _as_booked(data, sessions)
    return solve_group(data, sessions, greedy, params, deadline)


def _unchanged(group: list[SessionCandidates], greedy: dict[int, int]) -> bool:
    """Re-planning leaves a group alone when every booked session keeps its start (the
    greedy, which keeps booked starts first, kept them all) and no other session has a
    candidate start at all: nothing can be placed beside them, however they moved, and
    moving none is the fewest moves. The change did not reach this group."""
    if not any(s.request.booking is not None for s in group):
        return False
    return all(greedy.get(s.number) == s.keep if s.request.booking else len(s) == 0 for s in group)


def _as_booked(data: CandidateSet, group: list[SessionCandidates]) -> GroupResult:
    chosen = {s.number: s.keep for s in group if s.keep is not None}
    value = placement_value(group, chosen)
    placeable = placement_value(group, {s.number: 0 for s in group if len(s)})
    uniform = len({level(s) for s in group}) <= 1
    return GroupResult(
        tuple(s.number for s in group),
        Placement(chosen, SolveStatus.UNCHANGED, value, placeable, uniform),
        Polish(dict(chosen), Stop.NO_GOALS),
        estimate_model(data, group),
    )


def solve_group(
    data: CandidateSet,
    sessions: list[SessionCandidates],
    greedy: dict[int, int],
    params: SolverParameters,
    deadline: float,
) -> GroupResult:
    numbers = tuple(s.number for s in sessions)
    start = {n: greedy[n] for n in numbers if n in greedy}
    size = estimate_model(data, sessions)
    # The budget is per model, whatever the number of processes: the plan must not depend
    # on it (with --processes N, up to N models are in memory at once).
    if size.megabytes > params.memory_budget_mb:
        return _greedy_only(numbers, sessions, start, size, Skipped.OVER_BUDGET)
    if time.monotonic() + size.build_seconds >= deadline:  # no time to build, let alone search
        return _greedy_only(numbers, sessions, start, size, Skipped.OUT_OF_TIME)
    relaxation = _relaxation(sessions, start, params)
    settled = _settled(data, sessions, start, params, relaxation)
    if settled is not None:
        return GroupResult(numbers, settled[0], settled[1], size)
    proven, head = _head_start(data, sessions, start, params, relaxation)
    if proven is not None and head is not None and head.proven:  # no model needed
        return GroupResult(numbers, proven, head.polish, size)
    model, variables = build_model(data, sessions)
    placed = place_most(model, variables, start, params, deadline)
    keep_placement(model, variables, placed.chosen)
    chosen, moves_cut = fewest_moves(model, variables, placed.chosen, params, deadline)
    soft = polish(data, model, variables, chosen, params, deadline, head)
    if moves_cut:
        soft.cut_by_wall_clock = True
    return GroupResult(numbers, placed, soft, size)


def _relaxation(
    sessions: list[SessionCandidates], start: dict[int, int], params: SolverParameters
) -> Relaxation | None:
    """The soft goals' relaxation, which the proof without a model and the head start both
    read, where they apply: the greedy places every session with a candidate and no booked
    session is to keep."""
    if any(s.request.booking is not None for s in sessions) or not places_all(sessions, start):
        return None
    return Relaxation(sessions, params.weights)


def _settled(
    data: CandidateSet,
    sessions: list[SessionCandidates],
    start: dict[int, int],
    params: SolverParameters,
    relaxation: Relaxation | None,
) -> tuple[Placement, Polish] | None:
    """Both optima proven without a model: the greedy places every session with a
    candidate, and the soft goals' relaxation keeps every rule."""
    placed = placed_by_greedy(sessions, start)
    if placed is None or relaxation is None:
        return None
    settled = settle_without_search(data, sessions, params.weights, relaxation)
    if settled is None:
        return None
    chosen, penalty = settled
    return placed, Polish(chosen, Stop.RELAXATION, penalty, penalty)


def _head_start(
    data: CandidateSet,
    sessions: list[SessionCandidates],
    start: dict[int, int],
    params: SolverParameters,
    relaxation: Relaxation | None,
) -> tuple[Placement | None, HeadStart | None]:
    """The soft pass's head start, known before the model, where the greedy's placement is
    proven and no booked session is to keep (then the model's placement is the greedy's)."""
    proven = placed_by_greedy(sessions, start)
    if proven is None or relaxation is None:
        return None, None
    return proven, head_start(data, sessions, start, params.weights, relaxation)


def _greedy_only(
    numbers: tuple[int, ...],
    sessions: list[SessionCandidates],
    start: dict[int, int],
    size: ModelSize,
    why: str,
) -> GroupResult:
    value = placement_value(sessions, start)
    upper = placement_value(sessions, {s.number: 0 for s in sessions if len(s)})
    status = SolveStatus.OPTIMAL if value == upper else SolveStatus.FEASIBLE
    uniform = len({level(s) for s in sessions if len(s)}) <= 1
    out_of_time = why == Skipped.OUT_OF_TIME
    placement = Placement(dict(start), status, value, upper, uniform, True, out_of_time)
    stop = Stop.WALL_CLOCK if out_of_time else Stop.MEMORY_BUDGET
    return GroupResult(
        numbers, placement, Polish(dict(start), stop, None, None, out_of_time), size, why
    )
