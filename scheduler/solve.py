"""The one solve facade: a problem in, a plan with a status out. It never raises for an
infeasible problem; it returns the best valid plan it has and says how good it is. It
refuses (ScenarioError, naming the cause) only a group of sessions whose candidate starts
alone would pass the memory budget.

The problem splits into groups of sessions that share nobody; each group is planned whole
on its own (`scheduler.group_plans`: candidates, greedy, searches, explanations, validator)
and the plans are put together in the problem's order.

The time limit is a wall-clock cap over everything after reading. The searches stop on
deterministic measures (`scheduler.stages`), so the same input, seed and parameters give
the same plan on any machine and load unless the cap cuts a search, which the plan then
says (`cut_by_wall_clock`, and a note).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from scheduler.availability import AvailabilityIndex
from scheduler.domain import (
    GoalFigures,
    Plan,
    PlannedSession,
    Problem,
    SolverReport,
    SolveStatus,
    Unplaced,
)
from scheduler.group_plans import GroupPlan, plan_groups
from scheduler.group_solves import GroupResult, Skipped
from scheduler.grouping import independent_groups
from scheduler.heap import collector_paused
from scheduler.parameters import SolverParameters
from scheduler.suggestions import people_looked_at, with_suggestions

log = logging.getLogger(__name__)

# Measured: explaining and validating a plan take about 0.2 ms per session on 2 cores.
FINISHING_SECONDS_PER_SESSION = 0.0003
# The suggestions' deterministic budget (`scheduler.suggestions.MOST_CELLS`), measured.
SUGGESTIONS_SECONDS = 2.5

Progress = Callable[[str], None]


def solve(
    problem: Problem,
    params: SolverParameters | None = None,
    progress: Progress | None = None,
    availability: AvailabilityIndex | None = None,
    suggest: bool = True,
) -> Plan:
    """`availability`, when given, is the problem's availability index, prepared already
    (an incremental re-plan reuses the cells of people whose calendars did not change).
    `suggest=False` leaves the suggestions to the caller: a re-plan of part of a
    programme checks them against the whole plan, once it is put together."""
    params = params or SolverParameters()
    started = time.monotonic()
    plans = plan_all_groups(problem, params, progress, availability, started)
    if suggest:
        plans = with_suggested_changes(problem, plans)
    return assembled(problem, plans, params, round(time.monotonic() - started, 3))


def plan_all_groups(
    problem: Problem,
    params: SolverParameters,
    progress: Progress | None = None,
    availability: AvailabilityIndex | None = None,
    started: float | None = None,
) -> list[GroupPlan]:
    """Every group's plan, in the order of the groups' first sessions. A programme's
    groups may be planned in parts, on several machines (`problem` being the problem of a
    part's pairs) and the plans of every part assembled as one."""
    progress = progress or _quiet
    started = time.monotonic() if started is None else started
    with collector_paused():  # bulk data, no garbage (`scheduler.heap`)
        index = availability or AvailabilityIndex(problem)
        groups = independent_groups(problem.sessions)
    progress(f"{len(problem.sessions)} sessions in {len(groups)} independent groups")
    deadline = started + params.time_limit_seconds - _finishing_reserve(problem, params)
    return plan_groups(problem, index, groups, params, deadline, progress)


def with_suggested_changes(problem: Problem, plans: list[GroupPlan]) -> list[GroupPlan]:
    """The groups' plans, their unplaced sessions carrying the smallest change that would
    place them, checked against every group's placed sessions (`problem` holds them all,
    with their calendars)."""
    found = with_suggestions(problem, *_placed_and_unplaced(problem, plans))
    suggested = {u.key: u for u in found.unplaced}
    plans = [
        replace(plan, unplaced=tuple(suggested[u.key] for u in plan.unplaced)) for plan in plans
    ]
    if found.note and plans:  # the plan's notes are its groups' notes, in order
        plans[0] = replace(plans[0], notes=(*plans[0].notes, found.note))
    return plans


def people_suggestions_read(problem: Problem, plans: list[GroupPlan]) -> set[str]:
    """Whose calendars `with_suggested_changes` reads: all it needs of `problem`'s."""
    return people_looked_at(problem, *_placed_and_unplaced(problem, plans))


def _placed_and_unplaced(
    problem: Problem, plans: list[GroupPlan]
) -> tuple[tuple[PlannedSession, ...], tuple[Unplaced, ...]]:
    """Every group's placed and unplaced sessions, in the problem's order (the first few
    unplaced get suggestions)."""
    order = {request.key: position for position, request in enumerate(problem.sessions)}
    sessions = tuple(sorted((s for p in plans for s in p.sessions), key=lambda s: order[s.key]))
    unplaced = tuple(sorted((u for p in plans for u in p.unplaced), key=lambda u: order[u.key]))
    return sessions, unplaced


def assembled(
    problem: Problem, plans: list[GroupPlan], params: SolverParameters, wall: float
) -> Plan:
    """The plan of `problem` from its groups' plans (in any order), with its report."""
    sessions, unplaced = _placed_and_unplaced(problem, plans)
    return Plan(
        problem.name,
        sessions,
        unplaced,
        _report(plans, params, wall),
        tuple(w for p in plans for w in p.warnings),
    )


def _quiet(message: str) -> None:
    log.debug(message)


def _finishing_reserve(problem: Problem, params: SolverParameters) -> float:
    """The explanations, the validator and the suggestions run after the searches, inside
    the same limit."""
    return min(
        0.25 * params.time_limit_seconds,
        0.5 + SUGGESTIONS_SECONDS + FINISHING_SECONDS_PER_SESSION * len(problem.sessions),
    )


def _report(plans: list[GroupPlan], params: SolverParameters, wall: float) -> SolverReport:
    figures = _summed_figures(plans)
    seconds: Counter[str] = Counter()
    for plan in plans:
        seconds.update(plan.seconds)
    timings = {f"{phase}_cpu": round(value, 3) for phase, value in sorted(seconds.items())}
    greedy_placed = sum(p.greedy_placed for p in plans)
    penalty = sum(f.penalty for f in figures.values())
    notes = [note for plan in plans for note in plan.notes]
    if params.solver == "greedy":
        return SolverReport(
            "greedy",
            SolveStatus.FEASIBLE,
            wall,
            greedy_placed=greedy_placed,
            soft_penalty=penalty,
            soft_penalty_by_goal={goal: f.penalty for goal, f in figures.items()},
            goals=figures,
            groups=len(plans),
            notes=tuple(notes),
            timings={"plan": wall, **timings},
        )
    results = [p.result for p in plans if p.result is not None]
    bound = sum(r.placement.bound for r in results)
    cut = any(r.placement.cut_by_wall_clock or r.polish.cut_by_wall_clock for r in results)
    return SolverReport(
        name="cpsat",
        status=_status(results),
        seconds=wall,
        objective=sum(r.placement.objective for r in results),
        bound=bound,
        placed_bound=bound if all(r.placement.uniform_weights for r in results) else None,
        soft_penalty=penalty,
        soft_bound=sum(p.soft_bound for p in plans),
        soft_penalty_by_goal={goal: f.penalty for goal, f in figures.items()},
        goals=figures,
        greedy_placed=greedy_placed,
        groups=len(results),
        unchanged_groups=sum(r.placement.status == SolveStatus.UNCHANGED for r in results),
        stops=dict(sorted(Counter(str(r.polish.stop) for r in results).items())),
        cut_by_wall_clock=cut,
        notes=tuple(_notes(results, cut) + notes),
        timings={"plan": wall, **timings},
    )


def _summed_figures(plans: list[GroupPlan]) -> dict[str, GoalFigures]:
    totals: dict[str, GoalFigures] = {}
    for plan in plans:
        for goal, figures in plan.figures.items():
            before = totals.get(goal, GoalFigures(0, 0))
            totals[goal] = GoalFigures(
                before.penalty + figures.penalty, before.bound + figures.bound
            )
    return totals


def _status(results: list[GroupResult]) -> SolveStatus:
    statuses = {r.placement.status for r in results}
    if not results or statuses == {SolveStatus.OPTIMAL}:
        return SolveStatus.OPTIMAL
    if statuses == {SolveStatus.NO_SOLUTION_IN_TIME}:
        return SolveStatus.NO_SOLUTION_IN_TIME
    return SolveStatus.FEASIBLE


def _notes(results: list[GroupResult], cut: bool) -> list[str]:
    notes = []
    if cut:
        notes.append(
            "the wall-clock time limit cut a search: this plan may differ from another run "
            "of the same scenario and seed (a larger --time-limit gives the reproducible plan)"
        )
    kept = sum(r.placement.used_greedy and r.skipped is None for r in results)
    if kept:
        notes.append(
            f"{kept} of {len(results)} groups of people keep the earliest-slot plan: the "
            "optimiser found none that places more"
        )
    out_of_time = sum(r.skipped == Skipped.OUT_OF_TIME for r in results)
    if out_of_time:
        notes.append(
            f"{out_of_time} groups of people keep the earliest-slot plan: the time limit came "
            "first (--time-limit)"
        )
    unchanged = sum(r.placement.status == SolveStatus.UNCHANGED for r in results)
    if unchanged:
        notes.append(
            f"{unchanged} of {len(results)} groups of people keep their booked sessions as "
            "they were: the change did not reach them"
        )
    return notes
