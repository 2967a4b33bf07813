"""Outlook meetings through Graph: create, find by Tandem's tag, read, move, cancel.

Every request asks for immutable ids (`Prefer: IdType="ImmutableId"`): a cancelled
meeting moves to Deleted Items, and an ordinary id would change with it. Reads and
idempotent writes (a PATCH to absolute times, a cancel) are retried on 429, 503, 504 and
timeouts. A create is retried only on 429: any other failure may come after Graph made
the meeting, so it raises `OutcomeUnknownError` and the caller looks for the tag first.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from connectors.graph.client import (
    BACKOFF_CAP_SECONDS,
    RETRIED_STATUSES,
    GraphClient,
    GraphError,
    error_code,
)
from connectors.graph.meetings import TAG_PROPERTY, MeetingSpec, event_body, event_times
from connectors.graph.statuses import attendee_response
from connectors.graph.zones import parse_graph_time

log = logging.getLogger(__name__)
IMMUTABLE_IDS = {"Prefer": 'IdType="ImmutableId"'}
BATCH_SIZE = 20  # Graph's limit per $batch
EXPAND_TAG = f"singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY}')"
SELECT = "id,start,end,isCancelled,attendees,organizer,createdDateTime,onlineMeeting"


class EventNotFoundError(GraphError):
    """The meeting is not (or no longer) in the organiser's calendar."""


@dataclass(frozen=True)
class EventState:
    """What Tandem reads back of a meeting: never its subject or body."""

    id: str
    start: datetime
    end: datetime
    cancelled: bool = False
    responses: dict[str, str] = field(default_factory=dict)  # attendee address -> response
    created: str = ""
    join_url: str | None = None


@dataclass
class EventsClient:
    graph: GraphClient

    def create(self, spec: MeetingSpec) -> EventState:
        answer = self.graph.call(
            "POST",
            _events(spec.organiser),
            mailbox=spec.organiser,
            what=f"creating meeting {spec.tag}",
            retry_all=False,
            json=event_body(spec),
            headers=IMMUTABLE_IDS,
        )
        return _state(_success(answer, f"creating meeting {spec.tag}"), spec.organiser)

    def find_tagged(self, organiser: str, tag: str) -> list[EventState]:
        """The organiser's meetings that carry this tag value, oldest first."""
        value = tag.replace("'", "''")
        answer = self.graph.call(
            "GET",
            _events(organiser),
            mailbox=organiser,
            what=f"looking up meeting {tag}",
            params={
                "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY}'"
                f" and ep/value eq '{value}')",
                "$select": SELECT,
            },
            headers=IMMUTABLE_IDS,
        )
        page = _success(answer, f"looking up {tag}")
        found = [_state(item, organiser) for item in page.get("value", [])]
        while next_link := page.get("@odata.nextLink"):  # Graph pages long answers
            answer = self.graph.call(
                "GET",
                str(next_link),
                mailbox=organiser,
                what=f"looking up {tag}",
                headers=IMMUTABLE_IDS,
            )
            page = _success(answer, f"looking up {tag}")
            found.extend(_state(item, organiser) for item in page.get("value", []))
        return sorted(found, key=lambda event: event.created)

    def get(self, organiser: str, event_id: str) -> EventState:
        what = f"reading meeting {event_id}"
        answer = self._on_meeting("GET", organiser, event_id, what, params={"$select": SELECT})
        return _state(_success(answer, what), organiser)

    def move(
        self, organiser: str, event_id: str, start: datetime, end: datetime, zone: str
    ) -> EventState:
        """A PATCH of start and end only: attendees get an update of the same meeting."""
        what = f"moving meeting {event_id}"
        times = event_times(start, end, zone)
        return _state(
            _success(self._on_meeting("PATCH", organiser, event_id, what, json=times), what),
            organiser,
        )

    def cancel(self, organiser: str, event_id: str, comment: str) -> None:
        """Cancels with a comment; a meeting already cancelled or deleted counts as done."""
        what = f"cancelling meeting {event_id}"
        answer = self._on_meeting(
            "POST", organiser, event_id, what, suffix="/cancel", json={"comment": comment}
        )
        if answer.status_code != 404:
            _success(answer, what)

    def _on_meeting(
        self,
        method: str,
        organiser: str,
        event_id: str,
        what: str,
        suffix: str = "",
        **request: Any,
    ) -> httpx.Response:
        return self.graph.call(
            method,
            f"{_events(organiser)}/{quote(event_id, safe='')}{suffix}",
            mailbox=organiser,
            what=what,
            headers=IMMUTABLE_IDS,
            **request,
        )

    def read_many(self, meetings: Sequence[tuple[str, str]]) -> dict[str, EventState | None]:
        """Many meetings (organiser, id) read through `$batch`: twenty a request, one
        organiser a request (its limits are per mailbox). None for a meeting that no longer
        exists; a meeting Graph would not read (refused, or still throttled after every
        try) is left out, for the next reading. Throttled parts wait for their Retry-After."""
        results: dict[str, EventState | None] = {}
        waiting = list(meetings)
        tries = self.graph.settings.max_tries
        for attempt in range(1, tries + 1):
            throttled: list[tuple[str, str]] = []
            pause = 0.0
            for chunk in _batches(waiting):
                again, wait = self._read_batch(chunk, results)
                throttled.extend(again)
                pause = max(pause, wait)
            waiting = throttled
            if not waiting:
                break
            if attempt < tries:
                self.graph.sleep(min(max(pause, 2.0**attempt / 4), BACKOFF_CAP_SECONDS))
        return results

    def _read_batch(
        self, chunk: list[tuple[str, str]], results: dict[str, EventState | None]
    ) -> tuple[list[tuple[str, str]], float]:
        requests = [
            {
                "id": str(number),
                "method": "GET",
                "url": f"/users/{quote(organiser)}/events/{quote(event_id, safe='')}"
                f"?$select={SELECT}",
                "headers": IMMUTABLE_IDS,
            }
            for number, (organiser, event_id) in enumerate(chunk)
        ]
        answer = self.graph.call(
            "POST",
            "/$batch",
            mailbox=chunk[0][0],
            what=f"reading {len(chunk)} meetings",
            json={"requests": requests},
        )
        throttled, pause = [], 0.0
        for part in _success(answer, "reading meetings").get("responses", []):
            organiser, event_id = chunk[int(part["id"])]
            status = int(part.get("status", 500))
            if status == 200:
                results[event_id] = _state(part.get("body") or {}, organiser)
            elif status == 404:
                results[event_id] = None
            elif status in RETRIED_STATUSES:  # inside a 200: the part alone is asked again
                throttled.append((organiser, event_id))
                pause = max(pause, _part_retry_after(part))
            else:  # refused (403: an access policy, say): not read this time
                log.warning("a meeting could not be read: HTTP %s", status)
        return throttled, pause


