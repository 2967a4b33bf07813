"""Reasons a planner can act on, for every session a plan does not place.

Two kinds of answer. A session with no candidate start has its possible starts narrowed
down rule by rule, in the registry's order (horizon and period, notice window, working
hours, days off, training, busy time, booked sessions' rules), and the first rule that
leaves no start both people share names the reason. A session whose candidates exist but
were not used gets, per candidate, what took it in the final plan: another pair's
session, a daily or weekly cap, the gap to a neighbouring session.
"""

from __future__ import annotations

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import Unplaced
from scheduler.ledger import Ledger, ledger_of
from scheduler.rule_names import RuleName
from scheduler.rules.narrowing import Narrowing, narrowing_steps, when
from scheduler.rules.parts import HardRule, NoStartLeft, TakenBy
from scheduler.rules.registry import HARD_RULES

TAKEN_CODES = {r.name: r.explanation.code for r in HARD_RULES if isinstance(r.explanation, TakenBy)}
MIXED_CODE = "slots_taken_or_capped"


def explain_unplaced(data: CandidateSet, chosen: dict[int, int]) -> tuple[Unplaced, ...]:
    missing = [s for s in data.sessions if s.number not in chosen]
    if all(len(s) == 0 for s in missing):  # the plan's ledger only explains taken starts
        found = [_no_start(data, s) for s in missing]
    else:
        ledger = ledger_of(data, chosen)
        found = [_why_taken(ledger, s) if len(s) else _no_start(data, s) for s in missing]
    return tuple(found)


NARROWING_RULES = [r for r in HARD_RULES if r.candidates is not None]
# Measured on the bench programmes: busy time takes the last start of nearly every session
# left without one, so that rule is tried first (two probes instead of a full halving).
USUAL = next(i for i, r in enumerate(NARROWING_RULES) if r.name == RuleName.BUSY_TIME)


def _no_start(data: CandidateSet, s: SessionCandidates) -> Unplaced:
    rules = NARROWING_RULES
    steps = narrowing_steps(data, s, [r.candidates for r in rules])
    # steps[i] is the narrowing by the first i rules; each rule only removes starts, so the
    # reason is the rule after the last step that leaves a start.
    if not len(steps[USUAL + 1].starts()) and len(steps[USUAL].starts()):
        return _explained(rules[USUAL], steps[USUAL + 1])
    if len(steps[-1].starts()):
        # Every rule leaves a start, yet the candidates have none: the rules and the
        # candidates disagree. Say so rather than guess a reason.
        text = (
            f"{when(s, data.problem)}: no candidate start (an internal inconsistency; "
            "please report it)"
        )
        return Unplaced(s.pair.id, s.index, text, "no_candidate", s.pair.people)
    keeps, empties = 0, len(rules)  # the first `keeps` rules leave a start; `empties` none
    while empties - keeps > 1:
        middle = (keeps + empties) // 2
        if len(steps[middle].starts()):
            keeps = middle
        else:
            empties = middle
    return _explained(rules[empties - 1], steps[empties])


def _explained(rule: HardRule, narrowed: Narrowing) -> Unplaced:
    """The reason `rule` gives, being the first to leave no start (`narrowed` is after it)."""
    explanation = rule.explanation
    assert isinstance(explanation, NoStartLeft), rule.name
    return explanation.explain(narrowed)


def _why_taken(ledger: Ledger, s: SessionCandidates) -> Unplaced:
    blockers = [ledger.blockers(s, choice) for choice in range(len(s))]
    pair, problem = s.pair, ledger.data.problem
    open_starts = sum(1 for found in blockers if not found)
    if open_starts:
        text = (
            f"{when(s, problem)}: {open_starts} free start(s) remain, but the solver stopped "
            "before placing this session; give it more time (--time-limit)"
        )
        return Unplaced(pair.id, s.index, text, "not_placed_in_time", pair.people)
    every = [b for found in blockers for b in found]
    takers = sorted({b.text for b in every if b.rule == RuleName.DOUBLE_BOOKING})
    parts = (["taken by the sessions of " + ", ".join(takers)] if takers else []) + sorted(
        {b.text for b in every if b.rule != RuleName.DOUBLE_BOOKING}
    )
    codes = {TAKEN_CODES[b.rule] for b in every}
    code = codes.pop() if len(codes) == 1 else MIXED_CODE
    text = f"{when(s, problem)}: the only {len(s)} free start(s) of both people are " + "; ".join(
        parts
    )
    blocking = tuple(sorted({b.pair for b in every if b.pair is not None}))
    return Unplaced(pair.id, s.index, text, code, pair.people, blocking)
