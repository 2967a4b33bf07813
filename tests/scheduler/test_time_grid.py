from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from scheduler.time_grid import Grid, local_to_utc, naive_to_utc, period_days

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def test_a_time_that_does_not_exist_moves_forward_by_the_gap() -> None:
    # 2027-03-28 02:30 does not exist in Paris (clocks jump 02:00 -> 03:00): it is 03:30 CEST.
    instant = local_to_utc(date(2027, 3, 28), 2 * 60 + 30, PARIS)
    assert instant == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert instant.astimezone(PARIS).strftime("%H:%M") == "03:30"


def test_an_ambiguous_time_is_its_first_occurrence() -> None:
    # 2027-10-31 02:30 happens twice in Paris; the first is still summer time (UTC+2).
    assert local_to_utc(date(2027, 10, 31), 150, PARIS) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    # New York falls back on 2027-11-07 at 02:00: 01:30 happens twice, the first is EDT.
    assert local_to_utc(date(2027, 11, 7), 90, NEW_YORK) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


def test_24_00_is_next_midnight_and_days_around_the_change_have_their_true_length() -> None:
    spring = local_to_utc(date(2027, 3, 28), 1440, PARIS) - local_to_utc(
        date(2027, 3, 28), 0, PARIS
    )
    autumn = local_to_utc(date(2027, 10, 31), 1440, PARIS) - local_to_utc(
        date(2027, 10, 31), 0, PARIS
    )
    assert spring == timedelta(hours=23)
    assert autumn == timedelta(hours=25)


def test_naive_datetimes_are_local_and_aware_ones_keep_their_offset() -> None:
    naive = datetime(2027, 7, 1, 9, 0)
    assert naive_to_utc(naive, PARIS) == datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    aware = datetime(2027, 7, 1, 9, 0, tzinfo=NEW_YORK)
    assert naive_to_utc(aware, PARIS) == datetime(2027, 7, 1, 13, 0, tzinfo=UTC)


def test_periods_by_cadence() -> None:
    start = date(2027, 1, 4)
    assert period_days(start, 1, 2) == (date(2027, 1, 18), date(2027, 1, 25))
    assert period_days(start, 2, 1) == (date(2027, 1, 18), date(2027, 2, 1))
    # monthly: period 0 runs to the end of its month, then whole calendar months
    assert period_days(date(2027, 1, 20), "monthly", 0) == (date(2027, 1, 20), date(2027, 2, 1))
    assert period_days(date(2027, 1, 20), "monthly", 1) == (date(2027, 2, 1), date(2027, 3, 1))
    assert period_days(date(2027, 11, 5), "monthly", 2) == (date(2028, 1, 1), date(2028, 2, 1))


@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 400),
    step=st.sampled_from([5, 10, 15, 30, 60]),
)
def test_grid_index_and_instant_round_trip(minutes: int, step: int) -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    grid = Grid.covering(start, start + timedelta(days=401), step)
    moment = start + timedelta(minutes=minutes)
    index = grid.index_at_or_after(moment)
    assert grid.instant(index) >= moment
    assert grid.instant(index) - moment < timedelta(minutes=step)
    assert grid.index_at_or_after(grid.instant(index)) == index
    assert grid.index_at_or_before(grid.instant(index)) == index
    assert grid.instant(index).minute % step == 0 or step == 60


@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    minute=st.integers(min_value=0, max_value=1439),
    zone=st.sampled_from(
        [
            "Europe/Paris",
            "America/New_York",
            "Asia/Singapore",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "Pacific/Chatham",
        ]
    ),
)
def test_local_times_round_trip_except_in_the_gap(day: date, minute: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    instant = local_to_utc(day, minute, tz)
    local = instant.astimezone(tz)
    back = local.hour * 60 + local.minute
    if local.date() == day and back == minute:
        return
    # Only a time that does not exist may move, and only forward, by at most the gap.
    moved = (
        local.replace(tzinfo=None)
        - datetime(day.year, day.month, day.day)
        - timedelta(minutes=minute)
    )
    assert timedelta(0) < moved <= timedelta(hours=1)
