"""Zones given by their yearly rule (Windows TIME_ZONE_INFORMATION, Outlook's custom zones,
POSIX TZ strings) against zoneinfo, the independent oracle, and against hand-computed
instants."""

import pickle
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from scheduler.rule_zone import DaylightTime, RuleZone, YearlyChange
from scheduler.zone_text import rule_text, rule_zone, zone_named

SUNDAY, SATURDAY = 6, 5
# Real zones whose current rule the Windows form can say: northern and southern, a
# half-hour and a 45-minute offset, a half-hour daylight shift, a change at 24:00 on a
# Saturday, Ireland's negative daylight time, and zones without daylight time.
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/St_Johns",
    "America/Santiago",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "America/Sao_Paulo",
]


def footer(name: str) -> str:
    """The POSIX rule the tz database writes at the end of the zone's file (RFC 8536)."""
    area, city = name.split("/")
    data = (resources.files("tzdata.zoneinfo") / area / city).read_bytes()
    return data.rstrip(b"\n").rsplit(b"\n", 1)[1].decode()


def hours(
    first: datetime, last: datetime, step: timedelta = timedelta(hours=1)
) -> Iterator[datetime]:
    moment = first
    while moment < last:
        yield moment
        moment += step


def berlin_as_windows_rules() -> RuleZone:
    """W. Europe Standard Time as Windows writes it: Bias -60, DaylightBias -60, daylight
    from the last Sunday of March 02:00, standard from the last Sunday of October 03:00."""
    daylight = DaylightTime(
        timedelta(hours=2),
        starts=YearlyChange(month=3, week=5, weekday=SUNDAY, seconds=2 * 3600),
        ends=YearlyChange(month=10, week=5, weekday=SUNDAY, seconds=3 * 3600),
    )
    return RuleZone(timedelta(hours=1), daylight, "W. Europe rules")


def assert_same_clock(
    zone: RuleZone | object, oracle: ZoneInfo, first: datetime, last: datetime
) -> None:
    """Every hour of [first, last) UTC maps to the same wall time, and every wall hour
    (either fold) to the same offset, in both zones."""
    assert isinstance(zone, RuleZone)
    for instant in hours(first, last):
        ours, theirs = instant.astimezone(zone), instant.astimezone(oracle)
        assert (ours.replace(tzinfo=None), ours.fold) == (theirs.replace(tzinfo=None), theirs.fold)
        assert ours.utcoffset() == theirs.utcoffset(), instant
    for wall in hours(first.replace(tzinfo=None), last.replace(tzinfo=None)):
        for fold in (0, 1):
            moment = wall.replace(fold=fold)
            assert (
                moment.replace(tzinfo=zone).utcoffset() == moment.replace(tzinfo=oracle).utcoffset()
            ), (wall, fold)


def test_berlins_windows_rules_agree_with_zoneinfo_at_every_hour_of_2026_to_2028() -> None:
    assert_same_clock(
        berlin_as_windows_rules(),
        ZoneInfo("Europe/Berlin"),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2029, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize("name", ZONES)
def test_the_tz_databases_own_rule_agrees_with_zoneinfo(name: str) -> None:
    zone = zone_named(footer(name))
    oracle = ZoneInfo(name)
    assert_same_clock(
        zone, oracle, datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
    )
    # Minute by minute around each change: changes at :30 and :45 and skipped minutes.
    for instant in hours(datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)):
        if (instant + timedelta(hours=1)).astimezone(oracle).utcoffset() != instant.astimezone(
            oracle
        ).utcoffset():
            around = instant - timedelta(hours=3)
            assert_same_clock(zone, oracle, around, around + timedelta(hours=6))


def minutes_sweep(zone: RuleZone, oracle: ZoneInfo, first: datetime, last: datetime) -> None:
    for wall in hours(first, last, timedelta(minutes=1)):
        for fold in (0, 1):
            assert (
                wall.replace(tzinfo=zone, fold=fold).utcoffset()
                == wall.replace(tzinfo=oracle, fold=fold).utcoffset()
            )


def test_skipped_and_repeated_wall_minutes_read_as_zoneinfo_reads_them() -> None:
    zone, oracle = berlin_as_windows_rules(), ZoneInfo("Europe/Berlin")
    minutes_sweep(zone, oracle, datetime(2027, 3, 28, 1), datetime(2027, 3, 28, 4))
    minutes_sweep(zone, oracle, datetime(2027, 10, 31, 1), datetime(2027, 10, 31, 4))
    skipped = datetime(2027, 3, 28, 2, 30, tzinfo=zone)
    assert skipped.utcoffset() == timedelta(hours=1)  # fold=0: the offset before the change
    assert skipped.replace(fold=1).utcoffset() == timedelta(hours=2)
    repeated = datetime(2027, 10, 31, 2, 30, tzinfo=zone)
    assert repeated.utcoffset() == timedelta(hours=2)  # first pass, still daylight time
    assert repeated.replace(fold=1).utcoffset() == timedelta(hours=1)


def adelaide_as_windows_rules() -> RuleZone:
    """A southern zone: daylight time from the first Sunday of October 02:00 (standard
    time) to the first Sunday of April 03:00 (daylight time); +9:30, +10:30."""
    daylight = DaylightTime(
        timedelta(hours=10, minutes=30),
        starts=YearlyChange(month=10, week=1, weekday=SUNDAY, seconds=2 * 3600),
        ends=YearlyChange(month=4, week=1, weekday=SUNDAY, seconds=3 * 3600),
    )
    return RuleZone(timedelta(hours=9, minutes=30), daylight, "Adelaide rules")


