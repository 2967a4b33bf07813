"""The one solve facade: a problem in, a plan with a status out. It never raises for an
infeasible problem; it returns the best valid plan it has and says how good it is."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from scheduler.bookings import greedy_choices
from scheduler.candidates import CandidateSet, build_candidates
from scheduler.components import independent_groups, pack
from scheduler.cpsat import BatchResult, solve_batch
from scheduler.domain import Plan, PlannedSession, Problem, SolverReport
from scheduler.explain import explain_unplaced
from scheduler.parameters import SolverParameters
from scheduler.validation import validate_plan

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

OPTIMAL, FEASIBLE, INFEASIBLE, NO_SOLUTION = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "NO_SOLUTION_IN_TIME"


def solve(
    problem: Problem,
    params: SolverParameters | None = None,
    progress: Progress | None = None,
) -> Plan:
    params = params or SolverParameters()
    started = time.monotonic()
    data = build_candidates(problem)
    greedy = greedy_choices(data, list(data.sessions))
    if params.solver == "greedy":
        report = SolverReport("greedy", FEASIBLE, 0.0, greedy_placed=len(greedy))
        return _plan(data, greedy, report, started)
    chosen, report = _optimise(data, greedy, params, started, progress or _quiet)
    plan = _plan(data, chosen, report, started)
    return _checked(plan, data, greedy, report, started)


def _quiet(message: str) -> None:
    log.debug(message)


def _optimise(
    data: CandidateSet,
    greedy: dict[int, int],
    params: SolverParameters,
    started: float,
    progress: Progress,
) -> tuple[dict[int, int], SolverReport]:
    deadline = started + params.time_limit_seconds
    batches = pack(independent_groups(list(data.sessions)), params.candidates_per_solve)
    results: list[BatchResult] = []
    left = sum(len(batch) for batch in batches)
    for number, batch in enumerate(batches, start=1):
        share = max(0.5, (deadline - time.monotonic()) * len(batch) / max(left, 1))
        result = solve_batch(data, batch, _restricted(greedy, batch), params, share)
        results.append(result)
        left -= len(batch)
        progress(
            f"solve {number}/{len(batches)}: {len(batch)} sessions, "
            f"{len(result.chosen)} placed ({result.status.lower()}), "
            f"{time.monotonic() - started:.1f} s"
        )
    chosen = {k: v for result in results for k, v in result.chosen.items()}
    return chosen, _report(results, len(greedy), len(batches))


def _restricted(greedy: dict[int, int], batch: list) -> dict[int, int]:  # type: ignore[type-arg]
    numbers = {session.number for session in batch}
    return {number: choice for number, choice in greedy.items() if number in numbers}


def _report(results: list[BatchResult], greedy_placed: int, batches: int) -> SolverReport:
    statuses = {result.status for result in results}
    if not results or statuses == {"OPTIMAL"}:
        status = OPTIMAL
    elif statuses == {"UNKNOWN"}:
        status = NO_SOLUTION
    else:
        status = FEASIBLE
    soft = [r.soft_penalty for r in results if r.soft_penalty is not None]
    by_goal: dict[str, int] = {}
    for result in results:
        for goal, value in result.soft_by_goal.items():
            by_goal[goal] = by_goal.get(goal, 0) + value
    notes = tuple(
        f"{sum(r.used_greedy for r in results)} of {batches} solves kept the greedy plan "
        "(no better solution in time)"
        for _ in [0]
        if any(r.used_greedy for r in results)
    )
    return SolverReport(
        name="cpsat",
        status=status,
        seconds=0.0,
        objective=sum(r.objective for r in results),
        bound=sum(r.bound for r in results),
        placed_bound=sum(r.bound for r in results) if all(r.uniform_weights for r in results) else None,
        soft_penalty=sum(soft) if soft else None,
        soft_penalty_by_goal=by_goal,
        greedy_placed=greedy_placed,
        groups=batches,
        notes=notes,
    )


def _plan(data: CandidateSet, chosen: dict[int, int], report: SolverReport, started: float) -> Plan:
    sessions = tuple(
        PlannedSession(
            pair=s.pair.id,
            index=s.index,
            mentor=s.pair.mentor,
            mentee=s.pair.mentee,
            start=data.start(s, chosen[s.number]),
            end=data.end(s, chosen[s.number]),
        )
        for s in data.sessions
        if s.number in chosen
    )
    unplaced = explain_unplaced(data, chosen)
    from dataclasses import replace

    timed = replace(report, seconds=round(time.monotonic() - started, 3))
    return Plan(data.problem.name, sessions, unplaced, timed)


def _checked(
    plan: Plan, data: CandidateSet, greedy: dict[int, int], report: SolverReport, started: float
) -> Plan:
    """Every plan passes the independent validator before it leaves; if the optimiser's
    plan ever did not, the greedy plan (built rule by rule) takes its place."""
    violations = validate_plan(data.problem, plan.sessions)
    if not violations:
        return plan
    for violation in violations[:20]:
        log.error("optimised plan rejected by the validator: %s", violation)
    from dataclasses import replace

    fallback = replace(report, status=FEASIBLE, notes=(*report.notes, "validator fallback to greedy"))
    return _plan(data, greedy, fallback, started)
