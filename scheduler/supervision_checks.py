"""Whole-document checks of a scenario's `supervision` section: coaches are people with
role coach, supervised mentors are mentors of pairs, each supervised once, and no pair
takes the id of a mentor's check-ins. Read from the raw document, as the other
cross-field checks (`scheduler.scenario_checks`)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from scheduler.errors import FieldError
from scheduler.supervision import check_in_id, coaches, supervised_mentors

Items = list[tuple[int, dict[str, Any]]]


def supervision_errors(
    raw: dict[str, Any], roles: dict[str, Any], pairs: Items
) -> Generator[FieldError, None, list[str]]:
    """Yields the section's errors; returns the ids of the check-in pairs it makes."""
    section = raw.get("supervision")
    if not isinstance(section, dict):
        return []
    listed = section.get("coaches")
    listed = [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else None
    yield from _people_of_role(listed or [], roles, "coach", "supervision.coaches")
    coach_ids = [c for c in coaches(roles, listed) if roles.get(c) == "coach"]
    if listed == []:
        yield FieldError(
            "supervision.coaches",
            "list at least one coach (or leave coaches out: every person with role coach)",
        )
    elif listed is None and not coach_ids:
        yield FieldError("supervision", "no coach: give people with role: coach")
    pair_mentors = [p["mentor"] for _, p in pairs if isinstance(p.get("mentor"), str)]
    mentors = supervised_mentors(roles, pair_mentors)
    yield from _assignments(section.get("assign"), roles, set(coach_ids), set(mentors))
    yield from _duration_on_grid(raw, section.get("duration_minutes", 30))
    check_ins = [check_in_id(mentor) for mentor in mentors]
    yield from _taken_ids(pairs, set(check_ins))
    return check_ins


def _people_of_role(
    people: list[Any], roles: dict[str, Any], role: str, path: str
) -> Iterator[FieldError]:
    for number, person in enumerate(people):
        if not isinstance(person, str):
            continue
        if person not in roles:
            yield FieldError(f"{path}[{number}]", f"unknown person '{person}'")
        elif roles[person] != role:
            yield FieldError(f"{path}[{number}]", f"'{person}' is not a {role}")


def _assignments(
    assign: Any, roles: dict[str, Any], coach_ids: set[str], mentors: set[str]
) -> Iterator[FieldError]:
    if not isinstance(assign, list):
        return
    first: dict[str, int] = {}
    for number, entry in enumerate(assign):
        if not isinstance(entry, dict):
            continue
        path = f"supervision.assign[{number}]"
        coach = entry.get("coach")
        if isinstance(coach, str):
            yield from _assigned_coach(f"{path}.coach", coach, roles, coach_ids)
        listed: list[Any] = entry["mentors"] if isinstance(entry.get("mentors"), list) else []
        yield from _people_of_role(listed, roles, "mentor", f"{path}.mentors")
        for place, mentor in enumerate(listed):
            if not isinstance(mentor, str) or roles.get(mentor) != "mentor":
                continue
            if mentor not in mentors:
                yield FieldError(f"{path}.mentors[{place}]", f"'{mentor}' is the mentor of no pair")
            elif mentor in first:
                yield FieldError(
                    f"{path}.mentors[{place}]",
                    f"'{mentor}' is assigned already (supervision.assign[{first[mentor]}])",
                )
            else:
                first[mentor] = number


def _assigned_coach(
    path: str, coach: str, roles: dict[str, Any], coach_ids: set[str]
) -> Iterator[FieldError]:
    if coach not in roles:
        yield FieldError(path, f"unknown person '{coach}'")
    elif roles[coach] != "coach":
        yield FieldError(path, f"'{coach}' is not a coach")
    elif coach not in coach_ids:
        yield FieldError(path, f"'{coach}' is not one of supervision.coaches")


def _duration_on_grid(raw: dict[str, Any], duration: Any) -> Iterator[FieldError]:
    grid = raw.get("grid_minutes", 15)
    numeric = isinstance(duration, int) and not isinstance(duration, bool)
    if isinstance(grid, int) and grid > 0 and numeric and duration % grid:
        yield FieldError(
            "supervision.duration_minutes",
            f"{duration} is not a multiple of grid_minutes ({grid})",
        )


def _taken_ids(pairs: Items, check_ins: set[str]) -> Iterator[FieldError]:
    for index, pair in pairs:
        if pair.get("id") in check_ins:
            yield FieldError(
                f"pairs[{index}].id",
                f"'{pair['id']}' is the id of a mentor's supervision check-ins; "
                "give this pair another id",
            )
