"""Re-planning in business terms: which sessions moved, and why they had to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import timedelta

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import Booking, PlannedSession, Problem, SessionRequest
from scheduler.rule_names import RuleName
from scheduler.rules.declined_time import decline_text
from scheduler.validation import validate_plan


def placed_session(data: CandidateSet, s: SessionCandidates, choice: int) -> PlannedSession:
    """A frozen session keeps its booked start exactly (it may lie off the grid)."""
    booking = s.request.booking
    start = booking.start if s.frozen and booking else data.start(s, choice)
    moved = booking is not None and start != booking.start
    return PlannedSession(
        pair=s.pair.id,
        index=s.index,
        mentor=s.pair.mentor,
        mentee=s.pair.mentee,
        start=start,
        end=start + timedelta(minutes=s.pair.duration_minutes),
        moved=moved,
        moves=(booking.moves if booking else 0) + (1 if moved else 0),
        frozen=s.frozen,
    )


def with_move_reasons(
    problem: Problem, sessions: Sequence[PlannedSession]
) -> Iterator[PlannedSession]:
    requests = {r.key: r for r in problem.sessions}
    frozen = [s for s in sessions if s.frozen]
    for session in sessions:
        if not session.moved:
            yield session
            continue
        request = requests[session.key]
        yield replace(session, moved_because=why_moved(problem, request, session, frozen))


def why_moved(
    problem: Problem,
    request: SessionRequest,
    session: PlannedSession,
    frozen: Sequence[PlannedSession],
) -> str:
    """What took the booked start: a decline, a rule it now breaks (which busy time,
    holiday, absence...), or nothing, when it moved to let more sessions be placed."""
    booking = request.booking
    assert booking is not None  # only a booked session can move
    if booking.status == "declined":
        return _declined(request, booking)
    if booking.must_leave:
        return f"the session was {booking.status}; it had to leave its start"
    old = replace(
        session, start=booking.start, end=booking.start + (session.end - session.start), moved=False
    )
    broken = [v for v in validate_plan(problem, [old, *frozen]) if (v.pair, v.index) == old.key]
    if broken:
        return "; ".join(f"{v.rule}: {v.message}" for v in broken)
    return "its start was still free; it moved so that more sessions could be placed"


def _declined(request: SessionRequest, booking: Booking) -> str:
    """The decline, and what the session leaves for good (rule `declined_time`)."""
    pair = request.pair
    decline = next(d for d in request.declines if d.start == booking.start)
    left = "that time is"
    if pair.after_decline == "other_day":
        people = " and ".join(f"{role} {pair.person_of(role)}" for role in decline.left_roles())
        both = "both " if decline.by is None else ""
        left = f"that time and that local day of {both}{people} are"
    return (
        f"the session was {decline_text(decline, pair)}; it had to leave its start, and "
        f"{left} not offered to it again ({RuleName.DECLINED_TIME}, "
        f"after_decline: {pair.after_decline})"
    )
