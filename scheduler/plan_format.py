"""The plan document (spec: Plan (output)) to and from plain data."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from scheduler.domain import (
    Plan,
    PlannedSession,
    Problem,
    SolverReport,
    Unplaced,
)
from scheduler.errors import FieldError, ScenarioError, format_path
from scheduler.metrics import plan_metrics

PLAN_FORMAT = "tandem-plan/1"


def instant_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_to_dict(problem: Problem, plan: Plan) -> dict[str, Any]:
    metrics = plan_metrics(problem, plan)
    solver = plan.solver
    return {
        "format": PLAN_FORMAT,
        "scenario": plan.scenario,
        "solver": {
            "name": solver.name,
            "status": solver.status,
            "seconds": solver.seconds,
            "objective": solver.objective,
            "bound": solver.bound,
            "gap": None if solver.gap is None else round(solver.gap, 6),
            "placed_bound": solver.placed_bound,
            "greedy_placed": solver.greedy_placed,
            "soft_penalty": solver.soft_penalty,
            "soft_bound": solver.soft_bound,
            "soft_gap": None if solver.soft_gap is None else round(solver.soft_gap, 6),
            "soft_penalty_by_goal": solver.soft_penalty_by_goal,
            "goals": {
                goal: {"penalty": figures.penalty, "bound": figures.bound}
                for goal, figures in solver.goals.items()
            },
            "groups": solver.groups,
            "stops": solver.stops,
            "cut_by_wall_clock": solver.cut_by_wall_clock,
            "timings": solver.timings,
            "notes": list(solver.notes),
        },
        "sessions": [_session(problem, s) for s in plan.sessions],
        "unplaced": [
            {
                "pair": u.pair,
                "index": u.index,
                "reason": u.reason,
                "code": u.code,
                "people": list(u.people),
                "blocking_pairs": list(u.blocking_pairs),
            }
            for u in plan.unplaced
        ],
        "metrics": {
            "required": metrics.required,
            "placed": metrics.placed,
            "placed_share": round(metrics.placed_share, 4),
            "cadence_adherence": round(metrics.cadence_adherence, 4),
            "stable_slot_share": round(metrics.stable_slot_share, 4),
            "usual_slot_share": round(metrics.usual_slot_share, 4),
            "placed_by_priority": {
                priority: {"placed": placed, "required": required}
                for priority, (placed, required) in metrics.placed_by_priority.items()
            },
            "unplaced_by_reason": metrics.unplaced_by_reason,
        },
        "load": [asdict(load) for load in metrics.load],
        "warnings": list(plan.warnings),
        "input_warnings": list(problem.input_warnings),
    }


def _session(problem: Problem, s: PlannedSession) -> dict[str, Any]:
    mentee_tz = problem.people[s.mentee].tz
    mentor_tz = problem.people[s.mentor].tz
    return {
        "pair": s.pair,
        "index": s.index,
        "mentor": s.mentor,
        "mentee": s.mentee,
        "start": instant_text(s.start),
        "end": instant_text(s.end),
        "moved": s.moved,
        "moves": s.moves,
        **({"moved_because": s.moved_because} if s.moved_because else {}),
        **({"frozen": True} if s.frozen else {}),
        "mentee_local": s.start.astimezone(mentee_tz).isoformat(),
        "mentor_local": s.start.astimezone(mentor_tz).isoformat(),
    }


class _SessionRecord(BaseModel):
    """A session of a plan file as people edit it: extra keys (local times) are ignored."""

    model_config = ConfigDict(extra="ignore")

    pair: str
    index: int = Field(ge=0)
    start: AwareDatetime
    end: AwareDatetime | None = None
    mentor: str | None = None
    mentee: str | None = None
    moved: bool = False
    moves: int = Field(default=0, ge=0)
    moved_because: str | None = None
    frozen: bool = False


class PlanSession(_SessionRecord):
    """A session of a plan as Tandem writes it (spec: Plan (output), `sessions`). The local
    times, and any key a later format adds, are kept as written."""

    model_config = ConfigDict(extra="allow", frozen=True)

    end: AwareDatetime
    mentor: str
    mentee: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.pair, self.index)


class PlanDocument(BaseModel):
    """A plan as Tandem writes it, typed where the service and the invitations read it
    (its sessions and unplaced sessions); the solver's report, the figures and the load
    are kept as written. `data()` gives the document back as it was read."""

    model_config = ConfigDict(extra="allow")

    scenario: str = ""
    solver: dict[str, Any] = {}
    sessions: list[PlanSession]
    unplaced: list[Unplaced] = []
    warnings: tuple[str, ...] = ()

    @classmethod
    def read(cls, data: Any, source: str | None = None) -> PlanDocument:
        """The plan in `data`, or the ScenarioError naming each wrong field."""
        try:
            return cls.model_validate(data)
        except ValidationError as invalid:
            raise _located(invalid, source) from None

    def data(self) -> dict[str, Any]:
        """The document as plain JSON data (times in UTC, `Z`), for storage and answers."""
        return self.model_dump(mode="json", exclude_unset=True)

    def keyed(self) -> dict[tuple[str, int], PlanSession]:
        return {s.key: s for s in self.sessions}


class _PlanRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sessions: list[_SessionRecord]


SOLVER_REPORT = TypeAdapter(SolverReport)  # the figures derived from others are not read


def sessions_from_dict(
    problem: Problem, data: Any, source: str | None = None
) -> list[PlannedSession]:
    """The sessions of a plan document; a missing end or people come from the pair."""
    return [_planned(problem, s) for s in _plan_record(data, source).sessions]


def plan_from_dict(problem: Problem, data: Any, source: str | None = None) -> Plan:
    """A plan document Tandem wrote, back as the `Plan` it was written from (what a
    re-plan starts from)."""
    document = PlanDocument.read(data, source)
    try:
        solver = SOLVER_REPORT.validate_python(document.solver)
    except ValidationError as invalid:
        raise _located(invalid, source) from None
    return Plan(
        scenario=document.scenario,
        sessions=tuple(_planned(problem, s) for s in document.sessions),
        unplaced=tuple(document.unplaced),
        solver=solver,
        warnings=document.warnings,
    )


def _planned(problem: Problem, s: _SessionRecord) -> PlannedSession:
    pair = problem.pairs.get(s.pair)
    start = s.start.astimezone(UTC)
    duration = timedelta(minutes=pair.duration_minutes) if pair else timedelta(0)
    return PlannedSession(
        pair=s.pair,
        index=s.index,
        mentor=s.mentor or (pair.mentor if pair else ""),
        mentee=s.mentee or (pair.mentee if pair else ""),
        start=start,
        end=s.end.astimezone(UTC) if s.end else start + duration,
        moved=s.moved,
        moves=s.moves,
        moved_because=s.moved_because,
        frozen=s.frozen,
    )


def _plan_record(data: Any, source: str | None) -> _PlanRecord:
    try:
        return _PlanRecord.model_validate(data)
    except ValidationError as invalid:
        raise _located(invalid, source) from None


def _located(invalid: ValidationError, source: str | None) -> ScenarioError:
    return ScenarioError(
        [FieldError(format_path(list(e["loc"])), str(e["msg"])) for e in invalid.errors()],
        source,
    )


def session_starts(data: Any, source: str | None = None) -> list[tuple[tuple[str, int], datetime]]:
    """Each session's key and start, from a plan document (for `tandem diff`)."""
    return [
        ((s.pair, s.index), s.start.astimezone(UTC)) for s in _plan_record(data, source).sessions
    ]


def current_from_plan(data: Any, source: str | None = None) -> list[dict[str, Any]]:
    """An earlier plan as the scenario's `current`: every session booked where it stands,
    with the moves it has made so far."""
    record = _plan_record(data, source)
    return [
        {"pair": s.pair, "index": s.index, "start": instant_text(s.start), "moves": s.moves}
        for s in record.sessions
    ]
