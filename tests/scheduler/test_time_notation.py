import pytest

from scheduler.time_notation import (
    merge_ranges,
    parse_range,
    parse_weekday_key,
    parse_working_hours,
)


def test_ranges_parse_to_minutes_and_24_00_ends_a_day() -> None:
    assert parse_range("09:00-18:00") == (540, 1080)
    assert parse_range("20:00-24:00") == (1200, 1440)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("18:00-09:00", "ends before it starts"),
        ("09:00-09:00", "ends before it starts"),
        ("9-18", "HH:MM"),
        ("24:00-24:30", "00:00 to 23:59"),
        ("09:00", "HH:MM-HH:MM"),
    ],
)
def test_bad_ranges_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_range(text)


def test_weekday_keys_and_ranges() -> None:
    assert parse_weekday_key("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_weekday_key("sun") == [6]
    with pytest.raises(ValueError, match="not a weekday"):
        parse_weekday_key("monday")


def test_a_range_of_days_may_wrap_the_week() -> None:
    """A week that starts on Sunday (Israel, parts of the Gulf) is written `sun-thu`."""
    assert parse_weekday_key("sun-thu") == [6, 0, 1, 2, 3]
    assert parse_weekday_key("Fri-Mon") == [4, 5, 6, 0]
    assert parse_weekday_key("fri-sun") == [4, 5, 6]
    assert parse_weekday_key("sat-fri") == [5, 6, 0, 1, 2, 3, 4]


def test_a_range_from_a_day_to_itself_is_that_day() -> None:
    assert parse_weekday_key("mon-mon") == [0]


def test_a_day_named_twice_through_wrapped_ranges_is_an_error() -> None:
    with pytest.raises(ValueError, match="thu is named twice"):
        parse_working_hours({"sun-thu": ["08:00-17:00"], "thu-fri": ["08:00-12:00"]})
    with pytest.raises(ValueError, match="sun is named twice"):
        parse_working_hours({"fri-sun": ["09:00-12:00"], "sun-tue": ["09:00-12:00"]})


def test_touching_and_overlapping_ranges_merge() -> None:
    assert merge_ranges([(600, 700), (540, 600), (800, 900), (850, 950)]) == (
        (540, 700),
        (800, 950),
    )


def test_a_day_named_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="wed is named twice"):
        parse_working_hours({"mon-fri": ["09:00-17:00"], "wed": ["10:00-12:00"]})


def test_days_not_named_have_no_working_hours() -> None:
    hours = parse_working_hours({"tue": ["09:00-12:00", "11:00-13:00"]})
    assert hours == {1: ((540, 780),)}
