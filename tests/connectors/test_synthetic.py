"""Synthetic calendars look like real ones and honour their density."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.synthetic import CalendarShape, generate_busy
from scheduler.time_notation import parse_working_hours

PARIS = ZoneInfo("Europe/Paris")
SHAPE = CalendarShape(
    PARIS, parse_working_hours({"mon-fri": ["09:00-18:00"]}), date(2027, 1, 4), date(2027, 3, 29)
)


def busy_share(busy: list, shape: CalendarShape = SHAPE) -> float:  # type: ignore[type-arg]
    working = sum(
        540
        for i in range((shape.end_day - shape.first_day).days)
        if (shape.first_day + timedelta(days=i)).weekday() < 5
    )
    covered: set[int] = set()
    for block in busy:
        start = int(block.start.timestamp()) // 60
        covered.update(range(start, int(block.end.timestamp()) // 60))
    return len(covered) / working


@pytest.mark.parametrize("density", [0.3, 0.5, 0.75])
def test_density_is_the_busy_share_of_working_time(density: float) -> None:
    shares = [busy_share(generate_busy(f"p{n}", SHAPE, density, seed=1)) for n in range(20)]
    assert abs(sum(shares) / len(shares) - density) < 0.08


def test_meetings_look_real() -> None:
    busy = [b for n in range(10) for b in generate_busy(f"p{n}", SHAPE, 0.6, seed=4)]
    meetings = [b for b in busy if b.status != "oof"]
    assert all(b.start.astimezone(PARIS).minute % 15 == 0 for b in meetings)
    assert {int((b.end - b.start).total_seconds() // 60) for b in meetings} <= {30, 45, 60, 90}
    assert any(b.status == "tentative" for b in busy)
    assert any(b.status == "oof" for b in busy)
    local = [b.start.astimezone(PARIS) for b in meetings]
    assert all(9 <= t.hour < 18 for t in local)


def test_some_meetings_recur_weekly() -> None:
    busy = generate_busy("ceo", SHAPE, 0.6, seed=9)
    slots = [(b.start.astimezone(PARIS).weekday(), b.start.astimezone(PARIS).time()) for b in busy]
    assert max(slots.count(slot) for slot in set(slots)) >= 10  # the same slot most weeks


def test_same_seed_same_calendar_and_people_differ() -> None:
    assert generate_busy("a", SHAPE, 0.5, seed=2) == generate_busy("a", SHAPE, 0.5, seed=2)
    assert generate_busy("a", SHAPE, 0.5, seed=2) != generate_busy("b", SHAPE, 0.5, seed=2)
