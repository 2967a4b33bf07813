"""Hypothesis strategies: small random programmes that exercise every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

ZONES = ["Europe/Paris", "America/New_York", "Asia/Singapore", "Asia/Kolkata"]
DAYS = [
    "2027-03-08",
    "2027-03-10",
    "2027-03-12",
    "2027-03-15",
    "2027-03-16",
    "2027-03-24",
    "2027-03-29",
    "2027-04-01",
]


@st.composite
def working_hours(draw: st.DrawFn) -> dict[str, list[str]]:
    start = draw(st.sampled_from(["07:00", "08:00", "09:00", "10:30"]))
    end = draw(st.sampled_from(["12:00", "15:00", "18:00", "20:00"]))
    days = draw(st.sampled_from(["mon-fri", "mon-thu", "tue-sat", "sun-thu", "fri-mon"]))
    return {days: [f"{start}-{end}"]}


@st.composite
def busy_times(draw: st.DrawFn) -> list[dict[str, str]]:
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        day = draw(st.sampled_from(DAYS))
        hour = draw(st.integers(7, 18))
        length = draw(st.sampled_from([30, 60, 90, 180]))
        end_hour, end_minute = divmod(hour * 60 + length, 60)
        status = draw(st.sampled_from(["busy", "busy", "tentative", "oof", "free"]))
        entries.append(
            {
                "start": f"{day}T{hour:02d}:00",
                "end": f"{day}T{end_hour:02d}:{end_minute:02d}",
                "status": status,
            }
        )
    return entries


@st.composite
def people(draw: st.DrawFn, role: str, prefix: str, count: int) -> list[dict[str, Any]]:
    found = []
    for number in range(count):
        person: dict[str, Any] = {
            "id": f"{prefix}{number}",
            "role": role,
            "timezone": draw(st.sampled_from(ZONES)),
            "working_hours": draw(working_hours()),
            "busy": draw(busy_times()),
            "region": draw(st.sampled_from(["eu", "us"])),
        }
        if draw(st.booleans()):
            day = draw(st.sampled_from(DAYS))
            person["out_of_office"] = [{"from": day, "to": day}]
        if role == "mentor" and draw(st.integers(0, 3)) == 0:
            person["available_from"] = draw(st.sampled_from(DAYS))
        if draw(st.integers(0, 3)) == 0:
            person["max_sessions_per_day"] = 1
        found.append(person)
    return found


@st.composite
def programmes(draw: st.DrawFn, uniform_priority: bool = False) -> dict[str, Any]:
    mentors = draw(people("mentor", "m", draw(st.integers(1, 3))))
    executives = draw(people("executive", "e", draw(st.integers(1, 3))))
    pairs = []
    couples = st.tuples(
        st.sampled_from([m["id"] for m in mentors]), st.sampled_from([e["id"] for e in executives])
    )  # one pair per mentor and mentee: a second would be an error
    for number, (mentor, mentee) in enumerate(
        draw(st.lists(couples, min_size=1, max_size=5, unique=True))
    ):
        pair: dict[str, Any] = {
            "id": f"p{number}",
            "mentor": mentor,
            "mentee": mentee,
            "cadence": draw(st.sampled_from(["weekly", "weekly", "biweekly", "monthly"])),
        }
        if not uniform_priority:
            pair["priority"] = draw(st.sampled_from(["high", "normal", "low"]))
        if draw(st.booleans()):
            pair["preferred"] = {
                "weekdays": draw(
                    st.lists(
                        st.sampled_from(["mon", "tue", "thu"]), min_size=1, max_size=2, unique=True
                    )
                )
            }
        if draw(st.integers(0, 3)) == 0:
            pair["after_decline"] = draw(st.sampled_from(["other_day", "other_time"]))
        pairs.append(pair)
    grid = draw(st.sampled_from([15, 30]))
    return {
        "version": 1,
        "timezone": draw(st.sampled_from(ZONES)),
        "horizon": {"start": "2027-03-08", "weeks": draw(st.integers(1, 4))},
        "grid_minutes": grid,
        "rules": {
            "duration_minutes": draw(st.sampled_from([30, 60, 90])),
            "buffer_minutes": draw(st.sampled_from([0, 5, 15])),
            "min_gap_days": draw(st.integers(0, 6)),
            "max_sessions_per_week": draw(st.integers(1, 3)),
            "tentative": draw(st.sampled_from(["block", "avoid", "allow"])),
        },
        "holidays": draw(
            st.lists(
                st.builds(
                    lambda d, r: {"date": d, **({"regions": [r]} if r else {})},
                    st.sampled_from(DAYS),
                    st.sampled_from([None, "eu", "us"]),
                ),
                max_size=2,
                unique_by=lambda h: h["date"],
            )
        ),
        "people": mentors + executives,
        "pairs": pairs,
        "declined": draw(st.lists(declines([p["id"] for p in pairs]), max_size=2)),
    }


# Calendar files in random zones, for the ICS reader: each calendar has one custom
# VTIMEZONE under a TZID that other calendars share with other offsets (as Outlook names
# every custom zone `Customized Time Zone`), and events in it, in IANA zones, in UTC and
# floating. `expected` is the oracle: the instants each event stands for.
SHARED_TZIDS = [
    "Customized Time Zone",
    "Eastern Standard Time",  # a Windows name: the file's own VTIMEZONE still governs
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
]
SUMMER_TIME_STARTS = date(2027, 3, 28)  # last Sunday of March: the custom zones' rule


@dataclass(frozen=True)
class CustomZone:
    tzid: str
    standard_minutes: int  # east of UTC
    summer_time: bool  # one hour more from the last Sunday of March (02:00)

    def offset_on(self, day: date) -> timedelta:
        summer = self.summer_time and day >= SUMMER_TIME_STARTS
        return timedelta(minutes=self.standard_minutes + (60 if summer else 0))

    def vtimezone(self) -> str:
        standard = _offset_text(self.standard_minutes)
        if not self.summer_time:
            rules = (
                "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
                f"TZOFFSETFROM:{standard}\r\nTZOFFSETTO:{standard}\r\nEND:STANDARD\r\n"
            )
        else:
            summer = _offset_text(self.standard_minutes + 60)
            rules = (
                "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n"
                f"TZOFFSETFROM:{summer}\r\nTZOFFSETTO:{standard}\r\n"
                "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
                "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\n"
                f"TZOFFSETFROM:{standard}\r\nTZOFFSETTO:{summer}\r\n"
                "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n"
            )
        return f"BEGIN:VTIMEZONE\r\nTZID:{self.tzid}\r\n{rules}END:VTIMEZONE\r\n"


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{rest:02d}"


@dataclass(frozen=True)
class IcsEvent:
    start: datetime  # wall-clock time, in `zone`
    minutes: int
    zone: str  # "custom", "utc", "floating" or an IANA name


@dataclass(frozen=True)
class IcsCalendar:
    zone: CustomZone
    events: tuple[IcsEvent, ...]

    def text(self) -> str:
        events = "".join(
            f"BEGIN:VEVENT\r\nUID:event-{n}\r\n"
            f"DTSTART{self._written(e.start, e.zone)}\r\n"
            f"DTEND{self._written(e.start + timedelta(minutes=e.minutes), e.zone)}\r\n"
            "END:VEVENT\r\n"
            for n, e in enumerate(self.events)
        )
        return (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tandem tests//random//EN\r\n"
            f"{self.zone.vtimezone()}{events}END:VCALENDAR\r\n"
        )

    def _written(self, wall: datetime, zone: str) -> str:
        value = wall.strftime("%Y%m%dT%H%M%S")
        if zone == "custom":
            return f';TZID="{self.zone.tzid}":{value}'
        if zone == "utc":
            return f":{value}Z"
        return f":{value}" if zone == "floating" else f";TZID={zone}:{value}"

    def expected(self, person: ZoneInfo) -> list[tuple[datetime, datetime]]:
        return sorted(
            (
                self._instant(e.start, e.zone, person),
                self._instant(e.start + timedelta(minutes=e.minutes), e.zone, person),
            )
            for e in self.events
        )

    def _instant(self, wall: datetime, zone: str, person: ZoneInfo) -> datetime:
        if zone == "custom":
            return (wall - self.zone.offset_on(wall.date())).replace(tzinfo=UTC)
        named = {"utc": UTC, "floating": person}.get(zone) or ZoneInfo(zone)
        return wall.replace(tzinfo=named).astimezone(UTC)


@st.composite
def ics_calendars(draw: st.DrawFn) -> IcsCalendar:
    zone = CustomZone(
        tzid=draw(st.sampled_from(SHARED_TZIDS)),
        standard_minutes=draw(st.integers(-12 * 4, 14 * 4)) * 15,
        summer_time=draw(st.booleans()),
    )
    events = []
    for _ in range(draw(st.integers(1, 5))):
        day = date(2027, 3, 1) + timedelta(days=draw(st.integers(0, 59)))
        # Daytime only: no zone changes its clock between 08:00 and 22:00.
        start = datetime.combine(
            day, time(draw(st.integers(8, 18)), draw(st.sampled_from([0, 15, 30, 45])))
        )
        where = draw(st.sampled_from(["custom", "custom", "utc", "floating", *ZONES]))
        events.append(IcsEvent(start, draw(st.integers(1, 12)) * 15, where))
    return IcsCalendar(zone, tuple(events))


@st.composite
def declines(draw: st.DrawFn, pair_ids: list[str]) -> dict[str, Any]:
    """A start an earlier plan's session 0 of a pair was declined at (every pair needs a
    session 0: its first period starts with the horizon)."""
    day, hour = draw(st.sampled_from(DAYS)), draw(st.integers(7, 18))
    entry = {"pair": draw(st.sampled_from(pair_ids)), "index": 0, "start": f"{day}T{hour:02d}:00"}
    by = draw(st.sampled_from([None, "mentor", "executive"]))
    return {**entry, "by": by} if by else entry
