"""Matching on tiny hand-made pools whose right answer is known."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unittest.mock import ANY

import pytest

from scheduler.errors import ScenarioError
from scheduler.matching import calendar_fit
from scheduler.matching.match import MatchResult, match_pool, with_matched_pairs
from scheduler.matching_check import check_matching
from scheduler.problem import build_problem
from scheduler.scenario_checks import validate_scenario
from tests.builders import executive, mentor, scenario

EN = ["en"]


def matched(document: dict[str, Any], method: str = "optimal") -> MatchResult:
    """The matching, held to the independent check: every pair it forms keeps every rule."""
    checked = validate_scenario(document)
    result = match_pool(checked, build_problem(checked), method)  # type: ignore[arg-type]
    with_pairs = with_matched_pairs(checked, result)
    assert check_matching(with_pairs, build_problem(with_pairs)) == []
    return result


def violations(document: dict[str, Any]) -> list[str]:
    checked = validate_scenario(document)
    return [str(v) for v in check_matching(checked, build_problem(checked))]


def pool(people: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return scenario(people, [], horizon={"start": "2027-01-04", "weeks": 4}, **fields)


def mentors_of(result: MatchResult) -> dict[str, str]:
    return {p.executive: p.mentor for p in result.pairs}


def expert_against_novice(**fields: Any) -> dict[str, Any]:
    """An expert who works only afternoons, a novice who works the day; the executive
    works mornings and wants what the expert knows best."""
    people = [
        executive(
            "e1",
            languages=EN,
            topics=["linkedin", "generative-ai"],
            level="exploit",
            working_hours={"mon-fri": ["09:00-12:00"]},
        ),
        mentor(
            "expert",
            languages=EN,
            skills={"linkedin": 3, "generative-ai": 3},
            working_hours={"mon-fri": ["13:00-18:00"]},
        ),
        mentor("novice", languages=EN, skills={"linkedin": 1}),
    ]
    return pool(people, **fields)


def test_a_mentor_whose_calendar_never_meets_the_executive_loses_to_a_weaker_profile_that_does():
    result = matched(expert_against_novice())
    assert mentors_of(result) == {"e1": "novice"}
    assert result.pairs[0].topics == ("linkedin",)


def test_without_the_calendar_rule_the_expert_wins_on_profile():
    result = matched(expert_against_novice(matching={"hard": {"calendar_fit": False}}))
    assert mentors_of(result) == {"e1": "expert"}


def test_the_reporting_line_is_respected_through_two_levels():
    people = [
        executive("ceo", languages=EN, topics=["linkedin"]),
        executive("vp", languages=EN, reports_to="ceo"),
        # The junior reports to a manager outside the programme, who reports to the vp.
        mentor("junior", languages=EN, skills={"linkedin": 3}, reports_to="lead"),
        mentor("outsider", languages=EN, skills={"linkedin": 1}),
    ]
    document = pool(people, managers=[{"id": "lead", "reports_to": "vp"}])
    result = matched(document)
    # junior is below ceo (through lead and vp) and below vp: neither may have them.
    assert mentors_of(result)["ceo"] == "outsider"
    assert "vp" not in mentors_of(result)
    (left,) = result.unmatched
    assert left.executive == "vp"
    assert left.refused["reporting_line"] == 1
    assert "1 are in the reporting line" in left.reason()


def test_a_common_language_is_required_and_counted():
    people = [
        executive("e1", languages=["fr"]),
        mentor("m1", languages=["en"]),
        mentor("m2", languages=["EN", "Fr"]),
    ]
    result = matched(pool(people))
    assert mentors_of(result) == {"e1": "m2"}


def one_mentor_for_two() -> dict[str, Any]:
    """e1 prefers m1, but only m1 can take e2."""
    people = [
        executive("e1", languages=EN, topics=["linkedin"]),
        executive("e2", languages=["fr"]),
        mentor("m1", languages=["en", "fr"], skills={"linkedin": 3}),
        mentor("m2", languages=EN),
    ]
    return pool(people)


def test_as_many_executives_as_possible_are_matched_before_any_profile_counts():
    optimal = matched(one_mentor_for_two())
    assert mentors_of(optimal) == {"e1": "m2", "e2": "m1"}  # e1 yields m1 to e2
    greedy = matched(one_mentor_for_two(), "greedy")
    assert mentors_of(greedy) == {"e1": "m1"}  # best mentor first strands e2


def test_capacity_lets_a_mentor_take_several_and_fixed_pairs_use_it():
    people = [
        executive("e1", languages=EN),
        executive("e2", languages=EN),
        executive("e3", languages=EN),
        mentor("m1", languages=EN, capacity=2),
    ]
    document = pool(people)
    document["pairs"] = [{"id": "p1", "mentor": "m1", "mentee": "e3"}]
    result = matched(document)
    assert len(result.pairs) == 1 and result.fixed == 1
    (left,) = result.unmatched
    assert left.taken == 1  # the mentor every rule allows went to the other executive


def test_load_spreads_across_mentors_when_the_profiles_tie():
    people = [
        executive("e1", languages=EN),
        executive("e2", languages=EN),
        mentor("m1", languages=EN, capacity=2),
        mentor("m2", languages=EN, capacity=2),
    ]
    assert sorted(mentors_of(matched(pool(people))).values()) == ["m1", "m2"]


def test_missing_languages_are_an_error_naming_the_person():
    people = [executive("e1"), mentor("m1", languages=EN)]
    with pytest.raises(ScenarioError, match=r"people\[0\]\.languages: required to match"):
        matched(pool(people))


def test_matched_pairs_join_the_scenario_with_the_matchings_cadence():
    people = [executive("e1", languages=EN), mentor("m1", languages=EN)]
    document = pool(people, matching={"cadence": "biweekly"})
    checked = validate_scenario(document)
    result = match_pool(checked, build_problem(checked))
    with_pairs = with_matched_pairs(checked, result)
    (added,) = with_pairs.pairs
    assert (added.id, added.mentor, added.mentee, added.cadence) == (
        "e1-m1",
        "m1",
        "e1",
        "biweekly",
    )
    assert len(build_problem(with_pairs).sessions) == 2  # 4 weeks, every other week


def test_the_check_finds_each_rule_broken_by_pairs_made_by_hand():
    people = [
        executive("ceo", languages=EN, working_hours={"mon-fri": ["09:00-10:00"]}),
        executive("vp", languages=EN, reports_to="ceo"),
        executive("cfo", languages=["fr"]),
        mentor("junior", languages=EN, reports_to="lead"),
        mentor("late", languages=EN, working_hours={"mon-fri": ["14:00-18:00"]}),
    ]
    pairs = [
        {"id": "line", "mentor": "junior", "mentee": "vp"},
        {"id": "tongue", "mentor": "junior", "mentee": "cfo"},
        {"id": "apart", "mentor": "late", "mentee": "ceo"},
    ]
    document = scenario(people, pairs, managers=[{"id": "lead", "reports_to": "vp"}])
    assert violations(document) == [
        "apart: calendar_fit: a common start in 0 of 1 periods; the matching needs 1",
        "line: capacity: mentor junior has 2 executives, capacity 1",
        "line: reporting_line: junior reports to vp (2 levels up)",
        "tongue: capacity: mentor junior has 2 executives, capacity 1",
        "tongue: language: cfo and junior share no language",
    ]


def test_the_check_counts_a_period_held_by_one_start_only():
    # One common quarter hour a week: 09:00-09:45 is the only session both can hold.
    people = [
        executive("e1", languages=EN, working_hours={"mon": ["09:00-09:45"]}),
        mentor("m1", languages=EN, working_hours={"mon": ["08:00-10:00"]}),
    ]
    document = scenario(people, [{"id": "p", "mentor": "m1", "mentee": "e1"}])
    assert violations(document) == []
    busy = {"busy": ["2027-01-04T09:30/2027-01-04T09:45"]}
    people[1].update(busy)
    assert violations(document) == [
        "p: calendar_fit: a common start in 0 of 1 periods; the matching needs 1"
    ]


def test_calendar_fit_in_chunks_is_the_fit_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    people = [
        executive("e1", languages=EN, busy=["2027-01-05T09:00/2027-01-05T17:00"]),
        *(
            mentor(
                f"m{n}",
                languages=EN,
                busy=[f"2027-01-0{4 + n % 4}T10:00/2027-01-0{4 + n % 4}T16:00"],
            )
            for n in range(7)
        ),
    ]
    whole = matched(pool(people))
    monkeypatch.setattr(calendar_fit, "CELLS_AT_ONCE", 1)  # one mentor at a time
    assert matched(pool(people)) == replace(whole, seconds=ANY, timings=ANY)


def test_a_pool_past_the_memory_budget_is_refused_naming_its_causes() -> None:
    people = [executive("e1", languages=EN), *(mentor(f"m{n}", languages=EN) for n in range(3))]
    checked = validate_scenario(pool(people, grid_minutes=5))
    with pytest.raises(
        ScenarioError,
        match=r"matching: about \d+ MB .* past the memory budget of 1 MB; "
        r"cause: 1 executives to match x 3 mentors; a 5-minute grid",
    ):
        match_pool(checked, build_problem(checked), memory_budget_mb=1)


def test_a_reporting_line_ten_thousand_managers_deep_is_respected_by_matcher_and_check():
    # Walked person by person, such a line costs 10,000 walks of 10,000 steps each; a
    # recursive walk passes Python's recursion limit.
    depth = 10_000
    managers = [
        {"id": f"l{n}", "reports_to": f"l{n + 1}" if n < depth - 1 else "ceo"} for n in range(depth)
    ]
    people = [
        executive("ceo", languages=EN, topics=["linkedin"]),
        executive("peer", languages=EN, topics=["linkedin"]),
        mentor("junior", languages=EN, skills={"linkedin": 3}, reports_to="l0"),
        mentor("outsider", languages=EN, skills={"linkedin": 1}),
    ]
    result = matched(pool(people, managers=managers))
    assert mentors_of(result) == {"ceo": "outsider", "peer": "junior"}
    by_hand = pool(people, managers=managers)
    by_hand["pairs"] = [{"id": "line", "mentor": "junior", "mentee": "ceo"}]
    assert violations(by_hand) == [
        f"line: reporting_line: junior reports to ceo ({depth + 1} levels up)"
    ]


def test_every_fixed_pair_takes_room_even_of_an_executive_with_two_mentors():
    # e1 meets both m1 and m2: each mentor's one place is taken, none is left for e2.
    people = [
        executive("e1", languages=EN),
        executive("e2", languages=EN),
        mentor("m1", languages=EN),
        mentor("m2", languages=EN),
    ]
    document = pool(people)
    document["pairs"] = [
        {"id": "p1", "mentor": "m1", "mentee": "e1"},
        {"id": "p2", "mentor": "m2", "mentee": "e1"},
    ]
    result = matched(document)
    assert result.pairs == () and result.fixed == 2
    (left,) = result.unmatched
    assert left.refused["capacity"] == 2


def test_the_smallest_calendar_share_still_needs_one_period_with_a_common_start():
    # 1e-10 of 4 periods rounds to none: a mentor the executive never meets would pass.
    document = expert_against_novice(matching={"min_calendar_share": 1e-10})
    document["people"].pop()  # the novice: only the expert, never free with e1, is left
    result = matched(document)
    assert result.pairs == ()
    assert result.unmatched[0].refused["calendar_fit"] == 1
    assert "1 have a common start in fewer than 1 of 4 periods" in result.unmatched[0].reason()
    document["pairs"] = [{"id": "apart", "mentor": "expert", "mentee": "e1"}]
    assert violations(document) == [
        "apart: calendar_fit: a common start in 0 of 4 periods; the matching needs 1"
    ]


def test_a_greedy_matching_does_not_claim_to_match_as_many_as_can_be():
    (left,) = matched(one_mentor_for_two(), "greedy").unmatched
    assert left.reason() == (
        "of 2 mentors: 1 share no language, 1 allowed went to other executives "
        "(best mentor first: an optimal matching may match more)"
    )


def test_a_skill_given_twice_in_two_cases_is_refused() -> None:
    people = [
        executive("e1", languages=EN),
        mentor("m1", languages=EN, skills={"LinkedIn": 3, "linkedin": 1}),
    ]
    with pytest.raises(
        ScenarioError, match=r"people\[1\]\.skills: 'linkedin' and 'LinkedIn' are one topic"
    ):
        validate_scenario(pool(people))
