"""The hard rules of a plan, one `add_<rule>` function each, registered in `HARD_RULES`.

The names match the rule names of `scheduler.validation`, which checks the same rules
independently on every plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import CapPeriod
from scheduler.model.variables import Variables

Rule = Callable[[cp_model.CpModel, CandidateSet, Variables], None]


def add_one_start_per_session(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """A session is placed at most once; a frozen session is placed at its booked start."""
    for session in v.sessions:
        if session.frozen:
            model.add(v.choices(session)[0] == 1)
        elif len(session) > 1:
            model.add_at_most_one(v.choices(session))


def add_no_double_booking(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """A person's sessions, widened by their buffer, never overlap.

    At most one over each maximal clique of overlapping candidates: the tight encoding of
    an interval graph, far stronger than pairwise conflicts.
    """
    for person in v.people():
        pad = data.padding_cells[person]
        frozen = {s.number for s in v.sessions_of(person) if s.frozen}
        intervals = [
            (int(start), int(start) + session.length + pad, session.number, var)
            for session in v.sessions_of(person)
            for start, var in zip(session.starts, v.choices(session), strict=True)
        ]
        for clique in maximal_cliques(intervals):
            _add_clique(model, clique, frozen)


def _add_clique(
    model: cp_model.CpModel, clique: list[tuple[int, cp_model.IntVar]], frozen: set[int]
) -> None:
    """At most one of the clique; next to a frozen session (which stays even when it
    overlaps another frozen one), none of the others."""
    free = [var for number, var in clique if number not in frozen]
    if len(free) == len(clique):
        model.add_at_most_one(free)
    elif free:
        model.add(sum(free) == 0)


def maximal_cliques(
    intervals: list[tuple[int, int, int, cp_model.IntVar]],
) -> Iterator[list[tuple[int, cp_model.IntVar]]]:
    """Sweep over half-open intervals (start, end, owner, var); yield cliques that matter,
    as (owner, var).

    A clique is worth a constraint only when it holds candidates of two sessions or more
    (one session's candidates already exclude each other).
    """
    events = sorted(
        [(start, 1, i) for i, (start, _, _, _) in enumerate(intervals)]
        + [(end, 0, i) for i, (_, end, _, _) in enumerate(intervals)]
    )
    active: dict[int, None] = {}
    opened_since_emit = False
    for _, is_start, i in events:
        if is_start:
            active[i] = None
            opened_since_emit = True
            continue
        if opened_since_emit and len({intervals[j][2] for j in active}) > 1:
            yield [(intervals[j][2], intervals[j][3]) for j in active]
        opened_since_emit = False
        del active[i]


def add_daily_cap(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """Sessions on a person's local date stay within the cap of each session there."""
    for person in v.people():
        _add_caps(model, data, v, person, "day")


def add_weekly_cap(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """Sessions in a person's local ISO week stay within the cap of each session there."""
    for person in v.people():
        _add_caps(model, data, v, person, "week")


def _add_caps(
    model: cp_model.CpModel, data: CandidateSet, v: Variables, person: str, period: CapPeriod
) -> None:
    """In each day (or week) of the person: the count of all their sessions is at most the
    cap of every session placed there (`Problem.session_cap`).

    Caps differ only where a pair or the person sets its own. The largest cap present holds
    whenever anything is placed, so it is a plain linear cap; a smaller cap c holds only
    when a session whose cap is at most c is placed, so it is enforced by an indicator.
    """
    buckets: dict[int, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    for session in v.sessions_of(person):
        cap = data.problem.session_cap(person, session.pair, period)
        bucket_of = session.day_of(person) if period == "day" else session.week_of(person)
        for bucket, var in zip(bucket_of.tolist(), v.choices(session), strict=True):
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
                model.add(sum(free) <= room)
                continue
            binding = model.new_bool_var("")
            for other_cap, _, var in entries:
                if other_cap <= cap:
                    model.add_implication(var, binding)
            model.add(sum(free) <= room).only_enforce_if(binding)


def add_min_gap(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """Neighbouring placed sessions of a pair start `min_gap_days` mentee-local days apart.

    Sessions k < j are neighbours when every session between them is unplaced, so the
    rule between them is relaxed by the presence of those in between.
    """
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
                _add_gap(model, v, earlier, later, gap, sum(between))


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
        model.add(sum(on_day) + sum(too_close) <= 1 + between)


HARD_RULES: tuple[tuple[str, Rule], ...] = (
    ("one_start_per_session", add_one_start_per_session),
    ("double_booking", add_no_double_booking),
    ("daily_cap", add_daily_cap),
    ("weekly_cap", add_weekly_cap),
    ("min_gap", add_min_gap),
)
"""Rules the model must enforce. The rest (grid, period, horizon, working hours, holidays,
out of office, busy time, buffers to busy time, available_from) are met by construction:
only candidates that respect them exist."""
