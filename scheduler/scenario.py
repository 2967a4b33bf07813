"""The scenario document, version 1: the input contract of `docs/scenario-format.md`.

These models check the shape of each field where it stands. Checks that need the whole
document (ids, references, roles, the grid) live in `scenario_checks`.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from scheduler.busy_entries import FIRST_YEAR, LAST_YEAR, BusyEntries, read_busy_entries
from scheduler.errors import ScenarioError
from scheduler.time_notation import parse_range, parse_working_hours
from scheduler.zone_text import zone_named

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+$", min_length=1, max_length=200)]
# Dates and instants a programme can sensibly use; far beyond, date arithmetic overflows.
Day = Annotated[date, Field(ge=date(1970, 1, 2), le=date(2999, 12, 31))]


def _the_number_itself(value: Any) -> Any:
    """`version` is the number 1 itself: not `"1"`, `1.0` or `true` (which equal it)."""
    if type(value) is not int:
        raise ValueError("the version is the number 1")
    return value


def _within_years(moment: datetime) -> datetime:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"times must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment


Moment = Annotated[datetime, AfterValidator(_within_years)]
# Counts a programme can sensibly use: each bound is far past any real need, and keeps
# the arithmetic on them (hours to instants, caps in the model) from overflowing.
Cap = Annotated[int, Field(ge=1, le=1000)]
NoticeHours = Annotated[int, Field(ge=0, le=24 * 7 * 105)]  # past the longest horizon
Moves = Annotated[int, Field(ge=1, le=1000)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Cadence = Literal["weekly", "biweekly", "monthly"] | Annotated[int, Field(ge=1, le=52)]
Priority = Literal["high", "normal", "low"]
TentativePolicy = Literal["block", "avoid", "allow"]
BusyStatus = Literal["busy", "tentative", "oof", "workingElsewhere", "free"]
SessionStatus = Literal["booked", "declined", "cancelled"]
Decliner = Literal["mentor", "executive"]
AfterDecline = Literal["other_day", "other_time"]
GridMinutes = Literal[5, 10, 15, 30, 60]
Level = Literal["discover", "develop", "exploit"]
# A topic or a language: a free word, compared without regard to case.
Word = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$", max_length=60)]
SkillLevel = Annotated[int, Field(ge=1, le=3)]
Weight = Annotated[int, Field(ge=0, le=100)]

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

DEFAULT_WORKING_HOURS: dict[str, list[str]] = {"mon-fri": ["09:00-18:00"]}


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def check_timezone(name: str | None) -> str | None:
    """An IANA name, or a zone's own rule (`scheduler.zone_text`)."""
    if name is not None:
        zone_named(name)  # its ValueError says which forms are known
    return name


class Horizon(Strict):
    start: Day
    weeks: Annotated[int, Field(ge=1, le=104)] | None = None
    end: Day | None = None

    @model_validator(mode="after")
    def _length_is_known(self) -> Horizon:
        if self.weeks is None and self.end is None:
            raise ValueError("give horizon.weeks or horizon.end")
        if self.end is not None:
            days = (self.end - self.start).days
            if days <= 0:
                raise ValueError("horizon.end must be after horizon.start")
            if days > 104 * 7:
                raise ValueError("the horizon is longer than 104 weeks")
            if self.weeks is not None and days != self.weeks * 7:
                raise ValueError(
                    f"horizon.weeks ({self.weeks}) and horizon.end ({self.end}) disagree"
                )
        return self


class Rules(Strict):
    duration_minutes: Annotated[int, Field(ge=5, le=8 * 60)] = 45
    cadence: Cadence = "weekly"
    buffer_minutes: Annotated[int, Field(ge=0, le=240)] = 0
    min_gap_days: Annotated[int, Field(ge=0, le=366)] = 2
    max_sessions_per_day: Cap = 2
    max_sessions_per_week: Cap = 5
    tentative: TentativePolicy = "avoid"
    min_notice_hours: NoticeHours = 48
    max_moves_per_session: Moves | None = None
    after_decline: AfterDecline = "other_day"


class Holiday(Strict):
    date: Day
    name: str | None = None
    regions: list[str] | None = None


