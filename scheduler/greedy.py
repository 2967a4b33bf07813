"""The greedy baseline: sessions booked one at a time at the earliest start that fits.

It is what a person does with Outlook's scheduling assistant, the yardstick the optimiser
is measured against, the optimiser's first hint, and its floor.
"""

from __future__ import annotations

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.ledger import Ledger


def greedy_choices(data: CandidateSet, sessions: list[SessionCandidates]) -> dict[int, int]:
    """Book sessions one at a time at the earliest slot that still fits, pair by pair,
    as a person would with Outlook's scheduling assistant."""
    ledger = Ledger(data)
    chosen: dict[int, int] = {}
    for session in (s for s in sessions if s.frozen):  # they stay, whatever they break
        ledger.book(session, 0)
        chosen[session.number] = 0
    for session in sessions:  # then booked sessions keep their start where they still can
        if not session.frozen and session.keep is not None and ledger.fits(session, session.keep):
            ledger.book(session, session.keep)
            chosen[session.number] = session.keep
    for session in sessions:
        if session.number in chosen:
            continue
        for choice in range(len(session)):
            if ledger.fits(session, choice):
                ledger.book(session, choice)
                chosen[session.number] = choice
                break
    return chosen
