"""The CP-SAT stages of one group of sessions, on one model, each stopped by deterministic
measures only.

1. `place_most`: the most sessions, weighted by priority. The greedy plan is the hint and
   the floor. When the greedy already places every session that has a candidate, nothing
   can place more: that is the proof, and no search runs.
2. `fewest_moves` (re-planning): the same placement, the fewest booked sessions moved.
3. `polish`: the same placement (and moves), the least soft penalty.

Every search has one search thread, a fixed seed, and a budget of CP-SAT's deterministic
time (`max_deterministic_time`, work counted the same on any machine and load). The soft
pass searches in rounds of growing work from the best plan so far, and ends a group at its
proven optimum or at the first round that finds nothing better (a stall). Wall-clock time
is only the outer safety cap: a search it cuts says so, and only then may the same input
and seed give another plan.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import SolveStatus
from scheduler.errors import ModelDefectError
from scheduler.goal_figures import goal_figures, weighted_penalty
from scheduler.model.objective_proto import maximize, minimize
from scheduler.model.objectives import (
    has_bookings,
    level,
    moves,
    placement,
    placement_weights,
    soft_penalties,
    total_penalty,
)
from scheduler.model.variables import Variables
from scheduler.parameters import SoftWeights, SolverParameters
from scheduler.soft_pruning import Pruning, pruned
from scheduler.soft_relaxation import Relaxation, repaired

log = logging.getLogger(__name__)

# OR-Tools has open reports of time limits not respected; this much later we stop it.
DEADLINE_GRACE_SECONDS = 1.0
# Deterministic work (CP-SAT's unit, about a second of search on a typical core): a base
# per search plus a share per candidate. Measured on synthetic programmes: placements of
# groups up to 6,000 candidates prove within 0.2, soft passes of 600 candidates within 0.05.
PLACEMENT_WORK = (2.0, 1e-4)
SOFT_FIRST_ROUND = (0.1, 1e-4)
SOFT_WORK = (2.0, 4e-4)
MOVES_WORK = (1.0, 1e-4)


class Stop(StrEnum):
    """What ended a group's soft search (or why none ran)."""

    PROVEN = "proven optimal"
    RELAXATION = "proven by relaxation"  # no search: `scheduler.soft_relaxation`
    STALLED = "stalled"  # a round of search found nothing better
    WORK_BUDGET = "work budget"
    WALL_CLOCK = "wall clock"
    MEMORY_BUDGET = "memory budget"  # no model: the group keeps the greedy's plan
    NO_GOALS = "nothing to improve"


@dataclass
class Placement:
    chosen: dict[int, int]
    status: SolveStatus
    objective: int
    bound: int
    uniform_weights: bool
    used_greedy: bool = False
    cut_by_wall_clock: bool = False


@dataclass
class Polish:
    chosen: dict[int, int]
    stop: Stop
    penalty: int | None = None
    bound: int | None = None
    cut_by_wall_clock: bool = False


