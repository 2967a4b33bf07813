"""What is booked so far, and what stops one more candidate: the greedy's ledger.

It applies the same hard rules as the model (same padding, caps and gaps), so the greedy
plan is always a solution of the model (and a valid hint). `explain` asks the same ledger,
filled with the final plan, what took each start of an unplaced session.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import CapPeriod

CapKey = tuple[str, CapPeriod, int]  # (person, "day" or "week", date ordinal or ISO week key)


@dataclass(frozen=True)
class Blocker:
    kind: Literal["session", "cap", "gap"]
    text: str
    pair: str | None = None


class Ledger:
    def __init__(self, data: CandidateSet) -> None:
        self.data = data
        self._starts: dict[str, list[int]] = {}
        self._booked: dict[str, list[tuple[int, int, str]]] = {}  # (start, padded end, pair)
        self._counts: Counter[CapKey] = Counter()
        self._tightest: dict[CapKey, int] = {}  # smallest cap of the sessions booked there
        self._pair_days: dict[str, dict[int, int]] = {}  # pair -> index -> mentee day

    def fits(self, session: SessionCandidates, choice: int) -> bool:
        return not self.blockers(session, choice, first_only=True)

    def blockers(
        self, session: SessionCandidates, choice: int, first_only: bool = False
    ) -> list[Blocker]:
        found: list[Blocker] = []
        for check in (self._sessions_in_the_way, self._caps_reached, self._gaps_too_short):
            found.extend(check(session, choice))
            if found and first_only:
                break
        return found

    def book(self, session: SessionCandidates, choice: int) -> None:
        start = int(session.starts[choice])
        for person in session.pair.people:
            end = start + session.length + self.data.padding_cells[person]
            starts = self._starts.setdefault(person, [])
            position = bisect.bisect(starts, start)
            starts.insert(position, start)
            self._booked.setdefault(person, []).insert(position, (start, end, session.pair.id))
            for key in cap_keys(session, choice, person):
                self._counts[key] += 1
                cap = self.data.problem.session_cap(person, session.pair, key[1])
                self._tightest[key] = min(cap, self._tightest.get(key, cap))
        days = self._pair_days.setdefault(session.pair.id, {})
        days[session.index] = int(session.mentee_day[choice])

    def _sessions_in_the_way(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        """Booked intervals of a person never overlap, so the ones in the way are adjacent."""
        start = int(session.starts[choice])
        found = []
        for person in session.pair.people:
            end = start + session.length + self.data.padding_cells[person]
            starts, booked = self._starts.get(person, []), self._booked.get(person, [])
            position = max(0, bisect.bisect(starts, start) - 1)
            while position < len(booked) and booked[position][0] < end:
                _, other_end, pair = booked[position]
                if other_end > start:
                    found.append(Blocker("session", f"{pair} ({person})", pair))
                position += 1
        return found

    def _caps_reached(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        """One more session must fit its own cap and the caps of those already there."""
        found = []
        for person in session.pair.people:
            for key in cap_keys(session, choice, person):
                own = self.data.problem.session_cap(person, session.pair, key[1])
                cap = min(own, self._tightest.get(key, own))
                if self._counts[key] + 1 > cap:
                    found.append(Blocker("cap", _cap_text(key, cap)))
        return found

    def _gaps_too_short(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        """Against the placed neighbours in time of the same pair."""
        days = self._pair_days.get(session.pair.id, {})
        day, gap = int(session.mentee_day[choice]), session.pair.min_gap_days
        earlier = [i for i in days if i < session.index]
        later = [i for i in days if i > session.index]
        found = []
        for neighbour in ([max(earlier)] if earlier else []) + ([min(later)] if later else []):
            if abs(day - days[neighbour]) < gap:
                found.append(
                    Blocker(
                        "gap",
                        f"session {neighbour} of the pair is closer than min_gap_days ({gap})",
                    )
                )
        return found


def cap_keys(session: SessionCandidates, choice: int, person: str) -> list[CapKey]:
    """The person's local day and ISO week of a candidate."""
    day, week = int(session.day_of(person)[choice]), int(session.week_of(person)[choice])
    return [(person, "day", day), (person, "week", week)]


def _cap_text(key: CapKey, cap: int) -> str:
    person, period, value = key
    if period == "day":
        return f"daily cap of {cap} reached for {person} on {date.fromordinal(value)}"
    year, week = divmod(value, 100)
    return f"weekly cap of {cap} reached for {person} in ISO week {year}-W{week:02d}"


def ledger_of(data: CandidateSet, chosen: dict[int, int]) -> Ledger:
    """The bookings of a finished plan."""
    ledger = Ledger(data)
    for session in data.sessions:
        if session.number in chosen:
            ledger.book(session, chosen[session.number])
    return ledger
