"""The pool a matching works on: who wants a mentor, who can be one, and their profiles.

Executives named by no pair of the scenario want a mentor; every mentor with room left
(`capacity`, default 1, less the pairs the planner fixed) can be one. Topics, skills and
languages compare without regard to case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from scheduler import scenario as doc
from scheduler.errors import FieldError, ScenarioError

# The skill level (1-3) each executive level is best served by, in the topics it wants.
LEVEL_NEEDS = {"discover": 1, "develop": 2, "exploit": 3}
NO_LINE = (-1, -1)  # the span of someone no walk reached: above and below nobody


@dataclass(frozen=True)
class Profile:
    id: str
    place: int  # position in the scenario's people
    languages: frozenset[str] | None
    department: str | None
    # Their span in one walk down the reporting lines: everyone below them lies inside it.
    line: tuple[int, int]


@dataclass(frozen=True)
class ExecutiveProfile(Profile):
    level: str | None
    topics: tuple[str, ...]


@dataclass(frozen=True)
class MentorProfile(Profile):
    skills: dict[str, int]
    room: int  # executives the matching may still give them


@dataclass(frozen=True)
class Pool:
    executives: tuple[ExecutiveProfile, ...]  # to match, in the scenario's order
    mentors: tuple[MentorProfile, ...]  # every mentor, in the scenario's order
    # Executives each pair of the planner names, by mentor (an executive may have several).
    fixed: dict[str, list[str]]
    # Per topic, the mentors (positions in `mentors`) who know it and their levels.
    skilled: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]]


def pool_of(scenario: doc.Scenario) -> Pool:
    """ScenarioError when a rule the matching applies needs a field a person lacks."""
    lines = _reporting_spans(scenario)
    fixed: dict[str, list[str]] = {}
    for pair in scenario.pairs:
        fixed.setdefault(pair.mentor, []).append(pair.mentee)
    paired = {pair.mentee for pair in scenario.pairs}
    executives, mentors = [], []
    for place, person in enumerate(scenario.people):
        common: dict[str, Any] = {
            "id": person.id,
            "place": place,
            "languages": _words(person.languages),
            "department": person.department,
            "line": lines.get(person.id, NO_LINE),
        }
        if person.role == "executive" and person.id not in paired:
            topics = tuple(dict.fromkeys(t.lower() for t in person.topics or ()))
            executives.append(ExecutiveProfile(**common, level=person.level, topics=topics))
        elif person.role == "mentor":
            skills = {topic.lower(): level for topic, level in (person.skills or {}).items()}
            room = max(0, (person.capacity or 1) - len(fixed.get(person.id, ())))
            mentors.append(MentorProfile(**common, skills=skills, room=room))
    pool = Pool(tuple(executives), tuple(mentors), fixed, _skilled(mentors))
    if scenario.matching.hard.language:
        _require_languages(scenario, pool)
    return pool


def _skilled(
    mentors: list[MentorProfile],
) -> dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]]:
    found: dict[str, tuple[list[int], list[int]]] = {}
    for row, mentor in enumerate(mentors):
        for topic, level in mentor.skills.items():
            rows, levels = found.setdefault(topic, ([], []))
            rows.append(row)
            levels.append(level)
    return {
        topic: (np.array(rows, dtype=np.int64), np.array(levels, dtype=np.int8))
        for topic, (rows, levels) in found.items()
    }


def _words(words: list[str] | None) -> frozenset[str] | None:
    return frozenset(w.lower() for w in words) if words is not None else None


def _reporting_spans(scenario: doc.Scenario) -> dict[str, tuple[int, int]]:
    """Each person's and manager's span in a depth-first walk down from the top of every
    reporting line: iterative, each id entered once, so that a line 10,000 managers deep
    costs 10,000 steps (the scenario checks refused loops and unknown ids)."""
    boss_of = {p.id: p.reports_to for p in scenario.people if p.reports_to}
    boss_of.update({m.id: m.reports_to for m in scenario.managers if m.reports_to})
    below: dict[str, list[str]] = {}
    for person, boss in boss_of.items():
        below.setdefault(boss, []).append(person)
    ids = [p.id for p in scenario.people] + [m.id for m in scenario.managers]
    walk = [(i, False) for i in reversed(ids) if i not in boss_of]  # the tops of the lines
    entered: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    while walk:
        person, leaving = walk.pop()
        if leaving:
            spans[person] = (entered[person], len(entered))
        elif person not in entered:
            entered[person] = len(entered)
            walk.append((person, True))
            walk.extend((report, False) for report in below.get(person, ()))
    return spans


def _require_languages(scenario: doc.Scenario, pool: Pool) -> None:
    """The common-language rule cannot be applied to someone whose languages are unknown:
    an error naming them, never a guess."""
    open_mentors = [m for m in pool.mentors if m.room]
    needed = {p.place for p in (*pool.executives, *open_mentors) if p.languages is None}
    if pool.executives and open_mentors and needed:
        raise ScenarioError(
            [
                FieldError(
                    f"people[{place}].languages",
                    "required to match (the common-language rule; or set "
                    "matching.hard.language: false)",
                )
                for place in sorted(needed)
            ]
        )


def in_reporting_line(executive: Profile, mentor: Profile) -> bool:
    """Either reports, directly or through others, to the other."""
    return _above(mentor, executive) or _above(executive, mentor)


def _above(boss: Profile, person: Profile) -> bool:
    return boss.line[0] < person.line[0] < boss.line[1]


def share_a_language(executive: Profile, mentor: Profile) -> bool:
    return bool(executive.languages and mentor.languages and executive.languages & mentor.languages)
