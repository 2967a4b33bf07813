"""A programme's scenario cut into parts that share nobody, to be planned on several
machines and assembled into one plan (`scheduler.solve.assembled`).

People linked through pairs (directly or by a chain of pairs, a coach's check-ins with
the mentors they supervise included: `planned_pairs`) stay in one part, so every
group of the solver lies whole in one part, and a group's plan depends on the group alone:
the assembled plan is the plan one process makes. Parts are balanced by their number of
pairs, the largest group first onto the lightest part.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from typing import Any

from scheduler.grouping import linked
from scheduler.supervision import check_in_id, raw_assignment


def planned_pairs(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's pairs, and one `{id, mentor: coach, mentee: mentor}` for each
    supervised mentor's check-ins: every pair the planner plans, as the parts see them."""
    check_ins = [
        {"id": check_in_id(mentor), "mentor": coach, "mentee": mentor}
        for mentor, coach in raw_assignment(document).items()
    ]
    return [*document["pairs"], *check_ins]


def split_pairs(pairs: list[dict[str, Any]], parts: int) -> list[list[str]]:
    """The pair ids of at most `parts` parts, each in the scenario's order; none empty."""
    groups = _linked_pairs(pairs)
    lightest: list[tuple[int, int]] = [(0, number) for number in range(min(parts, len(groups)))]
    chosen: dict[int, int] = {}  # group -> part
    for group in sorted(range(len(groups)), key=lambda g: (-len(groups[g]), g)):
        load, part = heapq.heappop(lightest)
        chosen[group] = part
        heapq.heappush(lightest, (load + len(groups[group]), part))
    position = {pair["id"]: n for n, pair in enumerate(pairs)}
    split: list[list[str]] = [[] for _ in lightest]
    for group, members in enumerate(groups):
        split[chosen[group]].extend(members)
    return [sorted(members, key=position.__getitem__) for members in split]


def _linked_pairs(pairs: list[dict[str, Any]]) -> list[list[str]]:
    """Pair ids grouped by the people they link, groups in the order of their first pair."""
    groups = linked(pairs, lambda pair: (pair["mentor"], pair["mentee"]))
    return [[pair["id"] for pair in group] for group in groups]


def pairs_reached(pairs: list[dict[str, Any]], people: Collection[str]) -> list[str]:
    """The pairs of every group (people linked through pairs) that has one of `people`: what
    a change to those people's calendars or sessions can move."""
    wanted = set(people)
    return [
        pair["id"]
        for group in linked(pairs, lambda pair: (pair["mentor"], pair["mentee"]))
        if any(pair["mentor"] in wanted or pair["mentee"] in wanted for pair in group)
        for pair in group
    ]


def released_people(document: dict[str, Any]) -> set[str]:
    """The people of the pairs whose booked sessions were declined or cancelled."""
    released = {
        e["pair"] for e in document.get("current", []) if e.get("status", "booked") != "booked"
    }
    return {
        p
        for pair in planned_pairs(document)
        if pair["id"] in released
        for p in (pair["mentor"], pair["mentee"])
    }


def part_document(document: dict[str, Any], pair_ids: list[str]) -> dict[str, Any]:
    """The scenario of these pairs alone (check-ins among them: `planned_pairs`): their
    people, their booked and declined sessions; the part's check-ins keep their coaches."""
    kept = set(pair_ids)
    planned = [pair for pair in planned_pairs(document) if pair["id"] in kept]
    people = {person for pair in planned for person in (pair["mentor"], pair["mentee"])}
    part = {
        **_plan_only(document),
        "people": [person for person in document["people"] if person["id"] in people],
        "pairs": [pair for pair in document["pairs"] if pair["id"] in kept],
    }
    if "supervision" in document:
        part["supervision"] = _part_supervision(document["supervision"], planned)
    for key in ("current", "declined"):  # a part's own sessions' bookings and declines
        if key in document:
            part[key] = [entry for entry in document[key] if entry["pair"] in kept]
    return part


def _part_supervision(supervision: dict[str, Any], planned: list[dict[str, Any]]) -> dict[str, Any]:
    """The section for the part's check-ins alone, each mentor with the coach the whole
    programme gives them (spreading over a part's mentors alone could choose another)."""
    coach_of = {p["mentee"]: p["mentor"] for p in planned if p["id"] == check_in_id(p["mentee"])}
    assign: dict[str, list[str]] = {}
    for mentor, coach in coach_of.items():
        assign.setdefault(coach, []).append(mentor)
    return {
        **supervision,
        "coaches": sorted(assign) or supervision.get("coaches", []),
        "assign": [{"coach": coach, "mentors": mentors} for coach, mentors in assign.items()],
    }


def without_calendars(document: dict[str, Any]) -> dict[str, Any]:
    """The scenario without anyone's busy times or calendar sources: what assembling the
    parts' plans needs (people, pairs, horizon: for the figures and local times), read in
    a fraction of the time. Only busy times and calendars are left out."""
    return with_calendars_of(document, set())


def with_calendars_of(document: dict[str, Any], kept: set[str]) -> dict[str, Any]:
    """The scenario with the busy times and calendar sources of the people in `kept`
    only (the suggestions of a plan put together from parts read a few people's)."""
    people = [
        person
        if person["id"] in kept
        else {key: value for key, value in person.items() if key not in ("busy", "calendar")}
        for person in document["people"]
    ]
    return {**_plan_only(document), "people": people}


def _plan_only(document: dict[str, Any]) -> dict[str, Any]:
    """A plan's scenario: variations belong to a what-if (and name pairs of other parts)."""
    return {key: value for key, value in document.items() if key != "variations"}