def test_a_southern_zone_changes_at_hand_computed_instants() -> None:
    zone = adelaide_as_windows_rules()
    # 2027: daylight time ends Sunday 4 April at 03:00 +10:30 = 3 April 16:30 UTC; it
    # starts Sunday 3 October at 02:00 +09:30 = 2 October 16:30 UTC.
    ends, starts = (
        datetime(2027, 4, 3, 16, 30, tzinfo=UTC),
        datetime(2027, 10, 2, 16, 30, tzinfo=UTC),
    )
    second = timedelta(seconds=1)
    assert (ends - second).astimezone(zone).utcoffset() == timedelta(hours=10, minutes=30)
    assert ends.astimezone(zone).utcoffset() == timedelta(hours=9, minutes=30)
    assert (starts - second).astimezone(zone).utcoffset() == timedelta(hours=9, minutes=30)
    assert starts.astimezone(zone).utcoffset() == timedelta(hours=10, minutes=30)
    # New Year is in daylight time; the hour after the April change is a second pass.
    assert datetime(2027, 1, 1, 12, tzinfo=zone).utcoffset() == timedelta(hours=10, minutes=30)
    assert ends.astimezone(zone).fold == 1 and (ends - second).astimezone(zone).fold == 0
    assert ends.astimezone(zone).replace(tzinfo=None) == datetime(2027, 4, 4, 2)


def test_the_fifth_occurrence_is_the_last_one_of_the_month() -> None:
    last_sunday = YearlyChange(month=3, week=5, weekday=SUNDAY, seconds=0)
    assert last_sunday.wall_time(2026) == datetime(2026, 3, 29)  # March 2026 has 5 Sundays
    assert last_sunday.wall_time(2027) == datetime(2027, 3, 28)
    fourth = YearlyChange(month=2, week=4, weekday=SATURDAY, seconds=24 * 3600)
    assert fourth.wall_time(2027) == datetime(2027, 2, 28)  # Saturday the 27th at 24:00


def test_a_zone_without_daylight_time_keeps_its_offset() -> None:
    zone = rule_zone("<+0530>-5:30")
    assert datetime(2027, 6, 1, tzinfo=zone).utcoffset() == timedelta(hours=5, minutes=30)
    assert datetime(2027, 6, 1, tzinfo=zone).dst() == timedelta(0)
    assert datetime(2027, 6, 1, tzinfo=zone).tzname() == "+0530"


def test_the_written_rule_reads_back_to_the_same_zone() -> None:
    for zone in (berlin_as_windows_rules(), adelaide_as_windows_rules()):
        text = rule_text(zone.standard, zone.daylight)
        assert rule_zone(text) == zone
        assert zone_named(text) is zone_named(text)  # one object per text, as zoneinfo
    assert (
        rule_text(adelaide_as_windows_rules().standard, adelaide_as_windows_rules().daylight)
        == "<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3"
    )
    assert rule_text(timedelta(hours=-8), None) == "<-08>8"


def test_a_rule_zone_survives_pickling_and_names_itself() -> None:
    zone = zone_named("<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3")
    copy = pickle.loads(pickle.dumps(zone))
    assert copy == zone and str(copy) == "<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3"
    assert datetime(2027, 1, 10, tzinfo=copy).tzname() == "+1030"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Europe/Pari", "unknown time zone .* Europe/Paris, or a zone rule such as <"),
        # Day-of-year forms are POSIX, but not Windows rules.
        ("<+01>-1<+02>,J60,J300", "unknown time zone .* Europe/Paris, or a zone rule"),
        ("<+01>-1<+02>,M3.6.0,M10.5.0", "occurrence 6"),
        ("<+01>-1<+02>,M13.5.0,M10.5.0", "month 13"),
        ("<+01>-1<+02>,M3.5.7,M10.5.0", "weekday 7"),
        ("<+01>-1<+02>,M3.1.0,M3.5.0", "same month"),
        ("<+01>-25", "between 0 and 24"),
        ("<+01>-1<+02>,M3.5.0/25,M10.5.0", "between 0 and 24"),
    ],
)
def test_rules_that_are_not_the_windows_form_are_refused_and_named(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as refused:
        zone_named(text)
    assert f"'{text}'" in str(refused.value)


def test_an_iana_name_stays_a_zoneinfo() -> None:
    assert zone_named("Europe/Paris") is ZoneInfo("Europe/Paris")
    assert isinstance(zone_named("EST5EDT"), ZoneInfo)  # a name the tz database also has


def test_a_change_on_new_years_night_is_seen_from_both_years() -> None:
    """+10, and +11 from the first Friday of January at 01:00: 1 January 2027 is a Friday,
    so daylight time starts on 31 December 2026 at 15:00 UTC."""
    zone = zone_named("<+10>-10<+11>-11,M1.1.5/1,M7.1.0/1")
    change = datetime(2026, 12, 31, 15, tzinfo=UTC)
    assert change.astimezone(zone).replace(tzinfo=None) == datetime(2027, 1, 1, 2)
    before = (change - timedelta(seconds=1)).astimezone(zone)
    assert before.replace(tzinfo=None) == datetime(2027, 1, 1, 0, 59, 59)
    assert datetime(2026, 12, 31, 23, tzinfo=zone).utcoffset() == timedelta(hours=10)
    assert datetime(2027, 1, 1, 2, tzinfo=zone).utcoffset() == timedelta(hours=11)
