"""The one solve facade: a problem in, a plan with a status out. It never raises for an
infeasible problem; it returns the best valid plan it has and says how good it is."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from scheduler.availability import AvailabilityIndex
from scheduler.candidates import CandidateSet, build_candidates
from scheduler.domain import Plan, Problem, SolverReport
from scheduler.explain import explain_unplaced
from scheduler.greedy import greedy_choices
from scheduler.group_solves import GroupResults, solve_groups
from scheduler.grouping import independent_groups
from scheduler.move_reasons import placed_session, with_move_reasons
from scheduler.parameters import SolverParameters
from scheduler.validation import check_plan, validate_plan

log = logging.getLogger(__name__)

# Measured: explaining and validating a plan take about 0.2 ms per session on 2 cores.
FINISHING_SECONDS_PER_SESSION = 0.0003

Progress = Callable[[str], None]

OPTIMAL, FEASIBLE, INFEASIBLE, NO_SOLUTION = (
    "OPTIMAL",
    "FEASIBLE",
    "INFEASIBLE",
    "NO_SOLUTION_IN_TIME",
)


def solve(
    problem: Problem,
    params: SolverParameters | None = None,
    progress: Progress | None = None,
    availability: AvailabilityIndex | None = None,
) -> Plan:
    """`availability`, when given, is the problem's availability index, prepared already
    (an incremental re-plan reuses the cells of people whose calendars did not change)."""
    params = params or SolverParameters()
    clock = _Stopwatch()
    data = clock.time("candidates", lambda: build_candidates(problem, availability))
    greedy = clock.time("greedy", lambda: greedy_choices(data, list(data.sessions)))
    if params.solver == "greedy":
        chosen, report = greedy, SolverReport("greedy", FEASIBLE, 0.0, greedy_placed=len(greedy))
    else:
        chosen, report = clock.time(
            "optimise", lambda: _optimise(data, greedy, params, clock.started, progress or _quiet)
        )
    plan = clock.time("explain", lambda: _plan(data, chosen, report))
    plan = clock.time("validate", lambda: _checked(plan, data, greedy))
    timings = {**plan.solver.timings, **clock.laps}
    return replace(plan, solver=replace(plan.solver, seconds=clock.elapsed(), timings=timings))


T = TypeVar("T")


class _Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.laps: dict[str, float] = {}

    def time(self, lap: str, work: Callable[[], T]) -> T:
        began = time.monotonic()
        result = work()
        self.laps[lap] = round(time.monotonic() - began, 3)
        return result

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 3)


def _quiet(message: str) -> None:
    log.debug(message)


def _optimise(
    data: CandidateSet,
    greedy: dict[int, int],
    params: SolverParameters,
    started: float,
    progress: Progress,
) -> tuple[dict[int, int], SolverReport]:
    # The explanations and the validator run after the solver, inside the same limit.
    reserve = min(
        0.25 * params.time_limit_seconds, 0.5 + FINISHING_SECONDS_PER_SESSION * len(data.sessions)
    )
    deadline = started + params.time_limit_seconds - reserve
    groups = independent_groups(list(data.sessions))
    results = solve_groups(data, groups, greedy, params, deadline, progress)
    chosen = {k: v for polish in results.polishes for k, v in polish.chosen.items()}
    return chosen, _report(results, len(greedy))


def _report(results: GroupResults, greedy_placed: int) -> SolverReport:
    placements = results.placements
    # A group left as it was keeps the status of the plan it came from: not proven here.
    statuses = {p.status for p in placements}
    if not placements or statuses == {"OPTIMAL"}:
        status = OPTIMAL
    elif statuses == {"UNKNOWN"}:
        status = NO_SOLUTION
    else:
        status = FEASIBLE
    by_goal: dict[str, int] = {}
    for polish in results.polishes:
        for goal, value in polish.by_goal.items():
            by_goal[goal] = by_goal.get(goal, 0) + value
    notes = []
    kept_greedy = sum(p.used_greedy for p in placements)
    if kept_greedy:
        notes.append(
            f"{kept_greedy} of {len(placements)} placement solves kept the greedy plan "
            "(no better solution in time)"
        )
    unchanged = sum(p.status == "UNCHANGED" for p in placements)
    if unchanged:
        notes.append(
            f"{unchanged} of {results.groups} groups kept their booked sessions as they "
            "were (the change did not reach them): not solved again"
        )
    if results.polished_groups < results.groups:
        notes.append(
            f"soft goals polished for {results.polished_groups} of {results.groups} "
            "groups in the time limit"
        )
    bound = sum(p.bound for p in placements)
    return SolverReport(
        name="cpsat",
        status=status,
        seconds=0.0,
        objective=sum(p.objective for p in placements),
        bound=bound,
        placed_bound=bound if all(p.uniform_weights for p in placements) else None,
        soft_penalty=sum(p.penalty for p in results.polishes if p.penalty is not None),
        soft_penalty_by_goal=by_goal,
        greedy_placed=greedy_placed,
        groups=results.groups,
        notes=tuple(notes),
        timings={"placement": results.placement_seconds},
    )


def _plan(data: CandidateSet, chosen: dict[int, int], report: SolverReport) -> Plan:
    placed = [
        placed_session(data, s, chosen[s.number]) for s in data.sessions if s.number in chosen
    ]
    sessions = tuple(with_move_reasons(data.problem, placed))
    warnings = tuple(str(w) for w in check_plan(data.problem, sessions).warnings)
    return Plan(data.problem.name, sessions, explain_unplaced(data, chosen), report, warnings)


def _checked(plan: Plan, data: CandidateSet, greedy: dict[int, int]) -> Plan:
    """Every plan passes the independent validator before it leaves. If the optimiser's
    plan ever did not, the greedy plan (built rule by rule) takes its place, and should
    that fail too, the sessions it rejects are left unplaced: nothing invalid leaves."""
    violations = validate_plan(data.problem, plan.sessions)
    if not violations:
        return plan
    for violation in violations[:20]:
        log.error("plan rejected by the validator: %s", violation)
    note = (
        f"the validator rejected the optimised plan ({len(violations)} violations); "
        "the greedy plan is used"
    )
    report = replace(plan.solver, status=FEASIBLE, notes=(*plan.solver.notes, note))
    fallback = _plan(data, greedy, report)
    rejected = {(v.pair, v.index) for v in validate_plan(data.problem, fallback.sessions)}
    if not rejected:
        return fallback
    kept = {n: c for n, c in greedy.items() if data.sessions[n].request.key not in rejected}
    return _plan(data, kept, report)
