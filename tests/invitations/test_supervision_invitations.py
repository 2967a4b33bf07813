"""Check-ins go out as meetings the coach organises, the mentor attending, with the
supervision templates; through the sender, msal and HTTPS against the Graph stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from scheduler.plan_format import plan_to_dict
from tests.builders import checked_plan, problem_of, supervised_programme
from tests.graph_standin import StandIn, running
from tests.invitations.graph import sender_for
from tests.invitations.programmes import record

Served = tuple[StandIn, dict[str, str]]


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[Served]:
    with running(tmp_path) as served:
        yield served


@pytest.mark.parametrize("organizer", ["mentor", "mentoring@example.com"])
def test_the_coach_organises_each_check_in_and_the_mentor_attends(
    store: sessionmaker[Session], standin: Served, organizer: str
) -> None:
    state, environment = standin
    raw = supervised_programme(
        {"assign": [{"coach": "c2", "mentors": ["m3"]}]},
        horizon={"start": "2027-01-04", "weeks": 2},
        invitations={"organizer": organizer},
    )
    problem = problem_of(raw)
    plan = plan_to_dict(problem, checked_plan(problem))
    record(store, raw, plan)
    report = sender_for(store, environment).drain()
    assert report.count("created") == len(plan["sessions"]) and not report.failed
    check_ins = state.live_events("c2@example.com")
    assert len(check_ins) == 1
    event = check_ins[0]
    assert [a["emailAddress"]["address"] for a in event.attendees] == ["m3@example.com"]
    assert event.subject == "Mentor check-in: m3 with c2"
    assert len(state.live_events("c1@example.com")) == 2
    mentoring = state.live_events("m3@example.com" if organizer == "mentor" else organizer)
    assert {e.subject for e in mentoring} == {"Reverse mentoring"}
