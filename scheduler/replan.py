"""Incremental re-planning for a planner that stays up (the service): only the groups of
people a change reaches are planned again; the rest keep their plan as it was.

The state of the last plan (its problem, each person's availability on the grid, the plan)
stays in memory. A re-plan is told which people's busy times changed; it also finds the
people whose bookings, pairs or settings changed. Those people's groups are re-planned
(candidates, greedy, solve, explanations, validation) on the cells of everyone else reused
as they were; every other session and reason is carried over unchanged. That is sound
because a session's validity depends only on its two people and their other sessions,
and groups share nobody.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from scheduler.availability import AvailabilityIndex, same_person
from scheduler.domain import Plan, PlannedSession, Problem, SessionRequest
from scheduler.grouping import problem_of_pairs
from scheduler.heap import collector_paused
from scheduler.parameters import SolverParameters
from scheduler.rules.declined_time import on_a_declined_time
from scheduler.solve import Progress, solve
from scheduler.suggestions import with_suggestions, without_suggestion


@dataclass(frozen=True)
class PlanningState:
    problem: Problem
    availability: AvailabilityIndex
    plan: Plan


def plan_with_state(
    problem: Problem, params: SolverParameters | None = None, progress: Progress | None = None
) -> tuple[Plan, PlanningState]:
    availability = AvailabilityIndex(problem)
    plan = solve(problem, params, progress, availability)
    return plan, PlanningState(problem, availability, plan)


def replan(
    state: PlanningState,
    problem: Problem,
    busy_changed: Collection[str],
    params: SolverParameters | None = None,
    suggest: bool = True,
) -> tuple[Plan, PlanningState]:
    """Re-plan `problem` (the programme as it is now, with `current` and `now`) after the
    busy times of the people in `busy_changed` changed. `suggest=False` leaves the
    suggested changes off (a worker that read only some calendars adds them after,
    reading the calendars they look at); with it they are checked against the whole new
    plan."""
    with collector_paused():  # the state is long-lived: no garbage (`scheduler.heap`)
        availability = AvailabilityIndex(problem, state.availability, frozenset(busy_changed))
        touched = set(busy_changed) | set(_changed_people(state, problem))
        touched_pairs = _pairs_reached(problem, touched)
        part = solve(
            problem_of_pairs(problem, touched_pairs),
            params,
            availability=availability,
            suggest=False,
        )
        plan = _merged(state, problem, part, touched_pairs, suggest)
    return plan, PlanningState(problem, availability, plan)


def replan_from_plan(
    problem: Problem,
    previous: Plan,
    busy_changed: Collection[str],
    params: SolverParameters | None = None,
    suggest: bool = True,
) -> Plan:
    """The same re-plan without a kept state, for a worker that holds none: `problem` is
    the programme as it is now and `previous` its last plan, as stored. The settings, pairs
    and people of `problem` are taken as the previous plan's: a change to them (other than
    busy times, reported in `busy_changed`, and people or pairs leaving) calls for a full
    plan. Declined and cancelled sessions are found from `problem`'s bookings as always.
    Building the index is lazy: only the re-planned groups' people are ever computed."""
    cold = PlanningState(problem, AvailabilityIndex(problem), previous)
    plan, _ = replan(cold, problem, busy_changed, params, suggest)
    return plan


def _changed_people(state: PlanningState, problem: Problem) -> Iterator[str]:
    """People whose settings, pairs or bookings changed since the last plan."""
    old = state.problem
    for person_id, person in problem.people.items():
        if person_id not in old.people or not same_person(old.people[person_id], person):
            yield person_id
    for pair_id, pair in old.pairs.items():
        if problem.pairs.get(pair_id) != pair:
            yield from (p for p in pair.people if p in problem.people)
    placed = {s.key: s.start for s in state.plan.sessions}
    for request in problem.sessions:
        if _booking_changed(request, placed) or _on_a_declined_time(problem, request, placed):
            yield from request.pair.people


def _booking_changed(request: SessionRequest, placed: dict[tuple[str, int], datetime]) -> bool:
    booking = request.booking
    if booking is None:
        return request.key in placed  # a booking was taken away
    return booking.must_leave or placed.get(request.key) != booking.start


def _on_a_declined_time(
    problem: Problem, request: SessionRequest, placed: dict[tuple[str, int], datetime]
) -> bool:
    """A decline learnt since (a `declined` entry, not a status) over the placed start."""
    start = placed.get(request.key)
    return start is not None and on_a_declined_time(request, problem, start)


def _pairs_reached(problem: Problem, touched: set[str]) -> set[str]:
    """The pairs of every group of people (linked through pairs) with a touched person."""
    neighbours: dict[str, set[str]] = {}
    for pair in problem.pairs.values():
        neighbours.setdefault(pair.mentor, set()).add(pair.mentee)
        neighbours.setdefault(pair.mentee, set()).add(pair.mentor)
    reached, frontier = set(), [p for p in touched if p in neighbours]
    while frontier:
        person = frontier.pop()
        if person not in reached:
            reached.add(person)
            frontier.extend(neighbours[person] - reached)
    return {pair.id for pair in problem.pairs.values() if pair.mentor in reached}


def _merged(
    state: PlanningState, problem: Problem, part: Plan, touched_pairs: set[str], suggest: bool
) -> Plan:
    requests = {r.key: r for r in problem.sessions}
    carried = [
        _as_kept(s, requests[s.key])
        for s in state.plan.sessions
        if s.pair not in touched_pairs and s.key in requests
    ]
    order = {key: position for position, key in enumerate(requests)}
    sessions = sorted([*carried, *part.sessions], key=lambda s: order[s.key])
    unplaced = [u for u in state.plan.unplaced if u.pair not in touched_pairs and u.key in requests]
    untouched = len({s.pair for s in carried} | {u.pair for u in unplaced})
    note = f"{untouched} pairs untouched by the change kept their plan without a re-plan"
    every_unplaced = tuple(sorted([*unplaced, *part.unplaced], key=lambda u: order.get(u.key, 0)))
    merged = Plan(
        problem.name,
        tuple(sessions),
        tuple(map(without_suggestion, every_unplaced)),
        replace(part.solver, notes=(*part.solver.notes, note)),
        part.warnings,
    )
    return with_plan_suggestions(problem, merged) if suggest else merged


def with_plan_suggestions(problem: Problem, plan: Plan) -> Plan:
    """The plan with the changes that would place its unplaced sessions, checked against
    the whole plan (`problem` has the calendars of the people they look at)."""
    suggested = with_suggestions(problem, plan.sessions, plan.unplaced)
    spent = (suggested.note,) if suggested.note else ()
    solver = replace(plan.solver, notes=(*plan.solver.notes, *spent))
    return replace(plan, unplaced=suggested.unplaced, solver=solver)


def _as_kept(session: PlannedSession, request: SessionRequest) -> PlannedSession:
    """At its booked start: not moved this time (a copy only where a flag changes)."""
    if not session.moved and session.moved_because is None and session.frozen == request.frozen:
        return session
    return replace(session, moved=False, moved_because=None, frozen=request.frozen)
