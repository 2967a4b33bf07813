"""A frozen session (booked inside the notice window) takes its real time from everyone:
its whole length against other sessions, its local day and week in the caps of each
person's zone, and its slot in its pair's stable slot."""

from typing import Any

from tests.builders import executive, local_starts, mentor, pair, plan_of, problem_of, scenario

NOW = "2027-01-05T08:00:00"  # Tuesday; min_notice_hours 48: Tuesday and Wednesday frozen


def frozen_at(start: str, pair_id: str = "p1", index: int = 0) -> dict[str, Any]:
    return {"pair": pair_id, "index": index, "start": start}


def test_a_frozen_session_holds_its_whole_length_against_the_mentors_other_pair() -> None:
    """Frozen at Wednesday 07:45, the session runs into the first hour after the notice
    window (which ends at 08:00): the mentor's other pair may not start at 08:00."""
    document = scenario(
        now=NOW,
        rules={"min_notice_hours": 24},
        people=[
            mentor(working_hours={"mon-sat": ["07:00-18:00"]}),
            executive("e1", working_hours={"mon-fri": ["07:00-18:00"]}),
            # Saturday evening is late enough that, were 08:00 free, it would win even
            # with the mentor's two sessions on Wednesday.
            executive("e2", working_hours={"wed": ["08:00-08:45"], "sat": ["17:00-18:00"]}),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
        current=[frozen_at("2027-01-06T07:45:00")],  # Wednesday 07:45-08:30, Paris
    )
    assert local_starts(problem_of(document), plan_of(document), "e2") == ["2027-01-09 17:00"]


def test_a_frozen_session_counts_on_the_mentors_own_local_day() -> None:
    """23:30 on Wednesday in New York is Thursday 05:30 in Paris: the mentor in New York
    has it on Wednesday, so with one session a day Thursday is still free for them."""
    document = scenario(
        now="2027-01-06T12:00:00",
        rules={"max_sessions_per_day": 1, "min_notice_hours": 24},
        people=[
            mentor(timezone="America/New_York", working_hours={"mon-sun": ["00:00-24:00"]}),
            executive("e1", working_hours={"mon-sun": ["00:00-24:00"]}),
            executive("e2", working_hours={"thu": ["15:00-16:00"]}),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
        current=[frozen_at("2027-01-06T23:30:00-05:00")],
    )
    plan = plan_of(document)
    assert local_starts(problem_of(document), plan, "e2") == ["2027-01-07 15:00"]


def test_later_sessions_keep_the_slot_of_a_frozen_one() -> None:
    """The frozen session sits on Tuesday 14:00; the next ones could start earlier in their
    weeks, but the stable slot wins: Tuesday 14:00 again."""
    document = scenario(
        now="2027-01-04T08:00:00",
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(), executive()],
        current=[frozen_at("2027-01-05T14:00:00")],
    )
    assert local_starts(problem_of(document), plan_of(document), "e1") == [
        "2027-01-05 14:00",
        "2027-01-12 14:00",
        "2027-01-19 14:00",
    ]
