"""What Tandem puts in an Outlook meeting: the Graph event body of one session.

A session is one-on-one: the executive is the only attendee when the mentor organises,
and the mentor and the executive are the only two when a programme mailbox organises.
Times go with an explicit time zone (the organiser's, as a Windows name Outlook knows),
never as bare UTC: a meeting sent in UTC shows at the wrong hour after a clock change
in any client that re-renders it. The one exception is an organiser whose zone the
scenario gives by its rule (an Outlook custom zone): no zone name says it, so its times
go in UTC, the same instants.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tzlocal.windows_tz import tz_win  # the CLDR IANA -> Windows table

from scheduler.zone_text import zone_named

# Tandem's one tag: a single-value extended property (one MAPI named property per mailbox).
TAG_PROPERTY = "String {6c1d3f2e-8a4b-4c7d-9e15-2f0b7a9c4d31} Name TandemSessionKey"
TRANSACTION_NAMESPACE = uuid.UUID("0f8d6a3c-2b71-4e59-a4c8-7d3e1b9f5a20")


@dataclass(frozen=True)
class Attendee:
    address: str
    name: str | None = None


@dataclass(frozen=True)
class MeetingSpec:
    """One session as a meeting: who, when (UTC), in which zone, and what it says."""

    tag: str  # the session's key and generation: the value of TAG_PROPERTY
    organiser: str
    attendees: tuple[Attendee, ...]
    start: datetime
    end: datetime
    time_zone: str  # IANA
    subject: str
    body: str
    sensitivity: str = "private"
    teams: bool = False

    @property
    def transaction_id(self) -> str:
        """The same for every attempt to create this meeting, so Graph can drop repeats."""
        return str(uuid.uuid5(TRANSACTION_NAMESPACE, self.tag))


def event_body(spec: MeetingSpec) -> dict[str, object]:
    """The `POST /users/{organiser}/events` body."""
    body: dict[str, object] = {
        "subject": spec.subject,
        "body": {"contentType": "text", "content": spec.body},
        **event_times(spec.start, spec.end, spec.time_zone),
        "attendees": [
            {
                "emailAddress": {"address": a.address, **({"name": a.name} if a.name else {})},
                "type": "required",
            }
            for a in spec.attendees
        ],
        "sensitivity": spec.sensitivity,
        "showAs": "busy",
        "allowNewTimeProposals": False,  # a new time comes from a re-plan, not a counter-offer
        "responseRequested": True,
        "transactionId": spec.transaction_id,
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": spec.tag}],
    }
    if spec.teams:
        body["isOnlineMeeting"] = True
        body["onlineMeetingProvider"] = "teamsForBusiness"
    return body


def event_times(start: datetime, end: datetime, zone: str) -> dict[str, dict[str, str]]:
    """`start` and `end` as wall-clock times in `zone`, named the way Outlook names it."""
    zone = meeting_zone(zone)
    local = ZoneInfo(zone)
    name = outlook_zone_name(zone)
    return {
        "start": {
            "dateTime": start.astimezone(local).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": name,
        },
        "end": {"dateTime": end.astimezone(local).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": name},
    }


def meeting_zone(zone: str) -> str:
    """The IANA zone a meeting of an organiser in `zone` is written in: that zone, or UTC
    for a zone given by its rule, which no zone name Outlook takes can say."""
    return zone if isinstance(zone_named(zone), ZoneInfo) else "UTC"


def outlook_zone_name(zone: str) -> str:
    """The Windows name of an IANA zone where one exists; Graph also takes IANA names."""
    return str(tz_win.get(zone, zone))
