"""Solving groups of sessions that share nobody, in two phases, side by side.

Phase A places the most sessions. Groups are packed into solves of about
`CANDIDATES_PER_PLACEMENT` candidate starts: the placement model proves its optimum fast
at that size, and one solve per tiny group would cost more in overhead than in search.

Phase B polishes the soft goals of each group on its own, while time remains: the
solver cannot split an objective into independent parts by itself, so one model of many
groups never proves its soft optimum, while each group alone does in milliseconds.

Solves run in `processes` processes with one solver thread each, so a fixed seed gives
the same plan whenever the solves finish inside their time.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.model.objectives import level
from scheduler.parameters import SolverParameters
from scheduler.stages import Placement, Polish, place_most, placement_value, polish

Progress = Callable[[str], None]
CANDIDATES_PER_PLACEMENT = 40_000


@dataclass(frozen=True)
class Task:
    numbers: tuple[int, ...]  # session numbers
    start: dict[int, int]  # greedy plan (phase A) or placement (phase B)
    seconds: float


@dataclass(frozen=True)
class GroupResults:
    placements: list[Placement]
    polishes: list[Polish]
    polished_groups: int
    groups: int
    placement_seconds: float  # from the start of the placement to its proof (or time-out)


# Set in the parent before the worker processes fork: they inherit the data instead of
# receiving it through a pipe.
_SHARED: tuple[CandidateSet, SolverParameters, float, str] | None = None


def solve_groups(
    data: CandidateSet,
    groups: list[list[SessionCandidates]],
    greedy: dict[int, int],
    params: SolverParameters,
    deadline: float,
    progress: Progress,
) -> GroupResults:
    began = time.monotonic()
    unchanged = [g for g in groups if _unchanged(g, greedy)]
    groups = [g for g in groups if not _unchanged(g, greedy)]
    batches = pack(groups, CANDIDATES_PER_PLACEMENT)
    placement_deadline = time.monotonic() + params.placement_share * max(
        0.0, deadline - time.monotonic()
    )
    tasks = _tasks(batches, greedy, params, placement_deadline - time.monotonic())
    placements = list(_run(data, tasks, params, placement_deadline, "place", params.processes))
    placed = {k: v for p in placements for k, v in p.chosen.items()}
    placement_seconds = round(time.monotonic() - began, 3)
    progress(f"placed {len(placed)} sessions in {len(batches)} solve(s)")
    tasks = _tasks(groups, placed, params, deadline - time.monotonic())
    polishes = []
    for done, result in enumerate(
        _run(data, tasks, params, deadline, "polish", params.processes), 1
    ):
        polishes.append(result)
        if done == len(tasks) or done % max(1, len(tasks) // 5) == 0:
            progress(f"soft goals: {done}/{len(tasks)} groups polished")
    polished = sum(1 for p in polishes if p.penalty is not None)
    kept = [_as_booked(group) for group in unchanged]
    return GroupResults(
        placements + [k[0] for k in kept],
        polishes + [k[1] for k in kept],
        polished + len(kept),
        len(groups) + len(kept),
        placement_seconds,
    )


def _unchanged(group: list[SessionCandidates], greedy: dict[int, int]) -> bool:
    """Re-planning leaves a group alone when every booked session keeps its start and no
    other session finds a free start beside them (the greedy, which keeps booked starts
    first, placed nothing new): the change did not reach this group."""
    booked = [s for s in group if s.request.booking is not None]
    if not booked:
        return False
    return all(
        greedy.get(s.number) == s.keep if s.request.booking else s.number not in greedy
        for s in group
    )


def _as_booked(group: list[SessionCandidates]) -> tuple[Placement, Polish]:
    chosen = {s.number: s.keep for s in group if s.keep is not None}
    value = placement_value(group, chosen)
    placeable = placement_value(group, {s.number: 0 for s in group if len(s)})
    return (
        Placement(chosen, "UNCHANGED", value, placeable, len({level(s) for s in group}) <= 1),
        Polish(dict(chosen), status="UNCHANGED"),
    )


def pack(groups: list[list[SessionCandidates]], capacity: int) -> list[list[SessionCandidates]]:
    """Whole groups, largest first, into batches of about `capacity` candidate starts."""
    batches: list[list[SessionCandidates]] = []
    load = capacity
    for group in sorted(groups, key=lambda g: -_size(g)):
        if load + _size(group) > capacity:
            batches.append([])
            load = 0
        batches[-1].extend(group)
        load += _size(group)
    return batches


def _size(group: Sequence[SessionCandidates]) -> int:
    return sum(max(1, len(session)) for session in group)


def _tasks(
    groups: list[list[SessionCandidates]],
    start: dict[int, int],
    params: SolverParameters,
    seconds: float,
) -> list[Task]:
    """Largest first; each group's time is its share of the candidates, over all processes."""
    ordered = sorted(groups, key=lambda g: -_size(g))
    total = max(1, sum(_size(g) for g in groups))
    capacity = max(0.0, seconds) * max(1, params.processes)
    tasks = []
    for group in ordered:
        numbers = tuple(s.number for s in group)
        share = capacity * _size(group) / total
        tasks.append(
            Task(
                numbers,
                {n: start[n] for n in numbers if n in start},
                min(max(0.0, seconds), max(0.5, share)),
            )
        )
    return tasks


def _run(
    data: CandidateSet,
    tasks: list[Task],
    params: SolverParameters,
    deadline: float,
    stage: str,
    processes: int,
) -> Iterator[Any]:
    global _SHARED
    _SHARED = (data, params, deadline, stage)
    try:
        if processes <= 1 or len(tasks) <= 1:
            yield from map(_solve_task, tasks)
            return
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=processes) as pool:
            chunk = max(1, min(32, len(tasks) // (processes * 16)))
            yield from pool.imap(_solve_task, tasks, chunksize=chunk)
    finally:
        _SHARED = None


def _solve_task(task: Task) -> Placement | Polish:
    assert _SHARED is not None
    data, params, deadline, stage = _SHARED
    sessions = [data.sessions[n] for n in task.numbers]
    seconds = min(task.seconds, deadline - time.monotonic())
    if stage == "place":
        return place_most(data, sessions, task.start, params, seconds)
    if seconds <= 0.05:
        return Polish(dict(task.start))  # out of time: keep the placement as it is
    return polish(data, sessions, task.start, params, seconds)
