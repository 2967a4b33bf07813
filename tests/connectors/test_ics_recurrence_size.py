"""A recurrence that stands for millions of instances is refused at its line before it is
expanded (before: `FREQ=SECONDLY` over a quarter ran for minutes into gigabytes); rules a
real calendar holds, and a fast rule ended early by COUNT, are read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from connectors.ics import IcsError, read_ics
from connectors.ics.recurrence_size import MOST_INSTANCES

START, END = datetime(2027, 1, 2, tzinfo=UTC), datetime(2027, 4, 10, tzinfo=UTC)


def calendar(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "rule.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tandem tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:fast@tandem.test\r\nDTSTAMP:20261201T000000Z\r\n"
        "DTSTART:20270104T090000Z\r\nDTEND:20270104T090001Z\r\n"
        f"RRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return path


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=1",
        "FREQ=DAILY;BYHOUR="
        + ",".join(map(str, range(24)))
        + ";BYMINUTE="
        + ",".join(map(str, range(60))),  # every minute of every day, by its BY parts
    ],
)
def test_a_rule_of_millions_is_refused_at_its_line(tmp_path: Path, rule: str) -> None:
    with pytest.raises(IcsError) as raised:
        read_ics(calendar(tmp_path, rule), ZoneInfo("Europe/Paris"), START, END)
    [problem] = raised.value.problems
    assert "line 4" in problem and f"more than {MOST_INSTANCES:,} instances" in problem


@pytest.mark.parametrize(
    ("rule", "instances"),
    [("FREQ=SECONDLY;COUNT=5", 5), ("FREQ=WEEKLY;BYDAY=MO,TH", 28), ("FREQ=HOURLY;COUNT=30", 30)],
)
def test_rules_of_a_real_calendar_are_read(tmp_path: Path, rule: str, instances: int) -> None:
    reading = read_ics(calendar(tmp_path, rule), ZoneInfo("Europe/Paris"), START, END)
    assert len(reading.busy) == instances
