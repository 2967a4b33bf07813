"""The plan document (spec: Plan (output)) to and from plain data."""

from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from scheduler.domain import (
    Decline,
    Decliner,
    Plan,
    PlannedSession,
    Problem,
    SessionKind,
    SolverReport,
    Unplaced,
)
from scheduler.errors import FieldError, ScenarioError, format_path
from scheduler.metrics import plan_metrics
from scheduler.scenario import SessionStatus, check_declined_by

PLAN_FORMAT = "tandem-plan/1"


# Sessions start on the grid, so a plan's thousands of sessions share a few thousand
# instants: each text is made once (16,384 kept at most: a few MB in a long-running
# service). The caches are keyed by the instant in UTC: two aware datetimes of one zone
# that differ only by `fold` compare equal but are an hour apart.
def instant_text(moment: datetime) -> str:
    """`2027-01-04T08:00:00Z`: UTC to the second (the format's `%Y-%m-%dT%H:%M:%SZ`,
    written by `isoformat`, which takes a third of `strftime`'s time: a plan writes two
    per session)."""
    return _utc_text(moment.astimezone(UTC))


@functools.lru_cache(maxsize=1 << 14)
def _utc_text(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _local_text(moment: datetime, tz: tzinfo) -> str:
    return _cached_local_text(moment.astimezone(UTC), tz)


@functools.lru_cache(maxsize=1 << 14)
def _cached_local_text(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).isoformat()


def plan_to_dict(problem: Problem, plan: Plan) -> dict[str, Any]:
    metrics = plan_metrics(problem, plan)
    solver = plan.solver
    declines = {r.key: r.declines for r in problem.sessions if r.declines}
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
            "unchanged_groups": solver.unchanged_groups,
            "stops": solver.stops,
            "cut_by_wall_clock": solver.cut_by_wall_clock,
            "timings": solver.timings,
            "notes": list(solver.notes),
        },
        "sessions": [_session(problem, s, declines.get(s.key, ())) for s in plan.sessions],
        "unplaced": [_unplaced(problem, u, declines.get(u.key, ())) for u in plan.unplaced],
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


def _session(problem: Problem, s: PlannedSession, declines: tuple[Decline, ...]) -> dict[str, Any]:
    mentee_tz = problem.people[s.mentee].tz
    mentor_tz = problem.people[s.mentor].tz
    return {
        "pair": s.pair,
        "index": s.index,
        "kind": problem.pairs[s.pair].kind,
        "mentor": s.mentor,
        "mentee": s.mentee,
        "start": instant_text(s.start),
        "end": instant_text(s.end),
        "moved": s.moved,
        "moves": s.moves,
        **({"moved_because": s.moved_because} if s.moved_because else {}),
        **({"frozen": True} if s.frozen else {}),
        "mentee_local": _local_text(s.start, mentee_tz),
        "mentor_local": _local_text(s.start, mentor_tz),
        **_declined(declines),
    }


def _unplaced(problem: Problem, u: Unplaced, declines: tuple[Decline, ...]) -> dict[str, Any]:
    return {
        "pair": u.pair,
        "index": u.index,
        "kind": problem.pairs[u.pair].kind,
        "reason": u.reason,
        "code": u.code,
        "people": list(u.people),
        "blocking_pairs": list(u.blocking_pairs),
        "suggestion": u.suggestion,
        **_declined(declines),
    }


def _declined(declines: tuple[Decline, ...]) -> dict[str, Any]:
    """The starts the session was declined at, kept in every later plan (only when any):
    a re-plan from this plan (`--current`, the service) never goes back to them."""
    if not declines:
        return {}
    return {
        "declined": [
            {"start": instant_text(d.start), **({"by": d.by} if d.by else {})} for d in declines
        ]
    }


class _Strict(BaseModel):
    """A plan is Tandem's own document, read back by Tandem: as in a scenario, a key it
    does not know is an error (a typo such as `stauts` must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


class DeclinedRecord(_Strict):
    start: AwareDatetime
    by: Decliner | None = None

    def decline(self) -> Decline:
        return Decline(self.start.astimezone(UTC), self.by)


class _SessionRecord(_Strict):
    """A session of a plan file as people edit it (`tandem verify`, `tandem plan
    --current`): `end` and the people may be left out; `status` (and `declined_by`) may be
    written into it, to re-plan with that session declined or cancelled."""

    pair: str
    index: int = Field(ge=0)
    kind: SessionKind = "mentoring"  # older plans have none: all their sessions are mentoring
    start: AwareDatetime
    end: AwareDatetime | None = None
    mentor: str | None = None
    mentee: str | None = None
    moved: bool = False
    moves: int = Field(default=0, ge=0)
    moved_because: str | None = None
    frozen: bool = False
    mentee_local: AwareDatetime | None = None
    mentor_local: AwareDatetime | None = None
    declined: tuple[DeclinedRecord, ...] = ()
    status: SessionStatus = "booked"
    declined_by: Decliner | None = None

    _declined_by = model_validator(mode="after")(check_declined_by)


class PlanSession(_SessionRecord):
    """A session of a plan as Tandem writes it (spec: Plan (output), `sessions`)."""

    model_config = ConfigDict(frozen=True)

    end: AwareDatetime
    mentor: str
    mentee: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.pair, self.index)


class PlanUnplaced(_Strict):
    """An unplaced session of a plan (spec: Plan (output), `unplaced`)."""

    pair: str
    index: int = Field(ge=0)
    kind: SessionKind = "mentoring"
    reason: str
    code: str
    people: tuple[str, ...] = ()
    blocking_pairs: tuple[str, ...] = ()
    suggestion: str | None = None
    declined: tuple[DeclinedRecord, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        return (self.pair, self.index)

    def unplaced(self) -> Unplaced:
        return Unplaced(
            self.pair,
            self.index,
            self.reason,
            self.code,
            self.people,
            self.blocking_pairs,
            self.suggestion,
        )


class _PlanKeys(_Strict):
    """The top-level keys of a plan. The solver's report, the figures and the load are
    kept as written: Tandem derives them, and reads back only the solver's report."""

    format: Literal["tandem-plan/1"] | None = None
    scenario: str = ""
    solver: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    load: list[Any] = []
    warnings: tuple[str, ...] = ()
    input_warnings: tuple[str, ...] = ()  # what the readers of the scenario skipped


