"""Groups of sessions that share nobody, packed into solves of a bounded size."""

from __future__ import annotations

from scheduler.candidates import SessionCandidates


def independent_groups(sessions: list[SessionCandidates]) -> list[list[SessionCandidates]]:
    """Sessions connected through a person (directly or by a chain of pairs) stay together."""
    parent: dict[str, str] = {}

    def root(person: str) -> str:
        parent.setdefault(person, person)
        while parent[person] != person:
            parent[person] = parent[parent[person]]
            person = parent[person]
        return person

    for session in sessions:
        parent[root(session.pair.mentor)] = root(session.pair.mentee)
    groups: dict[str, list[SessionCandidates]] = {}
    for session in sessions:
        groups.setdefault(root(session.pair.mentor), []).append(session)
    return list(groups.values())


def pack(groups: list[list[SessionCandidates]], capacity: int) -> list[list[SessionCandidates]]:
    """First-fit of whole groups into batches of about `capacity` candidate starts.

    One solve per batch keeps each model small (presolve and the soft pass scale badly on
    one huge model) without the overhead of thousands of tiny solves.
    """
    batches: list[list[SessionCandidates]] = []
    load = 0
    for group in sorted(groups, key=lambda g: -_size(g)):
        if not batches or load + _size(group) > capacity:
            batches.append([])
            load = 0
        batches[-1].extend(group)
        load += _size(group)
    return [sorted(batch, key=lambda s: s.number) for batch in batches]


def _size(group: list[SessionCandidates]) -> int:
    return sum(max(1, len(session)) for session in group)
