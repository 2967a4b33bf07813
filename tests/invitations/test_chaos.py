"""`tandem invite` killed hard (SIGKILL) at random points and restarted, against the Graph
stand-in with Graph's own de-duplication on and off: every planned session ends with
exactly one meeting at its planned time, and no other meeting exists.

The long version (many more kills and sessions) is `bench/invite_chaos.py`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from tests.graph_standin import running
from tests.invitations.chaos import check_calendars, invite_until_done, write_json
from tests.invitations.programmes import big_scenario, spread_plan


# Without Graph's transaction id dedupe is the harder case (only our own records keep a
# meeting single): it runs by default; with it, in the slow run.
@pytest.mark.parametrize(
    "dedupe",
    [pytest.param(True, marks=pytest.mark.slow), False],
    ids=["graph-dedupe-on", "graph-dedupe-off"],
)
def test_killed_sender_restarted_gives_exactly_one_meeting_per_session(
    tmp_path: Path, dedupe: bool
) -> None:
    raw = big_scenario(pairs=40, sessions=6, mentors=20)  # 240 sessions
    first, moved = spread_plan(raw), spread_plan(raw, shift_minutes=30)
    moved["sessions"] = moved["sessions"][::2] + first["sessions"][1::2][:40]
    scenario = write_json(tmp_path / "scenario.json", raw)
    environment = {"TANDEM_DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    with running(tmp_path) as (state, graph):
        state.transaction_dedupe = dedupe
        state.fault_rate = {"503-after-commit": 0.03, "reset-after-commit": 0.03, "429": 0.03}
        for plan, kills in ((first, 4), (moved, 3)):
            plan_file = write_json(tmp_path / "plan.json", plan)
            figures = invite_until_done(
                scenario, plan_file, {**environment, **graph}, state, kills, seed=int(dedupe)
            )
            check_calendars(state, plan, figures)
            assert figures.kills == kills, asdict(figures)
            assert (figures.duplicates, figures.missing, figures.misplaced, figures.strays) == (
                0,
                0,
                0,
                0,
            ), asdict(figures)
            assert figures.extra_invitations == 0, asdict(figures)