class CountryHolidays(Strict):
    """A country's public holidays (of one subdivision too, when given), for every year
    the horizon touches, from the `holidays` package; `regions` as for a dated holiday."""

    country: str
    subdivision: str | None = None
    regions: list[str] | None = None

    @model_validator(mode="after")
    def _known(self) -> CountryHolidays:
        import holidays  # its tables load lazily: only for scenarios that name a country

        known = holidays.list_supported_countries()
        if self.country not in known:
            raise ValueError(
                f"unknown country {self.country[:20]!r}: an ISO 3166 code such as FR, US, SG"
            )
        if self.subdivision is not None and self.subdivision not in known[self.country]:
            some = ", ".join(known[self.country][:6]) or "none"
            raise ValueError(
                f"unknown subdivision {self.subdivision[:20]!r} of {self.country} "
                f"(for example {some})"
            )
        return self


def _holiday_kind(entry: Any) -> str:
    return "country" if isinstance(entry, dict) and "country" in entry else "date"


HolidayEntry = Annotated[
    Annotated[Holiday, Tag("date")] | Annotated[CountryHolidays, Tag("country")],
    Discriminator(_holiday_kind),
]


class BusyTime(Strict):
    start: datetime
    end: datetime
    status: BusyStatus = "busy"

    @model_validator(mode="after")
    def _ends_after_start(self) -> BusyTime:
        for moment in (self.start, self.end):
            _within_years(moment)
        naive = (self.start.tzinfo is None, self.end.tzinfo is None)
        if naive[0] != naive[1]:
            raise ValueError("start and end must both carry an offset, or neither")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


# The compact form of a busy time: `START/END`, then optionally a space and the status.
CompactBusy = Annotated[
    str,
    Field(
        pattern=r"^\S+/\S+( (busy|tentative|oof|workingElsewhere|free))?$",
        examples=["2027-01-04T09:00/2027-01-04T10:00", "2027-01-05T14:00Z/2027-01-05T15:00Z oof"],
    ),
]


class OutOfOffice(Strict):
    from_: Day = Field(alias="from")
    to: Day

    @model_validator(mode="after")
    def _ordered(self) -> OutOfOffice:
        if self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class GeneratedCalendar(Strict):
    density: Annotated[float, Field(ge=0.0, le=0.95)]
    seed: Annotated[int, Field(ge=-(2**63), le=2**63 - 1)] = 0