@dataclass
class Search:
    """One CP-SAT search and what it found."""

    status: Any
    chosen: dict[int, int] = field(default_factory=dict)
    objective: int = 0
    bound: int = 0
    cut_by_wall_clock: bool = False

    @property
    def solved(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def work(
    budget: tuple[float, float], sessions: Sequence[SessionCandidates], effort: float
) -> float:
    base, per_candidate = budget
    return effort * (base + per_candidate * sum(len(s) for s in sessions))


def search(
    model: cp_model.CpModel,
    variables: Variables,
    params: SolverParameters,
    deterministic_seconds: float,
    deadline: float,
    hint: dict[int, int] | None,
    presolve: bool = True,
) -> Search:
    """`hint` None: no warm start (the model may carry an earlier stage's: it goes)."""
    variables.hint(hint)
    solver = _solver(params, deterministic_seconds, deadline)
    solver.parameters.cp_model_presolve = presolve
    status, watchdog_fired = _run(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        cut = status == cp_model.UNKNOWN and solver.deterministic_time < deterministic_seconds
        return Search(status, cut_by_wall_clock=cut or watchdog_fired)
    # A search that stopped before its deterministic budget without a proof was stopped by
    # the wall clock: its result depends on the machine's speed and load.
    cut = status != cp_model.OPTIMAL and solver.deterministic_time < deterministic_seconds
    return Search(
        status,
        variables.chosen(solver),
        round(solver.objective_value),
        round(solver.best_objective_bound),
        cut or watchdog_fired,
    )


def place_most(
    model: cp_model.CpModel,
    variables: Variables,
    greedy: dict[int, int],
    params: SolverParameters,
    deadline: float,
) -> Placement:
    sessions = variables.sessions
    proven = placed_by_greedy(sessions, greedy)
    if proven is not None:
        return proven
    floor = placement_value(sessions, greedy)
    upper = placement_value(sessions, {s.number: 0 for s in sessions if len(s)})
    uniform = len({level(s) for s in sessions if len(s)}) <= 1
    maximize(model, placement(variables))
    found = search(
        model, variables, params, work(PLACEMENT_WORK, sessions, params.effort), deadline, greedy
    )
    if found.solved and found.objective >= floor:
        status = SolveStatus.OPTIMAL if found.status == cp_model.OPTIMAL else SolveStatus.FEASIBLE
        return Placement(
            found.chosen,
            status,
            found.objective,
            found.bound,
            uniform,
            False,
            found.cut_by_wall_clock,
        )
    if params.strict and (found.solved or found.status == cp_model.INFEASIBLE):
        raise ModelDefectError(
            f"the model rejects the greedy plan of sessions {[s.number for s in sessions][:10]}"
            f"...: its best placement {found.objective} is below the greedy's {floor}"
        )
    bound = upper if not found.solved else min(upper, found.bound)
    status = SolveStatus.NO_SOLUTION_IN_TIME if not found.solved else SolveStatus.FEASIBLE
    return Placement(dict(greedy), status, floor, bound, uniform, True, found.cut_by_wall_clock)


def placed_by_greedy(
    sessions: Sequence[SessionCandidates], greedy: dict[int, int]
) -> Placement | None:
    """The greedy's placement, proven optimal, when it places every session that has a
    candidate: nothing can place more."""
    if any(len(s) and s.number not in greedy for s in sessions):
        return None
    value = placement_value(sessions, greedy)
    uniform = len({level(s) for s in sessions if len(s)}) <= 1
    return Placement(dict(greedy), SolveStatus.OPTIMAL, value, value, uniform)


def places_all(sessions: Sequence[SessionCandidates], placed: dict[int, int]) -> bool:
    return all(s.number in placed for s in sessions if len(s))


def keep_placement(model: cp_model.CpModel, variables: Variables, placed: dict[int, int]) -> None:
    """No later stage places less: every session of a full placement stays placed; else the
    priority-weighted value holds."""
    sessions = variables.sessions
    if places_all(sessions, placed):
        for session in sessions:
            if len(session):
                model.add(variables.presence(session) == 1)
        return
    model.add(placement(variables) >= placement_value(sessions, placed))


def fewest_moves(
    model: cp_model.CpModel,
    variables: Variables,
    placed: dict[int, int],
    params: SolverParameters,
    deadline: float,
) -> tuple[dict[int, int], bool]:
    """Minimise the moves of booked sessions and fix that minimum for the soft pass."""
    if not has_bookings(variables):
        return placed, False
    cost = moves(variables)
    minimize(model, cost)
    found = search(
        model,
        variables,
        params,
        work(MOVES_WORK, variables.sessions, params.effort),
        deadline,
        placed,
    )
    if not found.solved:
        return placed, found.cut_by_wall_clock  # the placement's moves bound the next pass
    model.add(cost <= found.objective)
    return found.chosen, found.cut_by_wall_clock


def polish(
    data: CandidateSet,
    model: cp_model.CpModel,
    variables: Variables,
    placed: dict[int, int],
    params: SolverParameters,
    deadline: float,
    head: HeadStart | None = None,
) -> Polish:
    """The least soft penalty: a first round of search from no plan, and where it proves
    nothing, rounds of doubling work from the best plan so far; a round that proves the
    optimum or finds nothing better ends it. The first plan in hand is the relaxation's,
    repaired where the rules between sessions bind (a far better start than the greedy's,
    from which a small search may not find its way)."""
    sessions = variables.sessions
    bookings = has_bookings(variables)
    full = places_all(sessions, placed)
    if head is None and not bookings and full:  # its pruning shrinks the model
        head = head_start(data, sessions, placed, params.weights)
    if head is not None and head.pruning is not None:
        if head.proven:
            return head.polish
        variables.restrict(head.pruning.anchors, head.pruning.starts)
    penalties = soft_penalties(variables, params.weights)
    objective = total_penalty(penalties)
    if isinstance(objective, int):
        return Polish(dict(placed), Stop.NO_GOALS, 0, 0)
    minimize(model, objective)
    budget = work(SOFT_WORK, sessions, params.effort)
    round_work = min(budget, work(SOFT_FIRST_ROUND, sessions, params.effort))
    # Measured on the 3,000-pair bench programme: all 645 soft searches proved their
    # optimum in the first round, in half the time without a hint (CP-SAT first follows an
    # incomplete hint to its end, then searches anyway). So the first round has none; only
    # when it proves nothing do the rounds go on from the best plan in hand.
    first = search(model, variables, params, round_work, deadline, None, presolve=False)
    if first.status == cp_model.OPTIMAL:
        return Polish(first.chosen, Stop.PROVEN, first.objective, first.bound)
    if head is None and not bookings:  # only now is the plan in hand needed
        head = head_start(data, sessions, placed, params.weights)
    start = placed if head is None else head.chosen
    best = Polish(start, Stop.WORK_BUDGET, bound=first.bound if first.solved else None)
    return _rounds(model, variables, params, deadline, best, round_work, budget)


def _rounds(
    model: cp_model.CpModel,
    variables: Variables,
    params: SolverParameters,
    deadline: float,
    best: Polish,
    spent: float,
    budget: float,
) -> Polish:
    """Rounds of doubling work, each from the best plan so far (its hint), after `spent`."""
    round_work = min(spent * 2, budget - spent)
    first_round = True
    while True:
        # Measured: without presolve the soft rounds take a quarter less time (the models
        # are small and already tight; presolve would only repeat itself each round).
        found = search(model, variables, params, round_work, deadline, best.chosen, presolve=False)
        spent += round_work
        if found.cut_by_wall_clock:
            best.cut_by_wall_clock, best.stop = True, Stop.WALL_CLOCK
        if not found.solved:
            return best
        improved = best.penalty is None or found.objective < best.penalty
        bound = found.bound if best.bound is None else max(best.bound, found.bound)
        tightened = best.bound is not None and bound > best.bound
        if improved:
            best = Polish(found.chosen, best.stop, found.objective, bound, best.cut_by_wall_clock)
        best.bound = bound
        if found.status == cp_model.OPTIMAL:
            best.stop = Stop.PROVEN
            return best
        if best.cut_by_wall_clock:
            return best
        if not improved and not tightened and not first_round:
            best.stop = Stop.STALLED  # a whole round found no better plan and no better bound
            return best
        if spent >= budget:
            best.stop = Stop.WORK_BUDGET
            return best
        round_work = min(round_work * 2, budget - spent)
        first_round = False


@dataclass(frozen=True)
class HeadStart:
    """The soft pass's first plan, and for a full placement its exact reduction."""

    chosen: dict[int, int]
    pruning: Pruning | None

    @property
    def proven(self) -> bool:
        """The plan in hand meets the relaxation's bound: it is the soft optimum."""
        return self.pruning is not None and self.pruning.lower >= self.pruning.upper

    @property
    def polish(self) -> Polish:
        assert self.pruning is not None
        return Polish(self.chosen, Stop.RELAXATION, self.pruning.upper, self.pruning.upper)


def head_start(
    data: CandidateSet,
    sessions: Sequence[SessionCandidates],
    placed: dict[int, int],
    weights: SoftWeights,
    relaxation: Relaxation | None = None,
) -> HeadStart:
    """The relaxation's plan repaired (a far better start than the greedy's, from which a
    small search may not find its way) and, when every session with a candidate is placed,
    the anchors and starts no optimum uses. Needs no model: a group it proves is never
    built (`scheduler.group_solves`). Only for groups without booked sessions.
    `relaxation`, when given, is `sessions`'s."""
    start = repaired(data, sessions, placed, weights, relaxation)
    if not places_all(sessions, placed):
        return HeadStart(start, None)
    upper = weighted_penalty(goal_figures(sessions, start, weights))
    return HeadStart(start, pruned(sessions, weights, upper, relaxation))


def placement_value(sessions: Sequence[SessionCandidates], chosen: dict[int, int]) -> int:
    weights = placement_weights(sessions)
    return sum(weights[level(s)] for s in sessions if s.number in chosen)


def _solver(
    params: SolverParameters, deterministic_seconds: float, deadline: float
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = max(deterministic_seconds, 0.001)
    solver.parameters.max_time_in_seconds = max(deadline - time.monotonic(), 0.01)
    solver.parameters.num_workers = 1  # one search thread: the same seed, the same plan
    solver.parameters.random_seed = params.seed
    solver.parameters.max_memory_in_mb = max(64, params.memory_budget_mb)  # per model
    # Measured on this model: the LP-heavy linearization closes the bound that default
    # settings leave 4-5% open, and probing level 0 cuts presolve time by a third.
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 0
    # Measured on every search of the 3,000-pair bench programme (826 searches, all proven
    # either way, same objectives): with the LP's constraints all in at the start and no
    # SAT inprocessing, a fifth less deterministic work and about a tenth less time.
    solver.parameters.add_lp_constraints_lazily = False
    solver.parameters.use_sat_inprocessing = False
    if params.log_search:
        solver.parameters.log_search_progress = True
        solver.log_callback = lambda line: log.debug("cp-sat: %s", line)
    return solver


def _run(solver: cp_model.CpSolver, model: cp_model.CpModel) -> tuple[Any, bool]:
    """Solve; stop the search from outside if it overruns its wall-clock limit."""
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        solver.stop_search()

    watchdog = threading.Timer(solver.parameters.max_time_in_seconds + DEADLINE_GRACE_SECONDS, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        return solver.solve(model), fired.is_set()
    finally:
        watchdog.cancel()
