"""Each executive's options: the mentors every hard rule allows, scored on the soft goals.

Hard rules, in the order a refused mentor is counted under (the first that refuses them):
`capacity` (no room left), `language` (no language in common), `reporting_line` (either
reports to the other, directly or through others), `calendar_fit` (fewer periods with a
common start than `matching.min_calendar_share` of the pair's sessions). Each soft goal
scores an option from 0 to 1000; the option's quality is their sum weighted by
`matching.weights` (load spread is the assignment's: it depends on the other pairs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from scheduler import scenario as doc
from scheduler.matching.calendar_fit import CalendarFit, FitFigures
from scheduler.matching.pool import (
    LEVEL_NEEDS,
    ExecutiveProfile,
    MentorProfile,
    Pool,
    in_reporting_line,
    share_a_language,
)
from scheduler.rule_names import MatchRuleName as MatchRule

IntArray = npt.NDArray[np.int64]
FULL_SCORE = 1000


class Goal(StrEnum):
    TOPICS = "topics"
    LEVEL = "level"
    CALENDAR = "calendar"
    STABLE_SLOT = "stable_slot"
    VARIETY = "variety"


@dataclass(frozen=True)
class Options:
    """One executive's allowed mentors (positions in `pool.mentors`) and their scores."""

    executive: ExecutiveProfile
    mentors: IntArray
    quality: IntArray
    scores: dict[Goal, IntArray]
    fit: FitFigures | None  # of the allowed mentors, in the same order
    refused: dict[MatchRule, int]  # mentors refused, by the first rule that refused them
    needed_periods: int  # periods with a common start a pair must have


def required_periods(periods: int, share: float) -> int:
    """The least number of a pair's periods that must leave both people a common start:
    one at least (a share above 0 too small to round up to one still asks for one)."""
    return min(periods, max(1, math.ceil(round(share * periods, 9))))


def options_of(
    executive: ExecutiveProfile, pool: Pool, fit: CalendarFit, matching: doc.Matching
) -> Options:
    refused = dict.fromkeys(MatchRule, 0)
    rows = []
    for row, mentor in enumerate(pool.mentors):
        rule = _first_refusal(executive, mentor, matching.hard)
        if rule is None:
            rows.append(row)
        else:
            refused[rule] += 1
    candidates = np.array(rows, dtype=np.int64)
    figures = fit.of_executive(executive.id, candidates)
    needed = required_periods(figures.periods, matching.min_calendar_share)
    if matching.hard.calendar_fit:
        fits = figures.held >= needed
        refused[MatchRule.CALENDAR_FIT] += int((~fits).sum())
        candidates, figures = candidates[fits], _kept(figures, fits)
    scores = _scores(executive, pool, candidates, figures)
    weights = matching.weights
    quality = sum(
        (scores[goal] * getattr(weights, goal.value) for goal in Goal),
        np.zeros(len(candidates), dtype=np.int64),
    )
    return Options(executive, candidates, quality, scores, figures, refused, needed)


def _first_refusal(
    executive: ExecutiveProfile, mentor: MentorProfile, hard: doc.MatchingRules
) -> MatchRule | None:
    if mentor.room == 0:
        return MatchRule.CAPACITY
    if hard.language and not share_a_language(executive, mentor):
        return MatchRule.LANGUAGE
    if hard.reporting_line and in_reporting_line(executive, mentor):
        return MatchRule.REPORTING_LINE
    return None


def _kept(figures: FitFigures, keep: npt.NDArray[np.bool_]) -> FitFigures:
    return FitFigures(
        periods=figures.periods,
        held=figures.held[keep],
        start_minutes=figures.start_minutes[keep],
        stable_weeks=figures.stable_weeks[keep],
        stable_slot=figures.stable_slot[keep],
        weeks=figures.weeks,
    )


def _scores(
    executive: ExecutiveProfile, pool: Pool, rows: IntArray, figures: FitFigures
) -> dict[Goal, IntArray]:
    periods, weeks = max(1, figures.periods), max(1, figures.weeks)
    mentors = [pool.mentors[row] for row in rows]
    topics, level = topic_and_level_scores(executive, pool, rows)
    return {
        Goal.TOPICS: topics,
        Goal.LEVEL: level,
        Goal.CALENDAR: figures.held * FULL_SCORE // periods,
        Goal.STABLE_SLOT: figures.stable_weeks * FULL_SCORE // weeks,
        Goal.VARIETY: np.fromiter(
            (variety_score(executive, m) for m in mentors), dtype=np.int64, count=len(mentors)
        ),
    }


def topic_and_level_scores(
    executive: ExecutiveProfile, pool: Pool, rows: IntArray
) -> tuple[IntArray, IntArray]:
    """Per mentor at `rows`: the share of the topics the executive wants that the mentor
    knows; and the share known at the executive's level (any level for `discover`, 2 or
    more for `develop`, 3, an expert, for `exploit`), or without topics whether the
    mentor's best skill reaches it. Computed a topic at a time over every mentor at once:
    50 topics wanted of 2,000 mentors with 50 skills each are not 100,000 look-ups each."""
    levels = _levels_in(executive.topics, pool, rows)
    wanted = max(1, len(executive.topics))
    topics = (levels > 0).sum(axis=1).astype(np.int64) * FULL_SCORE // wanted
    if executive.level is None:
        return topics, np.zeros(len(rows), dtype=np.int64)
    need = LEVEL_NEEDS[executive.level]
    if not executive.topics:
        best = np.fromiter(
            (max(pool.mentors[row].skills.values(), default=0) for row in rows),
            dtype=np.int64,
            count=len(rows),
        )
        return topics, np.where(best >= need, FULL_SCORE, 0).astype(np.int64)
    deep = (levels >= need).sum(axis=1).astype(np.int64)
    return topics, deep * FULL_SCORE // wanted


def _levels_in(topics: tuple[str, ...], pool: Pool, rows: IntArray) -> npt.NDArray[np.int8]:
    """The level (0: none) of each mentor at `rows` in each topic, a column per topic."""
    levels = np.zeros((len(pool.mentors), len(topics)), dtype=np.int8)
    for column, topic in enumerate(topics):
        known = pool.skilled.get(topic)
        if known is not None:
            levels[known[0], column] = known[1]
    return levels[rows]


def variety_score(executive: ExecutiveProfile, mentor: MentorProfile) -> int:
    """A mentor from another department brings another view: full marks; the same
    department none; half when either department is unknown."""
    if executive.department is None or mentor.department is None:
        return FULL_SCORE // 2
    return FULL_SCORE if executive.department != mentor.department else 0