class CalendarSource(Strict):
    ics: str | None = None
    graph: bool | None = None
    generate: GeneratedCalendar | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CalendarSource:
        given = [name for name in ("ics", "graph", "generate") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of ics, graph or generate")
        if self.graph is False:
            raise ValueError("graph: false is not a source; leave calendar out instead")
        return self


Role = Literal["executive", "mentor", "coach"]


class PersonEntry(Strict):
    id: Identifier
    role: Role
    name: str | None = None
    email: str | None = None
    timezone: str | None = None
    region: str | None = None
    working_hours: dict[str, list[str]] = Field(default_factory=lambda: DEFAULT_WORKING_HOURS)
    # Read column-wise by `scheduler.busy_entries` (the schema documents the forms).
    busy: list[BusyTime | CompactBusy] = Field(default_factory=list)
    out_of_office: list[OutOfOffice] = Field(default_factory=list)
    calendar: CalendarSource | None = None
    available_from: Day | None = None
    max_sessions_per_day: Cap | None = None
    max_sessions_per_week: Cap | None = None
    # Matching (`tandem match`): what a person brings or wants; see the format document.
    level: Level | None = None  # executives
    topics: Annotated[list[Word], Field(max_length=50)] | None = None  # executives
    skills: Annotated[dict[Word, SkillLevel], Field(max_length=50)] | None = None  # mentors
    capacity: Annotated[int, Field(ge=1, le=50)] | None = None  # mentors: executives at most
    languages: Annotated[list[Word], Field(min_length=1, max_length=20)] | None = None
    department: Annotated[str, Field(max_length=200)] | None = None
    reports_to: Identifier | None = None

    _timezone = field_validator("timezone")(check_timezone)

    @field_validator("working_hours")
    @classmethod
    def _working_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        parse_working_hours(value)
        return value


class Preferred(Strict):
    weekdays: list[Weekday] | None = None
    between: str | None = None

    @field_validator("between")
    @classmethod
    def _between(cls, value: str | None) -> str | None:
        if value is not None:
            parse_range(value)
        return value


class PairEntry(Strict):
    id: Identifier
    mentor: str
    mentee: str
    cadence: Cadence | None = None
    duration_minutes: Annotated[int, Field(ge=5, le=8 * 60)] | None = None
    start: Day | None = None
    sessions: Annotated[int, Field(ge=1, le=520)] | None = None
    priority: Priority = "normal"
    preferred: Preferred | None = None
    # Programme rules a pair may override (every rule except min_notice_hours).
    buffer_minutes: Annotated[int, Field(ge=0, le=240)] | None = None
    min_gap_days: Annotated[int, Field(ge=0, le=366)] | None = None
    max_sessions_per_day: Cap | None = None
    max_sessions_per_week: Cap | None = None
    tentative: TentativePolicy | None = None
    max_moves_per_session: Moves | None = None
    after_decline: AfterDecline | None = None


class Manager(Strict):
    """Someone in a reporting line who takes part in no session (a mentor's manager)."""

    id: Identifier
    reports_to: Identifier | None = None


class MatchingRules(Strict):
    """Which matching rules are hard; capacity and the planner's own pairs always are."""

    language: bool = True
    reporting_line: bool = True
    calendar_fit: bool = True


class MatchingWeights(Strict):
    """How much each soft goal counts when two matchings place as many executives."""

    topics: Weight = 4
    level: Weight = 3
    calendar: Weight = 3
    stable_slot: Weight = 1
    variety: Weight = 1
    load_spread: Weight = 1


class Matching(Strict):
    """How `tandem match` forms pairs for the executives no pair names yet."""

    cadence: Cadence | None = None  # of the pairs it forms; default rules.cadence
    duration_minutes: Annotated[int, Field(ge=5, le=8 * 60)] | None = None
    # The share of a pair's sessions whose period must leave both people a common start.
    min_calendar_share: Annotated[float, Field(gt=0.0, le=1.0)] = 0.75
    hard: MatchingRules = Field(default_factory=MatchingRules)
    weights: MatchingWeights = Field(default_factory=MatchingWeights)


class Releasable(Protocol):
    status: SessionStatus
    declined_by: Decliner | None


R = TypeVar("R", bound=Releasable)


def check_declined_by(entry: R) -> R:
    """Who declined is said of a declined session only (`current[]`, a plan's session)."""
    if entry.declined_by is not None and entry.status != "declined":
        raise ValueError("declined_by goes with status: declined")
    return entry


class CurrentSession(Strict):
    pair: str
    index: Annotated[int, Field(ge=0, le=100_000)]
    start: Moment
    status: SessionStatus = "booked"
    moves: Annotated[int, Field(ge=0, le=1000)] = 0
    declined_by: Decliner | None = None  # who declined `start`, when known

    _declined_by = model_validator(mode="after")(check_declined_by)


class DeclinedTime(Strict):
    """A start a session was declined at in an earlier plan (a plan's `declined` lists
    them, and `tandem plan --current` carries them here): the session never goes back."""

    pair: str
    index: Annotated[int, Field(ge=0, le=100_000)]
    start: Moment
    by: Decliner | None = None


class Variation(Strict):
    name: str
    set: dict[str, Any]


TEMPLATE_FIELDS = ("mentor", "executive", "programme", "number", "total")
# In a supervision check-in's templates `{mentor}` is the supervised mentor.
SUPERVISION_FIELDS = ("coach", "mentor", "programme", "number", "total")
Sensitivity = Literal["normal", "personal", "private", "confidential"]


def check_template(text: str, fields: tuple[str, ...] = TEMPLATE_FIELDS) -> str:
    """Only the documented placeholders, written `{mentor}`; `{{` is a literal brace."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as problem:
        raise ValueError(f"not a valid template ({problem})") from None
    for _, name, spec, conversion in parts:
        if name is not None and (name not in fields or spec or conversion):
            raise ValueError(f"unknown placeholder '{{{name}}}' (use {', '.join(fields)})")
    return text


def check_supervision_template(text: str) -> str:
    return check_template(text, SUPERVISION_FIELDS)


class Invitations(Strict):
    """How sessions go out as Outlook meetings (`tandem invite`, the service)."""

    organizer: str = "mentor"  # or the address of a programme mailbox
    subject: Annotated[str, Field(min_length=1, max_length=255)] = "Reverse mentoring"
    body: Annotated[str, Field(max_length=4000)] = (
        "Reverse-mentoring session {number} of {total}. "
        "If this time does not suit you, decline it and a new time will be found."
    )
    cancel_comment: Annotated[str, Field(max_length=1000)] = (
        "This reverse-mentoring session is no longer planned at this time."
    )
    supervision_subject: Annotated[str, Field(min_length=1, max_length=255)] = (
        "Mentor check-in: {mentor} with {coach}"
    )
    supervision_body: Annotated[str, Field(max_length=4000)] = (
        "Check-in {number} of {total} of mentor {mentor} with programme coach {coach}. "
        "If this time does not suit you, decline it and a new time will be found."
    )
    sensitivity: Sensitivity = "private"
    teams: bool = False

    _templates = field_validator("subject", "body", "cancel_comment")(check_template)
    _supervision_templates = field_validator("supervision_subject", "supervision_body")(
        check_supervision_template
    )

    @field_validator("organizer")
    @classmethod
    def _mentor_or_address(cls, value: str) -> str:
        if value != "mentor" and not EMAIL.fullmatch(value):
            raise ValueError("'mentor' or the e-mail address of a programme mailbox")
        return value


class CoachAssignment(Strict):
    """Which mentors one coach supervises."""

    coach: str
    mentors: list[str]


class Supervision(Strict):
    """Each supervised mentor (a mentor of a pair) meets a coach one-on-one: a check-in
    per period of `cadence`, placed under the same hard rules as the sessions."""

    coaches: list[str] | None = None  # default: every person with role coach
    cadence: Cadence = "monthly"
    duration_minutes: Annotated[int, Field(ge=5, le=8 * 60)] = 30
    assign: list[CoachAssignment] = Field(default_factory=list)


class Scenario(Strict):
    """A Tandem scenario, version 1; every key is described in docs/scenario-format.md
    of the Tandem repository."""

    version: Annotated[Literal[1], BeforeValidator(_the_number_itself)]
    name: str | None = None
    timezone: str = "UTC"
    horizon: Horizon
    grid_minutes: GridMinutes = 15
    now: Moment | None = None
    rules: Rules = Field(default_factory=Rules)
    holidays: list[HolidayEntry] = Field(default_factory=list)
    people: list[PersonEntry]
    pairs: list[PairEntry]
    current: list[CurrentSession] = Field(default_factory=list)
    declined: list[DeclinedTime] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)
    invitations: Invitations = Field(default_factory=Invitations)
    matching: Matching = Field(default_factory=Matching)
    managers: list[Manager] = Field(default_factory=list)
    supervision: Supervision | None = None
    # Each person's `busy` list, read apart from the rest (`scenario_checks`), by position.
    _busy: dict[int, BusyEntries] = PrivateAttr(default_factory=dict)
    # Each variation applied and validated (`validate_scenario`), in order.
    _variants: list[Scenario] = PrivateAttr(default_factory=list)

    _timezone = field_validator("timezone")(check_timezone)

    def busy_of(self, index: int) -> BusyEntries | None:
        """The busy entries of `people[index]`; read here for a scenario made without
        `validate_scenario`, where a list the reader refuses is an error, never dropped."""
        if index not in self._busy and self.people[index].busy:
            entries = [b if isinstance(b, str) else b.model_dump() for b in self.people[index].busy]
            found, errors = read_busy_entries(entries, f"people[{index}].busy")
            if errors:
                raise ScenarioError(errors)
            self._busy[index] = found
        return self._busy.get(index)
