"""Meetings land at the planned local time for both people, in the weeks when the US has
changed its clocks and Europe has not (spring: 14 to 28 March 2027; autumn: 31 October to
7 November 2027)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.graph_standin import StandIn, running
from tests.invitations.graph import sender_for
from tests.invitations.programmes import big_scenario, record

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[tuple[StandIn, dict[str, str]]]:
    with running(tmp_path) as served:
        yield served


@pytest.mark.parametrize(
    ("new_york_start", "paris_wall_clock"),
    [
        (datetime(2027, 3, 16, 10, 0, tzinfo=NEW_YORK), "15:00"),  # US on summer time
        (datetime(2027, 3, 30, 10, 0, tzinfo=NEW_YORK), "16:00"),  # both on summer time
        (datetime(2027, 11, 2, 10, 0, tzinfo=NEW_YORK), "15:00"),  # Europe back, US not
    ],
)
def test_a_session_across_the_atlantic_keeps_both_local_times(
    store: sessionmaker[Session],
    standin: tuple[StandIn, dict[str, str]],
    new_york_start: datetime,
    paris_wall_clock: str,
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=1, sessions=1)  # mentor in Paris, executive in New York
    start = new_york_start.astimezone(UTC)
    session = {
        "pair": "p0",
        "index": 0,
        "mentor": "m0",
        "mentee": "e0",
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": start.replace(minute=45).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "moved": False,
    }
    record(store, raw, {"sessions": [session], "unplaced": []})
    sender_for(store, environment).drain()
    (event,) = state.live_events()
    sent = next(r["body"] for r in state.event_requests if r["method"] == "POST" and r["body"])
    assert sent["start"] == {
        "dateTime": start.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M:%S"),
        "timeZone": "Romance Standard Time",
    }
    assert sent["start"]["dateTime"].endswith(f"T{paris_wall_clock}:00")
    # The stand-in reads the Windows zone with its own table: the instant is the planned one.
    landed = event.start.replace(tzinfo=UTC)
    assert landed == start
    assert landed.astimezone(NEW_YORK).strftime("%H:%M") == "10:00"
    assert landed.astimezone(PARIS).strftime("%H:%M") == paris_wall_clock
