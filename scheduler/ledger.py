"""What is booked so far, and what stops one more candidate: the greedy's ledger.

It asks the tracker of every rule that the model enforces between sessions (same padding,
caps and gaps as the model), so the greedy plan is always a solution of the model (and a
valid hint). `explain` asks the same ledger, filled with the final plan, what took each
start of an unplaced session.
"""

from __future__ import annotations

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.rules.parts import Blocker
from scheduler.rules.registry import trackers_of


class Ledger:
    def __init__(self, data: CandidateSet) -> None:
        self.data = data
        self._trackers = trackers_of(data)

    def fits(self, session: SessionCandidates, choice: int) -> bool:
        return not self.blockers(session, choice, first_only=True)

    def blockers(
        self, session: SessionCandidates, choice: int, first_only: bool = False
    ) -> list[Blocker]:
        found: list[Blocker] = []
        for tracker in self._trackers:
            found.extend(tracker.blockers(session, choice))
            if found and first_only:
                break
        return found

    def book(self, session: SessionCandidates, choice: int) -> None:
        for tracker in self._trackers:
            tracker.book(session, choice)


def ledger_of(data: CandidateSet, chosen: dict[int, int]) -> Ledger:
    """The bookings of a finished plan."""
    ledger = Ledger(data)
    for session in data.sessions:
        if session.number in chosen:
            ledger.book(session, chosen[session.number])
    return ledger
