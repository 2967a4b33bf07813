"""The plan of each group of sessions that share nobody, whole and on its own: candidates,
the greedy, the searches, explanations, the validator.

A group's plan depends on the group alone (its people's calendars, the seed and the
deterministic budgets), never on which process made it or when, so any number of
processes gives the same plan. Groups run in `processes` forked processes, the largest
first so that the long ones do not finish last; a process releases a group's grid cells
once its plan is made, so memory follows the largest group, not the programme. Should a
process die (killed for its memory, say), the groups it had not returned are planned
again in the parent (`scheduler.forked_pool`): nothing hangs, and the plan is the same
unless the time limit runs out meanwhile, which the plan then says.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TypeVar

from scheduler.availability import AvailabilityIndex
from scheduler.candidates import CandidateSet, build_candidates
from scheduler.domain import GoalFigures, PlannedSession, Problem, SessionRequest, Unplaced
from scheduler.errors import FieldError, ModelDefectError, ScenarioError
from scheduler.explain import explain_unplaced
from scheduler.forked_pool import forked_pool, usable_processes
from scheduler.goal_figures import goal_figures, weighted_bound
from scheduler.greedy import greedy_choices
from scheduler.group_solves import GroupResult, Skipped, searched_group
from scheduler.grouping import problem_part
from scheduler.heap import collect_own_objects, collector_paused, heap_frozen
from scheduler.model_size import candidate_megabytes, size_causes
from scheduler.move_reasons import placed_session, with_move_reasons
from scheduler.parameters import SolverParameters
from scheduler.validation import Violation, check_plan

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
T = TypeVar("T")


@dataclass(frozen=True)
class GroupPlan:
    """One group's sessions and reasons, and what the report needs of its searches."""

    sessions: tuple[PlannedSession, ...]
    unplaced: tuple[Unplaced, ...]
    warnings: tuple[str, ...]
    greedy_placed: int
    result: GroupResult | None  # None: planned with the greedy only (--solver greedy)
    figures: dict[str, GoalFigures]
    soft_bound: int
    notes: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)  # per phase, this group's


# Set in the parent before the processes fork: they inherit the problem instead of
# receiving it through a pipe.
_SHARED: tuple[list[Problem], AvailabilityIndex, SolverParameters, float, bool] | None = None


def plan_groups(
    problem: Problem,
    index: AvailabilityIndex,
    groups: list[list[SessionRequest]],
    params: SolverParameters,
    deadline: float,
    progress: Progress,
) -> list[GroupPlan]:
    """One plan per group, in the order of `groups`; ScenarioError, naming the cause, for
    a group whose candidate starts alone would pass the memory budget."""
    with collector_paused():  # bulk data, no garbage (`scheduler.heap`)
        parts = [problem_part(problem, group) for group in groups]
    _refuse_oversized(parts, params)
    largest_first = sorted(range(len(parts)), key=lambda g: -len(parts[g].sessions))
    forked = params.processes > 1 and len(parts) > 1
    global _SHARED
    _SHARED = (parts, index, params, deadline, forked)
    try:
        with heap_frozen():  # the problem is no garbage; the processes inherit it frozen
            results = _results(largest_first, params.processes if forked else 1)
            plans = dict(_reported(results, len(parts), progress))
    finally:
        _SHARED = None
    return [plans[g] for g in range(len(parts))]


def _refuse_oversized(parts: list[Problem], params: SolverParameters) -> None:
    """Candidates are computed for every group, with a model or without (the greedy needs
    them too): a group whose candidates alone would pass the budget cannot be planned."""
    errors = []
    for part in parts:
        needed = candidate_megabytes(part.sessions, part.grid_minutes)
        if needed > params.memory_budget_mb:
            pairs = sorted(part.pairs)
            named = ", ".join(pairs[:5]) + (f" and {len(pairs) - 5} more" if len(pairs) > 5 else "")
            errors.append(
                FieldError(
                    f"pairs ({named})",
                    f"these {len(part.sessions):,} sessions share people: their candidate "
                    f"starts alone could take {needed:,.0f} MB, past the memory budget of "
                    f"{params.memory_budget_mb:,} MB (--memory-budget); cause: "
                    f"{size_causes(part, part.sessions)}",
                )
            )
    if errors:
        raise ScenarioError(errors)


