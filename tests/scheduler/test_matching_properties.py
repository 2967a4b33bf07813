"""Properties of every matching, on random pools (hypothesis): the pairs it forms keep
every hard rule by the independent check; more mentors never match fewer executives; the
optimal matching never matches fewer than the greedy; the planner's own pairs stay."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scheduler.matching.match import MatchResult, match_pool, with_matched_pairs
from scheduler.matching.options import topic_and_level_scores
from scheduler.matching.pool import LEVEL_NEEDS, ExecutiveProfile, MentorProfile, pool_of
from scheduler.matching_check import check_matching
from scheduler.problem import build_problem
from scheduler.scenario_checks import validate_scenario
from tests.strategies import DAYS, ZONES, busy_times, working_hours

LANGUAGES = ["en", "fr", "de"]
TOPICS = ["linkedin", "generative-ai", "collaboration-tools", "teams"]


@st.composite
def profile(draw: st.DrawFn, person_id: str, role: str, bosses: list[str]) -> dict[str, Any]:
    person: dict[str, Any] = {
        "id": person_id,
        "role": role,
        "timezone": draw(st.sampled_from(ZONES)),
        "working_hours": draw(working_hours()),
        "busy": draw(busy_times()),
        "languages": draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2)),
        "department": draw(st.sampled_from(["sales", "it", "hr"])),
    }
    if bosses and draw(st.booleans()):
        person["reports_to"] = draw(st.sampled_from(bosses))
    if role == "executive":
        person["level"] = draw(st.sampled_from(["discover", "develop", "exploit"]))
        person["topics"] = draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
    else:
        chosen = draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
        person["skills"] = {topic: draw(st.integers(1, 3)) for topic in chosen}
        person["capacity"] = draw(st.integers(1, 2))
        if draw(st.integers(0, 3)) == 0:
            person["available_from"] = draw(st.sampled_from(DAYS))
    return person


@st.composite
def pools(draw: st.DrawFn) -> dict[str, Any]:
    """A random pool: reporting lines run through earlier people and two managers."""
    people: list[dict[str, Any]] = []
    bosses = ["boss", "lead"]
    executives, mentors = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    roles = ["executive"] * executives + ["mentor"] * mentors
    for number, role in enumerate(roles):
        people.append(draw(profile(f"{role[0]}{number}", role, bosses)))
        bosses.append(people[-1]["id"])
    document: dict[str, Any] = {
        "version": 1,
        "timezone": "Europe/Paris",
        "horizon": {"start": "2027-03-08", "weeks": 4},
        "people": people,
        "pairs": [],
        "managers": [{"id": "boss"}, {"id": "lead", "reports_to": "boss"}],
        "matching": {"min_calendar_share": draw(st.sampled_from([0.5, 0.75, 1.0]))},
    }
    if draw(st.booleans()):  # the planner fixed one pair
        document["pairs"] = [{"id": "fixed", "mentor": people[-1]["id"], "mentee": "e0"}]
        people[-1]["capacity"] = 2
        people[0].pop("reports_to", None)
        people[-1].pop("reports_to", None)
    return document


def matched(document: dict[str, Any], method: str = "optimal") -> MatchResult:
    checked = validate_scenario(document)
    return match_pool(checked, build_problem(checked), method)  # type: ignore[arg-type]


@given(pools())
def test_every_pair_formed_keeps_every_hard_rule_and_the_planners_pairs_stay(
    document: dict[str, Any],
) -> None:
    checked = validate_scenario(document)
    result = match_pool(checked, build_problem(checked))
    with_pairs = with_matched_pairs(checked, result)
    found = check_matching(with_pairs, build_problem(with_pairs))
    # The planner's own pair may break a rule (it is random); the pairs formed may not,
    # and no mentor, counting the planner's pair, has more executives than room.
    formed = {p.pair for p in result.pairs}
    assert [str(v) for v in found if v.pair in formed or v.rule == "capacity"] == []
    assert [p.id for p in with_pairs.pairs[: len(document["pairs"])]] == [
        p["id"] for p in document["pairs"]
    ]
    fixed_executives = {p["mentee"] for p in document["pairs"]}
    assert not fixed_executives & {p.executive for p in result.pairs}


@given(pools(), st.data())
def test_adding_a_mentor_never_matches_fewer_executives(
    document: dict[str, Any], data: st.DataObject
) -> None:
    before = len(matched(document).pairs)
    newcomer = data.draw(profile("newcomer", "mentor", []))
    document["people"].append(newcomer)
    assert len(matched(document).pairs) >= before


@given(pools())
def test_the_optimal_matching_matches_at_least_as_many_as_the_greedy(
    document: dict[str, Any],
) -> None:
    assert len(matched(document).pairs) >= len(matched(document, "greedy").pairs)


def topic_and_level_by_definition(e: ExecutiveProfile, m: MentorProfile) -> tuple[int, int]:
    """The format document's words, one mentor at a time."""
    wanted = max(1, len(e.topics))
    topics = sum(1 for t in e.topics if t in m.skills) * 1000 // wanted
    if e.level is None:
        return topics, 0
    need = LEVEL_NEEDS[e.level]
    if not e.topics:
        return topics, 1000 if max(m.skills.values(), default=0) >= need else 0
    return topics, sum(1 for t in e.topics if m.skills.get(t, 0) >= need) * 1000 // wanted


@given(pools(), st.data())
def test_topic_and_level_scores_over_all_mentors_at_once_are_each_mentors_by_definition(
    document: dict[str, Any], data: st.DataObject
) -> None:
    for person in document["people"]:  # topics in any case; levels and topics may be absent
        if person["role"] == "executive" and data.draw(st.booleans()):
            person["topics"] = [t.upper() for t in person["topics"]] or ["Teams"]
            if data.draw(st.booleans()):
                del person["level"]
    pool = pool_of(validate_scenario(document))
    rows = np.arange(len(pool.mentors), dtype=np.int64)
    for e in pool.executives:
        topics, level = topic_and_level_scores(e, pool, rows)
        expected = [topic_and_level_by_definition(e, m) for m in pool.mentors]
        assert list(zip(topics.tolist(), level.tolist(), strict=True)) == expected