def _events(mailbox: str) -> str:
    return f"/users/{quote(mailbox)}/events"


def _batches(items: list[tuple[str, str]]) -> Iterable[list[tuple[str, str]]]:
    """Twenty at most, and one organiser per batch."""
    by_organiser: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        by_organiser.setdefault(item[0].lower(), []).append(item)
    for group in by_organiser.values():
        iterator = iter(group)
        while chunk := list(itertools.islice(iterator, BATCH_SIZE)):
            yield chunk


def _part_retry_after(part: dict[str, Any]) -> float:
    headers = {str(k).lower(): v for k, v in (part.get("headers") or {}).items()}
    try:
        return min(float(headers.get("retry-after", 0)), BACKOFF_CAP_SECONDS)
    except (TypeError, ValueError):
        return 0.0


def _success(answer: httpx.Response, what: str) -> dict[str, Any]:
    if answer.status_code == 404:
        raise EventNotFoundError(f"{what}: not found")
    if not answer.is_success:
        raise GraphError(f"{what}: HTTP {answer.status_code} {error_code(answer)}".rstrip())
    if not answer.content:
        return {}
    payload: dict[str, Any] = answer.json()
    return payload


def _state(item: dict[str, Any], organiser: str) -> EventState:
    responses = {
        str(a.get("emailAddress", {}).get("address", "")).lower(): attendee_response(
            a.get("status", {}).get("response", "none")
        )
        for a in item.get("attendees") or []
    }
    meeting = item.get("onlineMeeting") or {}
    try:
        start, end = parse_graph_time(item["start"]), parse_graph_time(item["end"])
    except (KeyError, ValueError) as unreadable:
        raise GraphError(
            f"meeting {item.get('id', '?')} in {organiser}'s calendar: Graph gave {unreadable}"
        ) from None
    return EventState(
        id=str(item["id"]),
        start=start,
        end=end,
        cancelled=bool(item.get("isCancelled", False)),
        responses=responses,
        created=str(item.get("createdDateTime", "")),
        join_url=meeting.get("joinUrl") if isinstance(meeting, dict) else None,
    )
