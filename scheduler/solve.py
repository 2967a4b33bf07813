"""The one solve facade: a problem in, a plan with a status out. It never raises for an
infeasible problem; it returns the best valid plan it has and says how good it is.

The time limit is a wall-clock cap over everything after reading: candidates, the greedy,
the models and their searches, explanations and validation. The searches themselves stop
on deterministic measures (`scheduler.stages`), so the same input, seed and parameters
give the same plan on any machine and load unless the cap cuts a search, which the plan
then says (`cut_by_wall_clock`, and a note).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from scheduler.availability import AvailabilityIndex
from scheduler.candidates import CandidateSet, build_candidates
from scheduler.domain import Plan, Problem, SolverReport, SolveStatus
from scheduler.errors import ModelDefectError
from scheduler.explain import explain_unplaced
from scheduler.goal_figures import goal_figures, weighted_bound, weighted_penalty
from scheduler.greedy import greedy_choices
from scheduler.group_solves import GroupResult, Skipped, solve_groups
from scheduler.grouping import independent_groups
from scheduler.model_size import size_causes
from scheduler.move_reasons import placed_session, with_move_reasons
from scheduler.parameters import SolverParameters
from scheduler.validation import Violation, check_plan

log = logging.getLogger(__name__)

# Measured: explaining and validating a plan take about 0.2 ms per session on 2 cores.
FINISHING_SECONDS_PER_SESSION = 0.0003

Progress = Callable[[str], None]
T = TypeVar("T")


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
        chosen = greedy
        report = _greedy_report(data, greedy, params)
    else:
        deadline = clock.started + params.time_limit_seconds - _finishing_reserve(data, params)
        results = clock.time(
            "optimise", lambda: _optimise(data, greedy, params, deadline, progress or _quiet)
        )
        chosen = {n: c for r in results for n, c in r.polish.chosen.items()}
        report = _report(data, results, chosen, len(greedy), params)
    checked = clock.time("explain_and_validate", lambda: _plan(data, chosen, report))
    plan = _checked(checked, data, greedy, params)
    timings = {**plan.solver.timings, **clock.laps}
    return replace(plan, solver=replace(plan.solver, seconds=clock.elapsed(), timings=timings))


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


def _finishing_reserve(data: CandidateSet, params: SolverParameters) -> float:
    """The explanations and the validator run after the searches, inside the same limit."""
    return min(
        0.25 * params.time_limit_seconds,
        0.5 + FINISHING_SECONDS_PER_SESSION * len(data.sessions),
    )


def _optimise(
    data: CandidateSet,
    greedy: dict[int, int],
    params: SolverParameters,
    deadline: float,
    progress: Progress,
) -> list[GroupResult]:
    groups = independent_groups(list(data.sessions))
    progress(f"{len(data.sessions)} sessions in {len(groups)} independent groups")
    return solve_groups(data, groups, greedy, params, deadline, progress)


def _status(results: list[GroupResult]) -> SolveStatus:
    statuses = {r.placement.status for r in results}
    if not results or statuses == {SolveStatus.OPTIMAL}:
        return SolveStatus.OPTIMAL
    if statuses == {SolveStatus.NO_SOLUTION_IN_TIME}:
        return SolveStatus.NO_SOLUTION_IN_TIME
    return SolveStatus.FEASIBLE


def _report(
    data: CandidateSet,
    results: list[GroupResult],
    chosen: dict[int, int],
    greedy_placed: int,
    params: SolverParameters,
) -> SolverReport:
    figures = goal_figures(data.sessions, chosen, params.weights)
    bound = sum(r.placement.bound for r in results)
    cut = any(r.placement.cut_by_wall_clock or r.polish.cut_by_wall_clock for r in results)
    return SolverReport(
        name="cpsat",
        status=_status(results),
        seconds=0.0,
        objective=sum(r.placement.objective for r in results),
        bound=bound,
        placed_bound=bound if all(r.placement.uniform_weights for r in results) else None,
        soft_penalty=weighted_penalty(figures),
        soft_bound=_soft_bound(data, results, params),
        soft_penalty_by_goal={goal: f.penalty for goal, f in figures.items()},
        goals=figures,
        greedy_placed=greedy_placed,
        groups=len(results),
        stops=dict(sorted(Counter(str(r.polish.stop) for r in results).items())),
        cut_by_wall_clock=cut,
        notes=tuple(_notes(data, results, cut)),
    )


def _soft_bound(data: CandidateSet, results: list[GroupResult], params: SolverParameters) -> int:
    """The searches' proven bounds; a group no search bounded counts its goals' own bounds."""
    total = 0
    for result in results:
        if result.polish.bound is not None:
            total += result.polish.bound
        else:
            sessions = [data.sessions[n] for n in result.numbers]
            total += weighted_bound(goal_figures(sessions, result.polish.chosen, params.weights))
    return total


def _notes(data: CandidateSet, results: list[GroupResult], cut: bool) -> list[str]:
    notes = []
    if cut:
        notes.append(
            "the wall-clock time limit cut a search: this plan may differ from another run "
            "of the same scenario and seed (a larger --time-limit gives the reproducible plan)"
        )
    kept = sum(r.placement.used_greedy and r.skipped is None for r in results)
    if kept:
        notes.append(f"{kept} of {len(results)} groups kept the greedy placement (no better found)")
    for result in results:
        if result.skipped == Skipped.OVER_BUDGET:
            sessions = [data.sessions[n] for n in result.numbers]
            notes.append(
                f"a group of {len(sessions)} sessions ({', '.join(_pairs_of(sessions))}) would "
                f"need a model of about {result.size.megabytes:,.0f} MB "
                f"({result.size.candidates:,} candidate starts): planned with the greedy; "
                f"cause: {size_causes(data.problem, sessions)}"
            )
    out_of_time = sum(r.skipped == Skipped.OUT_OF_TIME for r in results)
    if out_of_time:
        notes.append(f"{out_of_time} groups kept the greedy plan: the time limit came first")
    unchanged = sum(r.placement.status == SolveStatus.UNCHANGED for r in results)
    if unchanged:
        notes.append(
            f"{unchanged} of {len(results)} groups kept their booked sessions as they were "
            "(the change did not reach them): not solved again"
        )
    return notes


def _pairs_of(sessions: list) -> list[str]:  # type: ignore[type-arg]
    pairs = sorted({s.pair.id for s in sessions})
    return pairs[:5] + ([f"{len(pairs) - 5} more pairs"] if len(pairs) > 5 else [])


def _greedy_report(
    data: CandidateSet, greedy: dict[int, int], params: SolverParameters
) -> SolverReport:
    figures = goal_figures(data.sessions, greedy, params.weights)
    return SolverReport(
        "greedy",
        SolveStatus.FEASIBLE,
        0.0,
        greedy_placed=len(greedy),
        soft_penalty=weighted_penalty(figures),
        soft_penalty_by_goal={goal: f.penalty for goal, f in figures.items()},
        goals=figures,
    )


def _plan(data: CandidateSet, chosen: dict[int, int], report: SolverReport) -> _Checked:
    placed = [
        placed_session(data, s, chosen[s.number]) for s in data.sessions if s.number in chosen
    ]
    sessions = tuple(with_move_reasons(data.problem, placed))
    check = check_plan(data.problem, sessions)
    plan = Plan(
        data.problem.name,
        sessions,
        explain_unplaced(data, chosen),
        report,
        tuple(str(w) for w in check.warnings),
    )
    return _Checked(plan, check.violations)


@dataclass(frozen=True)
class _Checked:
    plan: Plan
    violations: list[Violation]  # the validator's verdict on the plan's sessions


def _checked(
    checked: _Checked, data: CandidateSet, greedy: dict[int, int], params: SolverParameters
) -> Plan:
    """Every plan passes the independent validator before it leaves. If the optimiser's
    plan ever did not, the greedy plan (built rule by rule) takes its place, and should
    that fail too, the sessions it rejects are left unplaced: nothing invalid leaves.
    In strict mode (the tests) such a fallback is a failure instead: it would hide a
    broken rule."""
    plan, violations = checked.plan, checked.violations
    inconsistent = [u for u in plan.unplaced if u.code == "no_candidate"]
    if params.strict and (violations or inconsistent):
        raise ModelDefectError(
            "; ".join([str(v) for v in violations[:5]] + [u.reason for u in inconsistent[:5]])
        )
    if not violations:
        return plan
    for violation in violations[:20]:
        log.error("plan rejected by the validator: %s", violation)
    note = (
        f"the validator rejected the optimised plan ({len(violations)} violations); "
        "the greedy plan is used"
    )
    report = replace(plan.solver, status=SolveStatus.FEASIBLE, notes=(*plan.solver.notes, note))
    fallback = _plan(data, greedy, report)
    rejected = {(v.pair, v.index) for v in fallback.violations}
    if not rejected:
        return fallback.plan
    kept = {n: c for n, c in greedy.items() if data.sessions[n].request.key not in rejected}
    return _plan(data, kept, report).plan
