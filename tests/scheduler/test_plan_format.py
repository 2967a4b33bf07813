"""Every plan Tandem writes reads back: the plan readers refuse unknown keys (a typo in a
plan edited by hand must not pass), so each key the writer adds must be one they know.
(A plan with `input_warnings` was once refused by the service's own reader.)"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.scenarios import problem_from_data
from scheduler.parameters import SolverParameters
from scheduler.plan_format import PlanDocument, instant_text, plan_record, plan_to_dict
from scheduler.solve import solve
from tests.strategies import programmes


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(programmes())
def test_every_key_a_plan_is_written_with_reads_back(document: dict) -> None:  # type: ignore[type-arg]
    problem = problem_from_data(document)
    written = plan_to_dict(problem, solve(problem, SolverParameters(solver="greedy")))
    written["input_warnings"] = ["people[0].calendar.ics (line 3): a.ics: line 9: skipped"]
    assert PlanDocument.read(written).data()["sessions"] == written["sessions"]
    assert len(plan_record(written, "plan.json").sessions) == len(written["sessions"])


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2999, 12, 31),
        timezones=st.sampled_from([UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]),
    )
)
def test_an_instant_is_written_in_utc_to_the_second_as_the_format_says(moment: datetime) -> None:
    text = instant_text(moment)
    assert text == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert datetime.fromisoformat(text) == moment.astimezone(UTC).replace(microsecond=0)


def test_instant_texts_tell_the_two_readings_of_a_repeated_hour_apart() -> None:
    """02:30 on the night Berlin's clocks go back happens twice (fold 0 and 1): the two
    compare equal as datetimes, yet their texts are an hour apart, cached or not."""
    from datetime import datetime as _datetime
    from zoneinfo import ZoneInfo

    from scheduler.plan_format import instant_text

    first = _datetime(2027, 10, 31, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    second = first.replace(fold=1)
    assert instant_text(first) == "2027-10-31T00:30:00Z"
    assert instant_text(second) == "2027-10-31T01:30:00Z"
