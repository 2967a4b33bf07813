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
    """The least number of a pair's periods that must leave both people a common start."""
    return min(periods, math.ceil(round(share * periods, 9)))


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
    mentors = [pool.mentors[row] for row in candidates]
    scores = _scores(executive, mentors, figures)
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
    executive: ExecutiveProfile, mentors: list[MentorProfile], figures: FitFigures
) -> dict[Goal, IntArray]:
    periods, weeks = max(1, figures.periods), max(1, figures.weeks)
    return {
        Goal.TOPICS: _each(mentors, lambda m: topic_score(executive, m)),
        Goal.LEVEL: _each(mentors, lambda m: level_score(executive, m)),
        Goal.CALENDAR: figures.held * FULL_SCORE // periods,
        Goal.STABLE_SLOT: figures.stable_weeks * FULL_SCORE // weeks,
        Goal.VARIETY: _each(mentors, lambda m: variety_score(executive, m)),
    }


def _each(mentors: list[MentorProfile], score: object) -> IntArray:
    return np.fromiter((score(m) for m in mentors), dtype=np.int64, count=len(mentors))  # type: ignore[operator]


def topic_score(executive: ExecutiveProfile, mentor: MentorProfile) -> int:
    """The share of the topics the executive wants that the mentor knows."""
    if not executive.topics:
        return 0
    known = sum(1 for topic in executive.topics if topic in mentor.skills)
    return known * FULL_SCORE // len(executive.topics)


def level_score(executive: ExecutiveProfile, mentor: MentorProfile) -> int:
    """The share of the wanted topics the mentor knows at the executive's level: any
    level for `discover`, 2 or more for `develop`, 3 (an expert) for `exploit`. Without
    topics, the mentor's best skill counts."""
    if executive.level is None:
        return 0
    need = LEVEL_NEEDS[executive.level]
    if not executive.topics:
        return FULL_SCORE if max(mentor.skills.values(), default=0) >= need else 0
    deep = sum(1 for topic in executive.topics if mentor.skills.get(topic, 0) >= need)
    return deep * FULL_SCORE // len(executive.topics)


def variety_score(executive: ExecutiveProfile, mentor: MentorProfile) -> int:
    """A mentor from another department brings another view: full marks; the same
    department none; half when either department is unknown."""
    if executive.department is None or mentor.department is None:
        return FULL_SCORE // 2
    return FULL_SCORE if executive.department != mentor.department else 0
