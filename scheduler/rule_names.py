"""The names of the hard rules of a plan.

One name per rule of the format's "Hard constraints of a plan" (and of re-planning). The
validator reports violations by these names; the model, the greedy and the explanations
implement the same rules under the same names (`scheduler.rules.registry`), and a test
checks that the four name sets agree.
"""

from __future__ import annotations

from enum import StrEnum


class RuleName(StrEnum):
    KNOWN_SESSION = "known_session"  # a required session, placed at most once
    PEOPLE = "people"  # the pair's own mentor and executive, one-on-one
    ON_GRID = "on_grid"
    DURATION = "duration"
    INSIDE_HORIZON = "inside_horizon"
    INSIDE_PERIOD = "inside_period"
    NOTICE_WINDOW = "notice_window"  # nothing new starts before now + min_notice_hours
    FROZEN = "frozen"  # a booked session inside the notice window stays
    LEFT_START = "left_start"  # a declined or cancelled session leaves its start
    DECLINED_TIME = "declined_time"  # ...and never goes back over a time it was declined at
    MAX_MOVES = "max_moves"  # a session moved max_moves_per_session times moves no more
    WORKING_HOURS = "working_hours"
    HOLIDAY = "holiday"
    OUT_OF_OFFICE = "out_of_office"
    AVAILABLE_FROM = "available_from"
    BUSY_TIME = "busy_time"
    DOUBLE_BOOKING = "double_booking"
    MIN_GAP = "min_gap"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"


class PlanFileCheck(StrEnum):
    """Checks of a plan file itself, beyond the rules of the plan it describes: what
    `tandem verify` also reports on a plan edited by hand."""

    LOCAL_TIME = "local_time"  # mentee_local and mentor_local say the time `start` says
    KIND = "kind"  # a session's `kind`, when written, is its pair's (mentoring, supervision)


class MatchRuleName(StrEnum):
    """The hard rules of a matching: the matcher's options refuse mentors by these names
    and the independent check of a matched scenario reports violations by them."""

    CAPACITY = "capacity"  # a mentor has at most `capacity` executives
    LANGUAGE = "language"  # the pair shares a language
    REPORTING_LINE = "reporting_line"  # neither reports, directly or not, to the other
    CALENDAR_FIT = "calendar_fit"  # enough periods leave both a common start
