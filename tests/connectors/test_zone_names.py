"""The one table of zone names: Windows ids and display names to IANA, on every path."""

from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from connectors.graph.zones import iana_name as graph_iana_name
from connectors.graph.zones import parse_graph_time
from connectors.zone_names import ZoneNameError, iana_name, iana_zone

LEGACY_AND_NEWEST = {
    # dropped by CLDR, still in old Outlook and Exchange data
    "Mexico Standard Time": "America/Mexico_City",
    "Mid-Atlantic Standard Time": "Etc/GMT+2",
    "Kamchatka Standard Time": "Asia/Kamchatka",
    "Armenian Standard Time": "Asia/Yerevan",
    # added by Microsoft in 2026
    "British Columbia Standard Time": "America/Vancouver",
    "Alberta Standard Time": "America/Edmonton",
    "Manitoba Standard Time": "America/Winnipeg",
}


def table_rows() -> list[list[str]]:
    text = resources.files("connectors").joinpath("windows_zones.tsv").read_text("utf-8")
    return [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


def test_every_row_names_a_zone_the_database_knows_and_one_zone_per_windows_id() -> None:
    zones_of: dict[str, set[str]] = {}
    for windows_id, iana, _display in table_rows():
        ZoneInfo(iana)
        zones_of.setdefault(windows_id, set()).add(iana)
    assert all(len(zones) == 1 for zones in zones_of.values())


def test_the_table_agrees_with_the_cldr_copy_icalendar_ships() -> None:
    """An independent copy of CLDR's Windows table (icalendar's, of 2025-04-10): a slip
    in ours would show here. Ours adds only the legacy and newest ids."""
    for windows_id, iana in WINDOWS_TO_OLSON.items():
        assert iana_zone(windows_id) == iana, windows_id
    ours = {row[0] for row in table_rows()}
    assert ours - set(WINDOWS_TO_OLSON) == set(LEGACY_AND_NEWEST)


@pytest.mark.parametrize(
    ("written", "zone"),
    [
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("(GMT +01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("  amsterdam,  Berlin, Bern, Rome, Stockholm, Vienna ", "Europe/Berlin"),
        ("(UTC) Coordinated Universal Time", "Etc/UTC"),
        ("(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/London"),
        ("(GMT-06:00) Guadalajara, Mexico City, Monterrey - Old", "America/Mexico_City"),
        ("(UTC+03:00) Minsk", "Europe/Minsk"),
        ("(GMT+02:00) Minsk", "Europe/Chisinau"),  # E. Europe Standard Time's old name
        ("Europe/Paris", "Europe/Paris"),
        ("W. Europe Standard Time", "Europe/Berlin"),
    ],
)
def test_display_names_in_their_current_and_older_forms(written: str, zone: str) -> None:
    assert iana_zone(written) == zone


@pytest.mark.parametrize(
    ("written", "why"),
    [
        (" 1", "not an IANA time zone"),
        ("Customized Time Zone", "not an IANA time zone"),
        ("Minsk", "ambiguous: Windows has used these places for Europe/Chisinau, Europe/Minsk"),
        ("(GMT+01:00)", "an offset alone"),
        ("Mexico Standard Time 2", "not an IANA time zone"),  # its cities split in 2022
    ],
)
def test_unknown_and_ambiguous_names_are_errors_that_say_why(written: str, why: str) -> None:
    with pytest.raises(ZoneNameError, match=why.replace("(", r"\(")):
        iana_zone(written)
    assert iana_name(written) is None


@pytest.mark.parametrize(("windows_id", "zone"), sorted(LEGACY_AND_NEWEST.items()))
def test_legacy_and_newest_windows_names_map_on_the_graph_path_too(
    windows_id: str, zone: str
) -> None:
    assert iana_name(windows_id) == graph_iana_name(windows_id) == zone
    # In July every one of these zones has kept the offset it had before 2026.
    local = datetime(2027, 7, 1, 9, 0)
    expected = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    graph_time = {"dateTime": "2027-07-01T09:00:00.0000000", "timeZone": windows_id}
    assert parse_graph_time(graph_time) == expected != local.replace(tzinfo=UTC)
