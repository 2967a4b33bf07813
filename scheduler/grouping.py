"""Groups of sessions that share nobody: each can be solved on its own."""

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
