"""Reading a calendar gives the same busy instants whatever was read before in the process:
random calendars in random zones, whose custom VTIMEZONEs share TZIDs with other offsets."""

from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from connectors.ics import read_ics, utc_window
from tests.strategies import ZONES, IcsCalendar, ics_calendars

WINDOW = utc_window(date(2027, 3, 1), date(2027, 5, 1))


@given(st.lists(ics_calendars(), min_size=2, max_size=4), st.sampled_from(ZONES))
def test_each_calendar_reads_its_own_instants_in_any_order(
    calendars: list[IcsCalendar], person_zone: str
) -> None:
    person = ZoneInfo(person_zone)
    with TemporaryDirectory() as folder:
        files = []
        for number, calendar in enumerate(calendars):
            path = Path(folder) / f"person-{number}.ics"
            path.write_text(calendar.text(), encoding="utf-8")
            files.append((path, calendar))
            # Other code of the process may parse calendars with icalendar, whose cache
            # of zones by name keeps the first definition it saw.
            icalendar.Calendar.from_ical(path.read_bytes())
        for path, calendar in [*files, *reversed(files)]:
            reading = read_ics(path, person, *WINDOW)
            assert [(b.start, b.end) for b in reading.busy] == calendar.expected(person)
            assert reading.warnings == []
