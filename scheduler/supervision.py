"""Supervised mentors: who coaches whom, and each mentor's check-ins as a pair to plan.

A check-in is a one-on-one session of a coach and a mentor. It is planned as a `Pair` of
kind `supervision`, the coach in the `mentor` place and the supervised mentor in the
`mentee` place (so its periods are the mentor's local dates), under every hard rule of
the sessions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from scheduler import scenario as doc
from scheduler.domain import Pair, resolved_cadence

CHECK_IN_PREFIX = "check-in."


def check_in_id(mentor: str) -> str:
    """The id of the pair of a mentor's check-ins."""
    return f"{CHECK_IN_PREFIX}{mentor}"


def supervised_mentors(people: Mapping[str, Any], pair_mentors: list[str]) -> list[str]:
    """The mentors of the pairs (people with role mentor), each once, in order of id."""
    return sorted({m for m in pair_mentors if people.get(m) == "mentor"})


def coaches(people: Mapping[str, Any], listed: list[str] | None) -> list[str]:
    """The coaches listed, else every person with role coach; in order of id."""
    if listed is not None:
        return sorted(set(listed))
    return sorted(person for person, role in people.items() if role == "coach")


def assignment(
    mentors: list[str], coach_ids: list[str], assigned: list[tuple[str, list[str]]]
) -> dict[str, str]:
    """Each mentor's coach: the one `assign` names, else spread across the coaches, each
    mentor (in order of id) to the coach with the fewest mentors so far (ties by id)."""
    coach_of = {mentor: coach for coach, listed in assigned for mentor in listed}
    load = Counter(coach for mentor, coach in coach_of.items() if mentor in mentors)
    for mentor in mentors:
        if mentor not in coach_of and coach_ids:
            coach = min(coach_ids, key=lambda c: (load[c], c))
            coach_of[mentor] = coach
            load[coach] += 1
    return {mentor: coach_of[mentor] for mentor in mentors if mentor in coach_of}


def scenario_assignment(scenario: doc.Scenario) -> dict[str, str]:
    """Each supervised mentor's coach (none without a `supervision` section)."""
    supervision = scenario.supervision
    if supervision is None:
        return {}
    roles = {person.id: person.role for person in scenario.people}
    mentors = supervised_mentors(roles, [pair.mentor for pair in scenario.pairs])
    return assignment(
        mentors,
        coaches(roles, supervision.coaches),
        [(entry.coach, entry.mentors) for entry in supervision.assign],
    )


def raw_assignment(document: Mapping[str, Any]) -> dict[str, str]:
    """`scenario_assignment` of a valid scenario still as plain data (the service's parts)."""
    section = document.get("supervision")
    if section is None:
        return {}
    roles = {person["id"]: person["role"] for person in document["people"]}
    mentors = supervised_mentors(roles, [pair["mentor"] for pair in document["pairs"]])
    assigned = [(entry["coach"], entry["mentors"]) for entry in section.get("assign", [])]
    return assignment(mentors, coaches(roles, section.get("coaches")), assigned)


def check_in_pairs(scenario: doc.Scenario) -> list[Pair]:
    """One pair of check-ins per supervised mentor, from the mentor's `available_from`
    (or the horizon's start), under the programme's rules."""
    supervision = scenario.supervision
    if supervision is None:
        return []
    rules = scenario.rules
    available = {person.id: person.available_from for person in scenario.people}
    return [
        Pair(
            id=check_in_id(mentor),
            mentor=coach,
            mentee=mentor,
            cadence=resolved_cadence(supervision.cadence),
            duration_minutes=supervision.duration_minutes,
            start=_first_day(scenario.horizon.start, available[mentor]),
            session_count=None,
            buffer_minutes=rules.buffer_minutes,
            min_gap_days=rules.min_gap_days,
            tentative=rules.tentative,
            max_moves_per_session=rules.max_moves_per_session,
            after_decline=rules.after_decline,
            kind="supervision",
        )
        for mentor, coach in scenario_assignment(scenario).items()
    ]


def _first_day(horizon_start: date, available_from: date | None) -> date:
    return horizon_start if available_from is None else max(horizon_start, available_from)
