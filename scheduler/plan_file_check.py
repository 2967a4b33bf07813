"""`tandem verify`: a plan file, perhaps edited by hand, checked against its scenario.

Every hard rule of the plan it describes (the independent validator), with the starts
the file itself says its sessions were declined at; and the file's own consistency: the
local times it shows (`mentee_local`, `mentor_local`) must say what `start` says, since a
person who edits a local time to move a session has moved nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scheduler.domain import Problem
from scheduler.plan_format import (
    PlanRecord,
    instant_text,
    plan_declines,
    plan_record,
    planned_sessions,
)
from scheduler.problem import with_declines
from scheduler.rule_names import PlanFileCheck
from scheduler.validation import Violation, validate_plan


def check_plan_file(problem: Problem, data: Any, source: str | None = None) -> list[Violation]:
    """Every violation of the plan in `data`, and every local time that disagrees with its
    start; ScenarioError when the file is not a plan."""
    record = plan_record(data, source)
    problem = with_declines(problem, plan_declines(record))
    found = validate_plan(problem, planned_sessions(problem, record))
    return sorted({*found, *_local_times(problem, record), *_kinds(problem, record)})


def _kinds(problem: Problem, record: PlanRecord) -> Iterator[Violation]:
    """A `kind` written into a session must be its pair's (left out, it is not checked)."""
    for s in record.sessions:
        pair = problem.pairs.get(s.pair)
        if pair is not None and "kind" in s.model_fields_set and s.kind != pair.kind:
            yield Violation(
                s.pair,
                s.index,
                PlanFileCheck.KIND,
                f"kind {s.kind} is not the pair's: its sessions are of kind {pair.kind}",
            )


def _local_times(problem: Problem, record: PlanRecord) -> Iterator[Violation]:
    for s in record.sessions:
        pair = problem.pairs.get(s.pair)
        if pair is None:
            continue  # `known_session` names it
        mentor_role, mentee_role = pair.roles
        written = (
            ("mentee_local", mentee_role, s.mentee or pair.mentee, s.mentee_local),
            ("mentor_local", mentor_role, s.mentor or pair.mentor, s.mentor_local),
        )
        for field, role, person_id, local in written:
            person = problem.people.get(person_id)
            if local is None or person is None:
                continue
            expected = s.start.astimezone(person.tz)
            if local != expected or local.utcoffset() != expected.utcoffset():
                yield Violation(
                    s.pair,
                    s.index,
                    PlanFileCheck.LOCAL_TIME,
                    f"{field} {local.isoformat()} is not the start {instant_text(s.start)} "
                    f"({expected.isoformat()} for {role} {person.id} in {person.tz}); "
                    "to move a session, change its start",
                )
