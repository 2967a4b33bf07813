"""Side-by-side figures of planned variants: what a programme manager compares."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.diff import diff_plans
from scheduler.domain import Plan, Problem
from scheduler.metrics import plan_metrics
from scheduler.natural_order import natural_key

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class VariantSummary:
    name: str
    required: int
    placed: int
    cadence_adherence: float
    executive_hours_per_month: float  # mean over executives
    mentor_hours_max: float
    mentor_hours_spread: float  # busiest minus least busy mentor, over the horizon
    unplaced_by_reason: dict[str, int]
    differs_from_base: int | None  # sessions added, removed or moved against the base
    sessions_per_week: dict[date, int]  # Monday (scenario time zone) -> sessions
    check_ins_by_coach: dict[str, int] = field(default_factory=dict)  # check-ins per coach


def summarise(name: str, problem: Problem, plan: Plan, base: Plan | None = None) -> VariantSummary:
    metrics = plan_metrics(problem, plan)
    executives = [load.hours for load in metrics.load if load.role == "executive"]
    mentors = [load.hours for load in metrics.load if load.role == "mentor"] or [0.0]
    months = (problem.horizon_end_day - problem.horizon_first_day).days / DAYS_PER_MONTH
    return VariantSummary(
        name=name,
        required=metrics.required,
        placed=metrics.placed,
        cadence_adherence=metrics.cadence_adherence,
        executive_hours_per_month=sum(executives) / max(1, len(executives)) / months,
        mentor_hours_max=max(mentors),
        mentor_hours_spread=max(mentors) - min(mentors),
        unplaced_by_reason=metrics.unplaced_by_reason,
        differs_from_base=None if base is None else _differences(base, plan),
        sessions_per_week=_per_week(problem, plan),
        check_ins_by_coach=_check_ins_by_coach(problem, plan),
    )


def _check_ins_by_coach(problem: Problem, plan: Plan) -> dict[str, int]:
    """Each coach's load: check-ins placed (0 for a coach of the scenario with none)."""
    placed = Counter(s.mentor for s in plan.sessions if problem.pairs[s.pair].kind == "supervision")
    coaches = [p.id for p in problem.people.values() if p.role == "coach"]
    return {coach: placed[coach] for coach in sorted({*coaches, *placed}, key=natural_key)}


def _differences(base: Plan, plan: Plan) -> int:
    return diff_plans(
        [(s.key, s.start) for s in base.sessions], [(s.key, s.start) for s in plan.sessions]
    ).changes


def _per_week(problem: Problem, plan: Plan) -> dict[date, int]:
    weeks: Counter[date] = Counter()
    for session in plan.sessions:
        day = session.start.astimezone(problem.timezone).date()
        weeks[day - timedelta(days=day.weekday())] += 1
    return dict(sorted(weeks.items()))


def comparison_rows(summaries: list[VariantSummary]) -> list[tuple[str, list[str]]]:
    """The figures of each variant as labelled rows of text, one cell per variant: what the
    command line prints and the report page shows."""
    rows: list[tuple[str, list[str]]] = [
        ("sessions required", [str(v.required) for v in summaries]),
        (
            "sessions placed",
            [f"{v.placed} ({v.placed / max(1, v.required):.0%})" for v in summaries],
        ),
        ("pairs on cadence", [f"{v.cadence_adherence:.0%}" for v in summaries]),
        ("executive hours / month", [f"{v.executive_hours_per_month:.1f}" for v in summaries]),
        ("mentor hours, max", [f"{v.mentor_hours_max:g}" for v in summaries]),
        ("mentor hours, spread", [f"{v.mentor_hours_spread:g}" for v in summaries]),
        (
            "differs from base",
            ["-" if v.differs_from_base is None else str(v.differs_from_base) for v in summaries],
        ),
    ]
    coaches = sorted({c for v in summaries for c in v.check_ins_by_coach}, key=natural_key)
    rows += [
        (f"check-ins: coach {coach}", [str(v.check_ins_by_coach.get(coach, 0)) for v in summaries])
        for coach in coaches
    ]
    reasons = sorted({reason for v in summaries for reason in v.unplaced_by_reason})
    rows += [
        (f"unplaced: {reason}", [str(v.unplaced_by_reason.get(reason, 0)) for v in summaries])
        for reason in reasons
    ]
    return rows


Figure = tuple[str, str, list[float | int | None]]  # name, unit, a value per variant


def comparison_figures(summaries: list[VariantSummary]) -> list[Figure]:
    """The figures of `comparison_rows` as numbers, for programs (the API's JSON): a share
    is a fraction (0.97, not "97%"), hours are hours, and a figure that does not apply
    (the base against itself) is None."""
    figures: list[Figure] = [
        ("sessions required", "sessions", [v.required for v in summaries]),
        ("sessions placed", "sessions", [v.placed for v in summaries]),
        ("sessions placed, share", "fraction", [v.placed / max(1, v.required) for v in summaries]),
        ("pairs on cadence", "fraction", [v.cadence_adherence for v in summaries]),
        ("executive hours / month", "hours", [v.executive_hours_per_month for v in summaries]),
        ("mentor hours, max", "hours", [v.mentor_hours_max for v in summaries]),
        ("mentor hours, spread", "hours", [v.mentor_hours_spread for v in summaries]),
        ("differs from base", "sessions", [v.differs_from_base for v in summaries]),
    ]
    coaches = sorted({coach for v in summaries for coach in v.check_ins_by_coach})
    figures += [
        (f"check-ins: coach {c}", "sessions", [v.check_ins_by_coach.get(c, 0) for v in summaries])
        for c in coaches
    ]
    reasons = sorted({reason for v in summaries for reason in v.unplaced_by_reason})
    figures += [
        (f"unplaced: {r}", "sessions", [v.unplaced_by_reason.get(r, 0) for v in summaries])
        for r in reasons
    ]
    return figures
