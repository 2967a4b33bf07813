"""Daily and weekly caps: a person's mentoring sessions on one local date (ISO week) stay
within the cap of every session there (`Problem.session_cap`: the pair's, the person's,
else the programme's rule)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING

from scheduler.model.variables import summed
from scheduler.rule_names import RuleName
from scheduler.rules.parts import Blocker, HardRule, TakenBy

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.availability import IntArray
    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.domain import CapPeriod
    from scheduler.model.variables import Variables

CapKey = tuple[str, int]  # (person, local date ordinal or ISO week key)


def buckets_of(session: SessionCandidates, person: str, period: CapPeriod) -> IntArray:
    """Each candidate's local date (or ISO week) for `person`."""
    return session.day_of(person) if period == "day" else session.week_of(person)


def add_cap(model: cp_model.CpModel, data: CandidateSet, v: Variables, period: CapPeriod) -> None:
    for person in v.people():
        _add_person_caps(model, data, v, person, period)


def _add_person_caps(
    model: cp_model.CpModel, data: CandidateSet, v: Variables, person: str, period: CapPeriod
) -> None:
    """In each day (or week) of the person: the count of all their sessions is at most the
    cap of every session placed there.

    Caps differ only where a pair or the person sets its own. The largest cap present holds
    whenever anything is placed, so it is a plain linear cap; a smaller cap c holds only
    when a session whose cap is at most c is placed, so it is enforced by an indicator.
    """
    buckets: dict[int, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    for session in v.sessions_of(person):
        cap = data.problem.session_cap(person, session.pair, period)
        for bucket, var in zip(
            buckets_of(session, person, period).tolist(), v.choices(session), strict=True
        ):
            buckets[bucket].append((cap, session.number, var))
    frozen = {s.number for s in v.sessions_of(person) if s.frozen}
    for entries in buckets.values():
        reach = len({number for _, number, _ in entries})
        free = [var for _, number, var in entries if number not in frozen]
        # Frozen sessions stay even beyond a cap; the others then only fill what is left.
        held = len({number for _, number, _ in entries if number in frozen})
        caps = sorted({cap for cap, _, _ in entries})
        for cap in caps:
            if reach <= cap:
                break
            room = max(0, cap - held)
            if cap == caps[-1]:
                model.add(summed(free) <= room)
                continue
            binding = model.new_bool_var("")
            for other_cap, _, var in entries:
                if other_cap <= cap:
                    model.add_implication(var, binding)
            model.add(summed(free) <= room).only_enforce_if(binding)


def add_daily_cap(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    add_cap(model, data, v, "day")


def add_weekly_cap(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    add_cap(model, data, v, "week")


class CapCounts:
    """Sessions booked per person and day (or week), and the smallest cap among them."""

    def __init__(self, data: CandidateSet, period: CapPeriod) -> None:
        self.data = data
        self.period: CapPeriod = period
        self.rule = RuleName.DAILY_CAP if period == "day" else RuleName.WEEKLY_CAP
        self._counts: Counter[CapKey] = Counter()
        self._tightest: dict[CapKey, int] = {}
        self._caps: dict[tuple[str, str], int] = {}  # (person, pair): the session's cap

    def _cap(self, person: str, session: SessionCandidates) -> int:
        """`Problem.session_cap`, asked once per person and pair (the greedy asks often)."""
        key = (person, session.pair.id)
        if key not in self._caps:
            self._caps[key] = self.data.problem.session_cap(person, session.pair, self.period)
        return self._caps[key]

    def _keys(self, session: SessionCandidates, choice: int) -> list[tuple[str, CapKey]]:
        return [
            (person, (person, int(buckets_of(session, person, self.period)[choice])))
            for person in session.pair.people
        ]

    def blockers(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        """One more session must fit its own cap and the caps of those already there."""
        found = []
        for person, key in self._keys(session, choice):
            own = self._cap(person, session)
            cap = min(own, self._tightest.get(key, own))
            if self._counts[key] + 1 > cap:
                found.append(
                    Blocker(self.rule, _cap_text(key, self.period, cap), person=person, limit=cap)
                )
        return found

    def book(self, session: SessionCandidates, choice: int) -> None:
        for person, key in self._keys(session, choice):
            self._counts[key] += 1
            cap = self._cap(person, session)
            self._tightest[key] = min(cap, self._tightest.get(key, cap))


def _cap_text(key: CapKey, period: CapPeriod, cap: int) -> str:
    person, value = key
    if period == "day":
        return f"daily cap of {cap} reached for {person} on {date.fromordinal(value)}"
    year, week = divmod(value, 100)
    return f"weekly cap of {cap} reached for {person} in ISO week {year}-W{week:02d}"


def _daily_counts(data: CandidateSet) -> CapCounts:
    return CapCounts(data, "day")


def _weekly_counts(data: CandidateSet) -> CapCounts:
    return CapCounts(data, "week")


DAILY_CAP = HardRule(
    RuleName.DAILY_CAP,
    candidates=None,
    model=add_daily_cap,
    greedy=_daily_counts,
    explanation=TakenBy("cap_reached"),
)

WEEKLY_CAP = HardRule(
    RuleName.WEEKLY_CAP,
    candidates=None,
    model=add_weekly_cap,
    greedy=_weekly_counts,
    explanation=TakenBy("cap_reached"),
)
