"""Neighbouring placed sessions of a pair start `min_gap_days` apart, in the executive's
local dates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.model.variables import summed
from scheduler.rule_names import RuleName
from scheduler.rules.parts import Blocker, HardRule, TakenBy

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.model.variables import Variables


def add_min_gap(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """Sessions k < j are neighbours when every session between them is unplaced, so the
    rule between them is relaxed by the presence of those in between."""
    for sessions in v.pairs().values():
        gap = sessions[0].pair.min_gap_days
        for k, earlier in enumerate(sessions):
            for j in range(k + 1, len(sessions)):
                later = sessions[j]
                if not _may_be_too_close(earlier, later, gap):
                    break
                if earlier.frozen and later.frozen:
                    continue  # both stay where they are, close or not
                between = [v.presence(s) for s in sessions[k + 1 : j]]
                _add_gap(model, v, earlier, later, gap, summed(between))


def _may_be_too_close(earlier: SessionCandidates, later: SessionCandidates, gap: int) -> bool:
    if len(earlier) == 0 or len(later) == 0:
        return True  # keep looking further: an empty session is always "between"
    return int(later.mentee_day.min()) - int(earlier.mentee_day.max()) < gap


def _add_gap(
    model: cp_model.CpModel,
    v: Variables,
    earlier: SessionCandidates,
    later: SessionCandidates,
    gap: int,
    between: cp_model.LinearExprT,
) -> None:
    if len(earlier) == 0 or len(later) == 0:
        return
    later_days = later.mentee_day.tolist()
    later_vars = v.choices(later)
    for day in sorted(set(earlier.mentee_day.tolist())):
        too_close = [var for d, var in zip(later_days, later_vars, strict=True) if d < day + gap]
        if not too_close:
            continue
        on_day = [
            var
            for d, var in zip(earlier.mentee_day.tolist(), v.choices(earlier), strict=True)
            if d == day
        ]
        model.add(summed([*on_day, *too_close]) <= 1 + between)


class PairDays:
    """The executive's local date of each booked session, per pair."""

    def __init__(self, data: CandidateSet) -> None:
        self._days: dict[str, dict[int, int]] = {}  # pair -> index -> mentee day

    def blockers(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        """Against the placed neighbours in time of the same pair."""
        days = self._days.get(session.pair.id, {})
        day, gap = int(session.mentee_day[choice]), session.pair.min_gap_days
        earlier = [i for i in days if i < session.index]
        later = [i for i in days if i > session.index]
        found = []
        for neighbour in ([max(earlier)] if earlier else []) + ([min(later)] if later else []):
            if abs(day - days[neighbour]) < gap:
                text = f"session {neighbour} of the pair is closer than min_gap_days ({gap})"
                found.append(Blocker(RuleName.MIN_GAP, text))
        return found

    def book(self, session: SessionCandidates, choice: int) -> None:
        days = self._days.setdefault(session.pair.id, {})
        days[session.index] = int(session.mentee_day[choice])


MIN_GAP = HardRule(
    RuleName.MIN_GAP,
    candidates=None,
    model=add_min_gap,
    greedy=PairDays,
    explanation=TakenBy("min_gap"),
)
