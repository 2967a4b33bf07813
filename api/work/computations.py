"""What a job computes, in its own process: a plan, a re-plan from the last plan, or one
variant of a what-if. Pure: a `Computation` in, an outcome out (`{"status": "done", "plan":
...}` or a failure with the scenario's field errors); the database is the worker's
business."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from api.problems import field_errors
from api.work.parts import groups_result, part_result
from connectors.documents import Document
from connectors.scenarios import (
    matched_from_document,
    problem_from_data,
    replan_reading_calendars,
    variant_problem_from_data,
)
from scheduler.comparison import summarise
from scheduler.errors import ScenarioError
from scheduler.matching.match import match_to_dict
from scheduler.matching_check import check_matching
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict
from scheduler.rule_names import MatchRuleName
from scheduler.solve import plan_all_groups, solve

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Computation:
    """`document` is the scenario (with `current` and `now` for a programme's re-plan); a
    "replan" also has the last plan and the people whose calendars changed since; a
    "variant" is one variant of a what-if, "groups" the scenario of a part of a large plan
    (`api.work.parts` assembles them)."""

    kind: Literal["plan", "replan", "variant", "groups", "match"]
    document: dict[str, Any]
    previous_plan: dict[str, Any] | None = None
    changed_people: tuple[str, ...] = ()
    part: int = 0  # a variant: the base (0) or variation `part`-1 of a what-if


def compute(job: Computation, params: SolverParameters, progress: Progress) -> dict[str, Any]:
    try:
        if job.kind == "variant":
            return {"status": "done", "plan": plan_variant(job, params, progress)}
        if job.kind == "groups":
            problem = problem_from_data(job.document)
            return {
                "status": "done",
                "plan": groups_result(plan_all_groups(problem, params, progress)),
            }
        if job.kind == "replan":
            return {"status": "done", "plan": replan(job, params)}
        if job.kind == "match":
            return {"status": "done", "plan": match(job.document, params, progress)}
        return {"status": "done", "plan": plan(job.document, params, progress)}
    except ScenarioError as invalid:
        return failed("Invalid scenario", errors=field_errors(invalid.errors))
    except MatchingCheckError as broken:
        return failed("Matching refused by its check", violations=broken.args[0])


def failed(title: str, **extra: Any) -> dict[str, Any]:
    return {"status": "failed", "error": {"title": title, **extra}}


def plan(document: dict[str, Any], params: SolverParameters, progress: Progress) -> Any:
    problem = problem_from_data(document)
    return plan_to_dict(problem, solve(problem, params, progress=progress))


def match(document: dict[str, Any], params: SolverParameters, progress: Progress) -> dict[str, Any]:
    """The pairs formed, with their reasons, and the scenario with them (ready to plan);
    a pair formed that the independent check refuses fails the job, as in `tandem match`."""
    progress("matching")
    matched = matched_from_document(
        Document(document, "scenario"),
        None,
        "scenario",
        memory_budget_mb=params.memory_budget_mb,
    )
    formed = {pair.pair for pair in matched.result.pairs}
    broken = [
        str(v)
        for v in check_matching(matched.scenario, matched.problem)
        if v.pair in formed or v.rule == MatchRuleName.CAPACITY
    ]
    if broken:
        raise MatchingCheckError(broken)
    return {
        "matching": match_to_dict(matched.result, matched.scenario),
        "scenario": matched.data,
    }


class MatchingCheckError(Exception):
    """A pair formed breaks a matching rule by the independent check: a bug, reported."""


def replan(job: Computation, params: SolverParameters) -> Any:
    """Only the groups of the changed people and of the declined or cancelled sessions are
    planned again, and only the calendars needed are read; every other session keeps its
    start."""
    assert job.previous_plan is not None
    problem, plan = replan_reading_calendars(
        job.document, job.previous_plan, job.changed_people, params
    )
    return plan_to_dict(problem, plan)


def plan_variant(job: Computation, params: SolverParameters, progress: Progress) -> Any:
    name, problem = variant_problem_from_data(job.document, job.part)
    progress(f"planning {name}")
    planned = solve(problem, params, progress=progress)
    return part_result(name, plan_to_dict(problem, planned), summarise(name, problem, planned))