def _results(tasks: list[int], processes: int) -> Iterator[Keyed]:
    processes = usable_processes(processes, len(tasks))
    if processes <= 1:
        yield from map(_plan_task, tasks)
        return
    size = max(1, min(16, len(tasks) // (processes * 8)))
    chunks = [tasks[first : first + size] for first in range(0, len(tasks), size)]
    planned: set[int] = set()
    with forked_pool(processes, initializer=collect_own_objects) as pool:
        for done in as_completed([pool.submit(_plan_chunk, chunk) for chunk in chunks]):
            try:
                plans = done.result()
            except BrokenProcessPool:
                continue  # a process died (killed for its memory, say): see below
            planned.update(group for group, _ in plans)
            yield from plans
    lost = [group for group in tasks if group not in planned]
    if lost:
        # A group's plan depends on the group alone, so the plan is the same, unless the
        # time limit runs out meanwhile (the plan then says so). Should the group that
        # took the process's memory take this one's too, the command ends: it never hangs.
        log.warning("a planning process ended early: %d groups are planned again here", len(lost))
        yield from map(_plan_here, lost)


def _plan_chunk(groups: list[int]) -> list[Keyed]:
    return [_plan_task(group) for group in groups]


Keyed = tuple[int, GroupPlan]  # a group's plan by the group's position


def _reported(results: Iterator[Keyed], total: int, progress: Progress) -> Iterator[Keyed]:
    step = max(1, total // 5)
    for done, result in enumerate(results, 1):
        if done == total or done % step == 0:
            progress(f"groups planned: {done}/{total}")
        yield result


def _plan_here(group: int) -> Keyed:
    """A group planned in this process, which may see its people again."""
    assert _SHARED is not None
    parts, index, params, deadline, _ = _SHARED
    return group, plan_group(parts[group], index, params, deadline)


def _plan_task(group: int) -> Keyed:
    """A group planned as a task of the pool (or of the one process)."""
    assert _SHARED is not None
    parts, index, _, _, forked = _SHARED
    try:
        return _plan_here(group)
    finally:
        if forked:  # this process will not see these people again
            index.release(parts[group].people)


def plan_group(
    part: Problem, index: AvailabilityIndex, params: SolverParameters, deadline: float
) -> GroupPlan:
    """The plan of one group, `part` being the problem of its pairs alone."""
    clock = _Laps()
    data = clock.time("candidates", lambda: build_candidates(part, index))
    greedy = clock.time("greedy", lambda: greedy_choices(data, list(data.sessions)))
    result = None
    chosen = greedy
    if params.solver != "greedy":
        result = clock.time("optimise", lambda: searched_group(data, greedy, params, deadline))
        chosen = result.polish.chosen
    plan, used, fallback_notes = clock.time(
        "explain_and_validate", lambda: _checked(data, chosen, greedy, params)
    )
    figures = goal_figures(data.sessions, used, params.weights)
    return GroupPlan(
        sessions=plan.sessions,
        unplaced=plan.unplaced,
        warnings=plan.warnings,
        greedy_placed=len(greedy),
        result=result,
        figures=figures,
        soft_bound=_soft_bound(result, figures),
        notes=fallback_notes + _budget_notes(data, result),
        seconds=clock.laps,
    )


def _soft_bound(result: GroupResult | None, figures: dict[str, GoalFigures]) -> int:
    """The search's proven bound; where no search bounded the group, its goals' own."""
    if result is not None and result.polish.bound is not None:
        return result.polish.bound
    return weighted_bound(figures)


def _budget_notes(data: CandidateSet, result: GroupResult | None) -> tuple[str, ...]:
    if result is None or result.skipped != Skipped.OVER_BUDGET:
        return ()
    sessions = list(data.sessions)
    pairs = sorted({s.pair.id for s in sessions})
    named = pairs[:5] + ([f"{len(pairs) - 5} more pairs"] if len(pairs) > 5 else [])
    return (
        f"a group of {len(sessions)} sessions ({', '.join(named)}) would need a model of "
        f"about {result.size.megabytes:,.0f} MB ({result.size.candidates:,} candidate "
        f"starts): planned with the greedy; cause: {size_causes(data.problem, sessions)}",
    )


class _Laps:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}

    def time(self, lap: str, work: Callable[[], T]) -> T:
        began = time.process_time()
        found = work()
        self.laps[lap] = self.laps.get(lap, 0.0) + time.process_time() - began
        return found


@dataclass(frozen=True)
class _Assembled:
    sessions: tuple[PlannedSession, ...]
    unplaced: tuple[Unplaced, ...]
    warnings: tuple[str, ...]
    violations: list[Violation]  # the validator's verdict on the sessions


def _assembled(data: CandidateSet, chosen: dict[int, int]) -> _Assembled:
    placed = [
        placed_session(data, s, chosen[s.number]) for s in data.sessions if s.number in chosen
    ]
    sessions = tuple(with_move_reasons(data.problem, placed))
    check = check_plan(data.problem, sessions)
    warnings = tuple(str(w) for w in check.warnings)
    return _Assembled(sessions, explain_unplaced(data, chosen), warnings, check.violations)


def _checked(
    data: CandidateSet, chosen: dict[int, int], greedy: dict[int, int], params: SolverParameters
) -> tuple[_Assembled, dict[int, int], tuple[str, ...]]:
    """Every plan passes the independent validator before it leaves. If the optimiser's
    plan ever did not, the greedy plan (built rule by rule) takes its place, and should
    that fail too, the sessions it rejects are left unplaced: nothing invalid leaves.
    In strict mode (the tests) such a fallback is a failure instead: it would hide a
    broken rule."""
    plan = _assembled(data, chosen)
    inconsistent = [u for u in plan.unplaced if u.code == "no_candidate"]
    if params.strict and (plan.violations or inconsistent):
        raise ModelDefectError(
            "; ".join([str(v) for v in plan.violations[:5]] + [u.reason for u in inconsistent[:5]])
        )
    if not plan.violations:
        return plan, chosen, ()
    pairs = ", ".join(sorted(data.problem.pairs))
    note = (
        f"the validator rejected the optimised plan of pairs {pairs[:200]} "
        f"({len(plan.violations)} violations, first: {plan.violations[0]}); "
        "the greedy plan is used there"
    )
    used, fallback = greedy, _assembled(data, greedy)
    rejected = {(v.pair, v.index) for v in fallback.violations}
    if rejected:
        used = {n: c for n, c in greedy.items() if data.sessions[n].request.key not in rejected}
        fallback = _assembled(data, used)
    return fallback, used, (note,)
