"""The model's decision variables: one Boolean per candidate start of each session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from scheduler.candidates import SessionCandidates


def summed(terms: Sequence[cp_model.LinearExprT]) -> cp_model.LinearExprT:
    """The sum of `terms`, built by OR-Tools in one call (Python's `sum` makes one node per
    term: 8.8 ms against 3.8 ms for 20,000 variables); 0 when there are none, so that an
    empty goal stays a plain 0."""
    return cp_model.LinearExpr.sum(list(terms)) if terms else 0


class Variables:
    """Owns the Booleans and answers questions about them; constraints never dig in dicts."""

    def __init__(self, model: cp_model.CpModel, sessions: Sequence[SessionCandidates]) -> None:
        self.model = model
        self.sessions = tuple(sessions)
        self._choices = {
            session.number: [model.new_bool_var("") for _ in range(len(session))]
            for session in self.sessions
        }
        # The choices are the model's first variables, one session's after another: the
        # hint and the solution read them as one run of indices, not one call per variable.
        self._first = {n: choices[0].index for n, choices in self._choices.items() if choices}
        self._count = sum(len(choices) for choices in self._choices.values())
        assert not self._count or max(self._first.values()) < self._count, "a fresh model"
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
        return summed(self.choices(session))

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
        values = list(solver.response_proto.solution)[: self._count]
        chosen: dict[int, int] = {}
        for number, first in self._first.items():
            for choice, value in enumerate(values[first : first + len(self._choices[number])]):
                if value:
                    chosen[number] = choice
                    break
        return chosen

    def hint(self, chosen: dict[int, int] | None) -> None:
        """Suggest a full assignment (a warm start): `chosen` placed, the rest off; None:
        no hint."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        if chosen is None:
            return
        values = [0] * self._count
        for number, choice in chosen.items():
            if number in self._first:
                values[self._first[number] + choice] = 1
        hint = self.model.proto.solution_hint  # after clearing: clearing replaces it
        hint.vars.extend(range(self._count))
        hint.values.extend(values)
