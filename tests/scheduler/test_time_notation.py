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
    with pytest.raises(ValueError, match="reversed"):
        parse_weekday_key("fri-mon")
    with pytest.raises(ValueError, match="not a weekday"):
        parse_weekday_key("monday")


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
