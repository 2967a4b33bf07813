"""Figures a programme manager reads first: placement, cadence kept, load, stable slots."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from scheduler.domain import Plan, PlannedSession, Problem


@dataclass(frozen=True)
class PersonLoad:
    person: str
    role: str
    sessions: int
    hours: float
    busiest_week: int


@dataclass(frozen=True)
class PlanMetrics:
    required: int
    placed: int
    placed_by_priority: dict[str, tuple[int, int]]  # priority -> (placed, required)
    pairs: int
    pairs_on_cadence: int  # pairs with every required session placed
    pairs_with_stable_slot: int  # pairs with most sessions on their usual weekday and local time
    pairs_with_two_or_more: int
    sessions_on_usual_slot: int  # sessions on their pair's most common weekday and local time
    load: tuple[PersonLoad, ...]
    unplaced_by_reason: dict[str, int]

    @property
    def placed_share(self) -> float:
        return self.placed / self.required if self.required else 1.0

    @property
    def cadence_adherence(self) -> float:
        return self.pairs_on_cadence / self.pairs if self.pairs else 1.0

    @property
    def stable_slot_share(self) -> float:
        """Share of pairs (with two sessions or more) that mostly keep one weekly slot."""
        if not self.pairs_with_two_or_more:
            return 1.0
        return self.pairs_with_stable_slot / self.pairs_with_two_or_more

    @property
    def usual_slot_share(self) -> float:
        return self.sessions_on_usual_slot / self.placed if self.placed else 1.0


def plan_metrics(problem: Problem, plan: Plan) -> PlanMetrics:
    by_pair: dict[str, list[PlannedSession]] = defaultdict(list)
    for session in plan.sessions:
        by_pair[session.pair].append(session)
    missed = {u.pair for u in plan.unplaced}
    usual = {pair: _on_usual_slot(problem, own) for pair, own in by_pair.items()}
    stable = [pair for pair, own in by_pair.items() if len(own) >= 2 and 2 * usual[pair] > len(own)]
    return PlanMetrics(
        required=plan.required,
        placed=len(plan.sessions),
        placed_by_priority=_by_priority(problem, plan),
        pairs=len(problem.pairs),
        pairs_on_cadence=sum(1 for pair in problem.pairs if pair not in missed),
        pairs_with_stable_slot=len(stable),
        pairs_with_two_or_more=sum(1 for own in by_pair.values() if len(own) >= 2),
        sessions_on_usual_slot=sum(usual.values()),
        load=_loads(problem, plan),
        unplaced_by_reason=dict(Counter(u.code for u in plan.unplaced)),
    )


def _on_usual_slot(problem: Problem, sessions: list[PlannedSession]) -> int:
    """How many sessions sit on the pair's most common weekday and local time (mentee's)."""
    tz = problem.people[sessions[0].mentee].tz
    slots = Counter(
        (s.start.astimezone(tz).weekday(), s.start.astimezone(tz).time()) for s in sessions
    )
    return slots.most_common(1)[0][1]


def _by_priority(problem: Problem, plan: Plan) -> dict[str, tuple[int, int]]:
    placed = Counter(problem.pairs[s.pair].priority for s in plan.sessions)
    missing = Counter(problem.pairs[u.pair].priority for u in plan.unplaced)
    return {
        p: (placed[p], placed[p] + missing[p])
        for p in ("high", "normal", "low")
        if placed[p] + missing[p]
    }


def _loads(problem: Problem, plan: Plan) -> tuple[PersonLoad, ...]:
    own: dict[str, list[PlannedSession]] = defaultdict(list)
    for session in plan.sessions:
        own[session.mentor].append(session)
        own[session.mentee].append(session)
    loads = []
    for person_id, person in problem.people.items():
        sessions = own.get(person_id, [])
        weeks = Counter(s.start.astimezone(person.tz).isocalendar()[:2] for s in sessions)
        hours = sum((s.end - s.start).total_seconds() for s in sessions) / 3600
        loads.append(
            PersonLoad(
                person_id,
                person.role,
                len(sessions),
                round(hours, 2),
                max(weeks.values(), default=0),
            )
        )
    return tuple(loads)
