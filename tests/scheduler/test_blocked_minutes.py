"""The minutes of blocking busy time per grid cell (the explanations' busy share), against
a count of every minute: overlapping, touching and nested blocks count once, tentative
time counts only where it blocks, and blocks past a window's edges count only inside."""

from datetime import UTC, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduler.availability import AvailabilityIndex
from scheduler.busy_times import STATUSES
from scheduler.domain import TentativePolicy
from scheduler.time_grid import epoch_minutes
from tests.builders import mentor, problem_of, scenario

MONDAY = datetime(2027, 1, 4, tzinfo=UTC)  # inside the builders' horizon
BLOCKS = st.lists(
    st.tuples(st.integers(0, 24 * 60), st.integers(1, 6 * 60), st.sampled_from(STATUSES)),
    max_size=12,
)


def counted_minutes(
    blocks: list[tuple[int, int, str]], cells: list[int], origin: int, step: int, policy: str
) -> list[int]:
    """Per cell, the minutes inside some blocking block, minute by minute."""
    blocking = {"busy", "oof"} | ({"tentative"} if policy == "block" else set())
    monday = epoch_minutes(MONDAY)
    covered = {
        monday + minute
        for start, length, status in blocks
        if status in blocking
        for minute in range(start, start + length)
    }
    return [
        sum(1 for minute in range(origin + c * step, origin + (c + 1) * step) if minute in covered)
        for c in cells
    ]


@settings(max_examples=80, deadline=None)
# A long block holding a short one, then another that starts after the short one's end:
# the merge must follow the long block's end, not its last neighbour's.
@example([(0, 300, "busy"), (10, 10, "busy"), (50, 10, "oof")], 0, 200, "avoid")
@given(
    BLOCKS,
    st.integers(0, 200),
    st.integers(0, 200),
    st.sampled_from(["block", "avoid", "allow"]),
)
def test_each_cell_counts_the_minutes_busy_time_covers(
    blocks: list[tuple[int, int, str]], first: int, size: int, policy: TentativePolicy
) -> None:
    busy = [
        {
            "start": (MONDAY + timedelta(minutes=start)).isoformat(),
            "end": (MONDAY + timedelta(minutes=start + length)).isoformat(),
            "status": status,
        }
        for start, length, status in blocks
    ]
    problem = problem_of(scenario(people=[mentor(busy=busy)], pairs=[]))
    cells = AvailabilityIndex(problem).people["m1"]
    grid = cells.grid
    window = slice(first, min(first + size, grid.size))
    found = cells.blocked_minutes(window, policy).tolist()
    inside = list(range(window.start, max(window.start, window.stop)))
    assert found == counted_minutes(blocks, inside, grid.origin_minute, grid.step, policy)
