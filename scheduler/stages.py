"""The two CP-SAT stages, each under an outer deadline.

`place_most` places the most sessions (weighted by priority) and proves it where it can;
the greedy plan is its hint and its floor, so it never returns less than the greedy.
`polish` keeps a group's placement value and minimises the soft goals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.model.builder import build_model
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
from scheduler.parameters import SolverParameters

log = logging.getLogger(__name__)

# OR-Tools has open reports of time limits not respected; this much later we stop it.
DEADLINE_GRACE_SECONDS = 2.0
SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


@dataclass
class Placement:
    chosen: dict[int, int]
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN (no solution in time)
    objective: int
    bound: int
    uniform_weights: bool
    used_greedy: bool = False


@dataclass
class Polish:
    chosen: dict[int, int]
    penalty: int | None = None
    by_goal: dict[str, int] = field(default_factory=dict)
    status: str = "UNKNOWN"


def place_most(
    data: CandidateSet,
    sessions: Sequence[SessionCandidates],
    greedy: dict[int, int],
    params: SolverParameters,
    seconds: float,
) -> Placement:
    model, variables = build_model(data, sessions)
    model.maximize(placement(variables))
    variables.hint(greedy)
    floor = placement_value(sessions, greedy)
    solver = _solver(params, seconds)
    status = _run(solver, model)
    uniform = len({level(s) for s in sessions if len(s)}) <= 1
    if status not in SOLVED or solver.objective_value < floor:
        return _greedy_floor(greedy, floor, status, solver, uniform, sessions)
    return Placement(
        chosen=variables.chosen(solver),
        status=status.name,
        objective=round(solver.objective_value),
        bound=round(solver.best_objective_bound),
        uniform_weights=uniform,
    )


def polish(
    data: CandidateSet,
    sessions: Sequence[SessionCandidates],
    placed: dict[int, int],
    params: SolverParameters,
    seconds: float,
) -> Polish:
    """The same placement value as `placed`; when re-planning, the fewest moves; then the
    least soft penalty."""
    model, variables = build_model(data, sessions)
    penalties = soft_penalties(variables, params.weights)
    model.add(placement(variables) >= placement_value(sessions, placed))
    if has_bookings(variables):
        began = time.monotonic()
        placed = _fewest_moves(model, variables, placed, params, seconds / 2)
        seconds -= time.monotonic() - began
    model.minimize(total_penalty(penalties))
    variables.hint(placed)
    solver = _solver(params, seconds)
    status = _run(solver, model, stall=StallStop(solver))
    if status not in SOLVED:
        log.info("soft pass found no solution in %.1f s; keeping the placement", seconds)
        return Polish(dict(placed))
    return Polish(
        chosen=variables.chosen(solver),
        penalty=round(solver.objective_value),
        by_goal={p.name: p.weight * round(solver.value(p.terms)) for p in penalties},
        status=status.name,
    )


def _fewest_moves(
    model: cp_model.CpModel,
    variables: Variables,
    placed: dict[int, int],
    params: SolverParameters,
    seconds: float,
) -> dict[int, int]:
    """Minimise the moves and fix that minimum for the soft pass that follows."""
    cost = moves(variables)
    model.minimize(cost)
    variables.hint(placed)
    solver = _solver(params, seconds)
    status = _run(solver, model)
    if status not in SOLVED:
        return placed  # keep the placement's moves; it is a valid bound for the next pass
    model.add(cost <= round(solver.objective_value))
    return variables.chosen(solver)


def placement_value(sessions: Sequence[SessionCandidates], chosen: dict[int, int]) -> int:
    weights = placement_weights(sessions)
    return sum(weights[level(s)] for s in sessions if s.number in chosen)


def _greedy_floor(
    greedy: dict[int, int],
    floor: int,
    status: Any,
    solver: cp_model.CpSolver,
    uniform: bool,
    sessions: Sequence[SessionCandidates],
) -> Placement:
    """No better solution in time: keep the greedy plan and say so."""
    upper = placement_value(sessions, {s.number: 0 for s in sessions if len(s)})
    bound = upper if status == cp_model.UNKNOWN else min(upper, round(solver.best_objective_bound))
    return Placement(
        chosen=dict(greedy),
        status="INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN",
        objective=floor,
        bound=bound,
        uniform_weights=uniform,
        used_greedy=True,
    )


def _solver(params: SolverParameters, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.num_workers = 1  # one search thread: the same seed, the same plan
    solver.parameters.random_seed = params.seed
    # Measured on this model: the LP-heavy linearization closes the bound that default
    # settings leave 4-5% open, and probing level 0 cuts presolve time by a third.
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 0
    if params.log_search:
        solver.parameters.log_search_progress = True
        solver.log_callback = lambda line: log.debug("cp-sat: %s", line)
    return solver


def _run(solver: cp_model.CpSolver, model: cp_model.CpModel, stall: StallStop | None = None) -> Any:
    """Solve, stopping the search from outside if the solver overruns its own limit."""
    limit = solver.parameters.max_time_in_seconds
    watchdog = threading.Timer(limit + DEADLINE_GRACE_SECONDS, solver.stop_search)
    watchdog.daemon = True
    watchdog.start()
    try:
        if stall is None:
            return solver.solve(model)
        stall.start()
        return solver.solve(model, stall)
    finally:
        watchdog.cancel()
        if stall is not None:
            stall.finish()


class StallStop(cp_model.CpSolverSolutionCallback):
    """Ends a search that has found nothing better for a while.

    The soft goals' bound stays loose (a stable slot is hard to bound by linear
    relaxation), so a search that cannot prove its optimum would otherwise spend its whole
    time limit on a solution it found early. Quiet for 1 s plus a quarter of the time
    spent so far: done.
    """

    POLL_SECONDS = 0.1

    def __init__(self, solver: cp_model.CpSolver) -> None:
        super().__init__()
        self._solver = solver
        self._began = self._last = time.monotonic()
        self._done = threading.Event()

    def on_solution_callback(self) -> None:
        self._last = time.monotonic()

    def start(self) -> None:
        self._began = self._last = time.monotonic()
        threading.Thread(target=self._watch, daemon=True).start()

    def finish(self) -> None:
        self._done.set()

    def _watch(self) -> None:
        while not self._done.wait(self.POLL_SECONDS):
            now = time.monotonic()
            if now - self._last > 1.0 + 0.25 * (self._last - self._began):
                self._solver.stop_search()
                return