class PlanDocument(_PlanKeys):
    """A plan as Tandem writes it, typed where the service and the invitations read it
    (its sessions and unplaced sessions). `data()` gives the document back as it was read."""

    sessions: list[PlanSession]
    unplaced: list[PlanUnplaced] = []

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


class PlanRecord(_PlanKeys):
    """A plan file as `tandem verify`, `plan --current` and `diff` read it."""

    sessions: list[_SessionRecord]
    unplaced: list[PlanUnplaced] = []


SOLVER_REPORT = TypeAdapter(SolverReport)  # the figures derived from others are not read


def sessions_from_dict(
    problem: Problem, data: Any, source: str | None = None
) -> list[PlannedSession]:
    """The sessions of a plan document; a missing end or people come from the pair."""
    return planned_sessions(problem, plan_record(data, source))


def planned_sessions(problem: Problem, record: PlanRecord) -> list[PlannedSession]:
    return [_planned(problem, s) for s in record.sessions]


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
        unplaced=tuple(u.unplaced() for u in document.unplaced),
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


def plan_record(data: Any, source: str | None) -> PlanRecord:
    try:
        return PlanRecord.model_validate(data)
    except ValidationError as invalid:
        raise _located(invalid, source) from None


def _located(invalid: ValidationError, source: str | None) -> ScenarioError:
    return ScenarioError([_field_error(e) for e in invalid.errors()], source)


def _field_error(error: Any) -> FieldError:
    path = format_path(list(error["loc"]))
    if error["type"] == "extra_forbidden":
        return FieldError(path, "unknown key (not in the plan format)")
    return FieldError(path, str(error["msg"]).removeprefix("Value error, "))


def session_starts(data: Any, source: str | None = None) -> list[tuple[tuple[str, int], datetime]]:
    """Each session's key and start, from a plan document (for `tandem diff`)."""
    return [
        ((s.pair, s.index), s.start.astimezone(UTC)) for s in plan_record(data, source).sessions
    ]


def current_entry(s: _SessionRecord) -> dict[str, Any]:
    """A placed session of a plan as a session of the scenario's `current`: booked where
    it stands, with the moves it has made so far; declined or cancelled there when that
    was written into the plan."""
    entry: dict[str, Any] = {
        "pair": s.pair,
        "index": s.index,
        "start": instant_text(s.start),
        "moves": s.moves,
    }
    if s.status != "booked":
        entry["status"] = s.status
    if s.declined_by is not None:
        entry["declined_by"] = s.declined_by
    return entry


SessionDecline = tuple[str, int, Decline]


def plan_declines(record: PlanRecord | PlanDocument) -> list[SessionDecline]:
    """Every start the plan says a session was declined at: the `declined` of its sessions
    and unplaced sessions, and the start of a session written into it as declined."""
    found: list[SessionDecline] = []
    for item in [*record.sessions, *record.unplaced]:
        found.extend((item.pair, item.index, d.decline()) for d in item.declined)
    for s in record.sessions:
        if s.status == "declined":
            found.append((s.pair, s.index, Decline(s.start.astimezone(UTC), s.declined_by)))
    return found


def declined_entry(pair: str, index: int, decline: Decline) -> dict[str, Any]:
    """A decline as an entry of the scenario's `declined`."""
    entry = {"pair": pair, "index": index, "start": instant_text(decline.start)}
    return {**entry, "by": decline.by} if decline.by else entry


def replanning_keys(data: Any, source: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """An earlier plan as the scenario's `current` (each placed session, see
    `current_entry`) and the declines it remembers, as the scenario's `declined`."""
    record = plan_record(data, source)
    return {
        "current": [current_entry(s) for s in record.sessions],
        "declined": [declined_entry(*found) for found in plan_declines(record)],
    }
