"""The model's decision variables: one Boolean per candidate start of each session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from scheduler.candidates import SessionCandidates


class Variables:
    """Owns the Booleans and answers questions about them; constraints never dig in dicts."""

    def __init__(self, model: cp_model.CpModel, sessions: Sequence[SessionCandidates]) -> None:
        self.model = model
        self.sessions = tuple(sessions)
        self._choices = {
            session.number: [model.new_bool_var("") for _ in range(len(session))]
            for session in self.sessions
        }
        self.anchor_slots: dict[str, set[int]] = {}  # per pair, when restricted: allowed anchors
        self._by_person: dict[str, list[SessionCandidates]] = {}
        self._by_pair: dict[str, list[SessionCandidates]] = {}
        for session in self.sessions:
            for person in dict.fromkeys(session.pair.people):
                self._by_person.setdefault(person, []).append(session)
            self._by_pair.setdefault(session.pair.id, []).append(session)

    def choices(self, session: SessionCandidates) -> list[cp_model.IntVar]:
        """Variable c is true when the session starts at its candidate c."""
        return self._choices[session.number]

    def presence(self, session: SessionCandidates) -> cp_model.LinearExprT:
        return sum(self.choices(session))

    def sessions_of(self, person_id: str) -> list[SessionCandidates]:
        return self._by_person.get(person_id, [])

    def people(self) -> list[str]:
        return list(self._by_person)

    def pairs(self) -> dict[str, list[SessionCandidates]]:
        """Each pair's sessions, in index order."""
        return {pair: sorted(found, key=lambda s: s.index) for pair, found in self._by_pair.items()}

    def restrict(self, anchors: dict[str, set[int]], starts: dict[int, Any]) -> None:
        """Leave out of the soft goals the anchor slots a pair may not keep, and fix to 0
        the candidates no optimum uses (`scheduler.soft_pruning`)."""
        self.anchor_slots = anchors
        for session in self.sessions:
            for choice in starts.get(session.number, ()):
                self.model.proto.variables[self.choices(session)[int(choice)].index].domain[1] = 0

    def chosen(self, solver: cp_model.CpSolver) -> dict[int, int]:
        """Session number -> chosen candidate, for the sessions the solution places."""
        chosen: dict[int, int] = {}
        for session in self.sessions:
            for choice, var in enumerate(self.choices(session)):
                if solver.boolean_value(var):
                    chosen[session.number] = choice
                    break
        return chosen

    def hint(self, chosen: dict[int, int]) -> None:
        """Suggest a full assignment (a warm start): `chosen` placed, the rest off."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for session in self.sessions:
            picked = chosen.get(session.number)
            for choice, var in enumerate(self.choices(session)):
                self.model.add_hint(var, choice == picked)
