"""A declined session never goes back to the time it was declined at.

Every start a session was declined at (now, or in an earlier plan: the request's
`declines`) rules out each start whose session, widened by the pair's buffer, overlaps
the declined time (the declined start and the pair's duration). With the pair's
`after_decline: other_day` (the default) the session also leaves the local day of the
person who declined (of both people, when who declined is not known): moving a refused
16:00 to 16:15 would be no answer to the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from scheduler.domain import Decline, Unplaced
from scheduler.rule_names import RuleName
from scheduler.rules.calendar import BOOKS_CANDIDATES
from scheduler.rules.parts import HardRule, NoStartLeft, StartFilter
from scheduler.time_grid import epoch_minutes, local_date, local_midnight

if TYPE_CHECKING:
    from scheduler.availability import BoolArray, IntArray
    from scheduler.domain import Pair, Problem, SessionRequest
    from scheduler.rules.narrowing import Narrowing
    from scheduler.time_grid import Grid


def declined_day_spans(decline: Decline, pair: Pair, problem: Problem) -> Iterator[tuple[int, int]]:
    """The local days a session leaves after this decline, as epoch minutes [first, end)
    of their starts: none with `other_time`."""
    if pair.after_decline != "other_day":
        return
    for role in decline.left_roles():
        tz = problem.people[pair.person_of(role)].tz
        day = local_date(decline.start, tz)
        first, end = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
        yield epoch_minutes(first), epoch_minutes(end)


def _declined_starts(request: SessionRequest, problem: Problem, minutes: IntArray) -> BoolArray:
    """Which of these starts (epoch minutes) a decline of the session rules out."""
    pair = request.pair
    length, buffer = pair.duration_minutes, pair.buffer_minutes
    hit = np.zeros(minutes.shape[0], dtype=bool)
    for decline in request.declines:
        at = epoch_minutes(decline.start)
        hit |= (minutes < at + length + buffer) & (minutes + length > at - buffer)
        for first, end in declined_day_spans(decline, pair, problem):
            hit |= (minutes >= first) & (minutes < end)
    return hit


def on_a_declined_time(request: SessionRequest, problem: Problem, start: datetime) -> bool:
    """Whether a session of `request` starting at `start` would go back to a declined time
    (a re-plan re-plans such a session's group even when nothing else changed)."""
    if not request.declines:  # most sessions: no array for them
        return False
    minute = np.array([epoch_minutes(start)], dtype=np.int64)
    return bool(_declined_starts(request, problem, minute)[0])


def _leaves_declined_times(
    request: SessionRequest, grid: Grid, problem: Problem, starts: IntArray
) -> IntArray:
    if not request.declines:
        return starts
    minutes = grid.origin_minute + starts * grid.step
    kept: IntArray = starts[~_declined_starts(request, problem, minutes)]
    return kept


def decline_text(decline: Decline, pair: Pair) -> str:
    """`declined at 2027-01-06 09:00 UTC by executive e1` (`by an attendee` when unknown)."""
    who = (
        f"{pair.role_word(decline.by)} {pair.person_of(decline.by)}"
        if decline.by
        else "an attendee"
    )
    return f"declined at {decline.start:%Y-%m-%d %H:%M} UTC by {who}"


def _only_declined_times_left(n: Narrowing) -> Unplaced:
    pair = n.pair
    where = (
        "overlap a time the session was declined at or lie on that local day of the person "
        "who declined it (after_decline: other_day)"
        if pair.after_decline == "other_day"
        else "overlap a time the session was declined at (after_decline: other_time)"
    )
    declined = "; ".join(decline_text(d, pair) for d in n.request.declines)
    text = f"{n.when()}: the only starts both people have free {where}: {declined}"
    return Unplaced(pair.id, n.session.index, text, "only_declined_time_left", pair.people)


DECLINED_TIME = HardRule(
    RuleName.DECLINED_TIME,
    candidates=StartFilter(_leaves_declined_times),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_only_declined_times_left),
)
