"""Groups of sessions that share nobody: each can be planned on its own.

Every hard rule concerns one session, one pair, or one person's sessions, so a session's
validity depends only on its two people and their other sessions. Sessions linked through
people (directly or by a chain of pairs) form a group; groups share nobody, and each is
planned, explained and validated apart, as a problem of its own (`problem_part`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from scheduler.domain import Pair, Problem, SessionRequest


class OfAPair(Protocol):
    @property
    def pair(self) -> Pair: ...


T = TypeVar("T", bound=OfAPair)
U = TypeVar("U")


def independent_groups(sessions: Sequence[T]) -> list[list[T]]:
    """Sessions connected through a person (directly or by a chain of pairs) stay together;
    groups come in the order of their first session."""
    return linked(sessions, lambda session: (session.pair.mentor, session.pair.mentee))


def linked(items: Sequence[U], people: Callable[[U], tuple[str, str]]) -> list[list[U]]:
    """Items (sessions, pairs) grouped by the two people each links, through chains of
    them; groups in the order of their first item."""
    parent: dict[str, str] = {}

    def root(person: str) -> str:
        parent.setdefault(person, person)
        while parent[person] != person:
            parent[person] = parent[parent[person]]
            person = parent[person]
        return person

    for item in items:
        first, second = people(item)
        parent[root(first)] = root(second)
    groups: dict[str, list[U]] = {}
    for item in items:
        groups.setdefault(root(people(item)[0]), []).append(item)
    return list(groups.values())


def problem_of_pairs(problem: Problem, pairs: Iterable[str]) -> Problem:
    """The problem of these pairs alone: their people, their sessions (in order)."""
    kept = set(pairs)
    return problem_part(problem, [r for r in problem.sessions if r.pair.id in kept])


def problem_part(problem: Problem, requests: Sequence[SessionRequest]) -> Problem:
    """The problem of these sessions alone (a group, in order): their pairs and people.
    It costs the size of the group, not of the programme: a programme of 10,000 pairs has
    thousands of groups."""
    pairs = {r.pair.id: r.pair for r in requests}
    people = {p: problem.people[p] for pair in pairs.values() for p in pair.people}
    return replace(problem, people=people, pairs=pairs, sessions=tuple(requests))
