"""A local HTTPS stand-in of Microsoft Graph and of the Microsoft identity platform.

It follows the documented v1.0 shapes:

- OpenID discovery and the v2.0 token endpoint (client credentials).
- `POST /users/{id}/calendar/getSchedule` with Graph's limits (20 schedules, windows under
  62 days), per-address errors inside a 200, working hours, and schedule items that carry
  subjects (which the client must drop), their times in the zone the client prefers
  (`Prefer: outlook.timezone`, UTC by default) or, for a mailbox in `item_zones`, in that
  mailbox's own zone under the name given there (a custom zone's name, say). Faults
  queued in `faults`: 429 with Retry-After, 503, 504, or a slow answer (a timeout for the
  client).
- An organiser's calendar events: create (with Graph's transactionId de-duplication), list
  by a single-value extended property, read, PATCH, cancel and DELETE. What Exchange would
  do besides is recorded: the mail attendees get (`mail`), responses reset when the time
  moves, and an ordinary id that stops working once a cancelled meeting moves to Deleted
  Items (immutable ids, asked for with `Prefer: IdType="ImmutableId"`, keep working).
  Time zones go through the stand-in's own small Windows table, deliberately independent
  of the client's. Faults queued in `event_faults` strike before the change, or after it
  (`after_commit`): the ambiguous outcome a client must resolve by looking first.
- JSON `$batch`: 20 requests at most, each answered as if sent alone, in shuffled order.
- Change-notification subscriptions: the validation handshake against the client's
  endpoint, the 10080-minute expiry limit, and notifications and lifecycle events that
  the test delivers when it chooses (`deliver_notifications`, `send_lifecycle`).

Test hooks play the people on the other side: an attendee answers (`respond`), the
organiser edits or deletes a meeting in Outlook (`user_edit`, `user_delete`), a meeting
is there that the client never made (`add_event`).

Certificates come from trustme; the client trusts them through TANDEM_GRAPH_CA_BUNDLE.
"""

from __future__ import annotations

import copy
import json
import random
import re
import secrets
import socket
import ssl
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import trustme

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "s3cret-value-that-must-never-be-logged"

# The stand-in's own Windows -> IANA table, small on purpose: a client that sends a name
# outside it, or maps a zone wrongly, is caught here rather than agreeing with itself.
WINDOWS_ZONES = {
    "Romance Standard Time": "Europe/Paris",
    "W. Europe Standard Time": "Europe/Berlin",
    "GMT Standard Time": "Europe/London",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Pacific Standard Time": "America/Los_Angeles",
    "Singapore Standard Time": "Asia/Singapore",
    "Tokyo Standard Time": "Asia/Tokyo",
    "India Standard Time": "Asia/Kolkata",
    "UTC": "UTC",
}
NO_RESPONSE_TIME = "0001-01-01T00:00:00Z"
ICAL_UID_PREFIX = "040000008200E00074C5B7101A82E00800000000"
BATCH_LIMIT = 20
CLIENT_STATE_LIMIT = 128
CHANGE_TYPES = ("created", "updated", "deleted")
# What `fault_rate` may draw, by name.
FAULT_KINDS: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "retry_after": 1},
    "503": {"status": 503},
    "504": {"status": 504},
    "503-after-commit": {"status": 503, "after_commit": True},
    "reset-after-commit": {"reset": True, "after_commit": True},
}
FAULT_CODES = {429: "TooManyRequests", 504: "GatewayTimeout"}
TAG_FILTER = re.compile(
    r"^\s*singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+'((?:[^']|'')*)'"
    r"\s+and\s+\1/value\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$",
    re.IGNORECASE,
)
TAG_EXPAND = re.compile(
    r"^\s*singleValueExtendedProperties\(\s*\$filter\s*=\s*id\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$",
    re.IGNORECASE,
)
EVENTS_RESOURCE = re.compile(r"^/?users/([^/]+)/events$", re.IGNORECASE)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Meeting:
    start: datetime  # UTC, naive
    end: datetime
    status: str = "busy"
    subject: str = "Confidential board matter"


@dataclass
class Event:
    """A meeting in its organiser's calendar, kept the way Exchange keeps it: in UTC."""

    id: str
    mailbox: str  # the organiser, lower-case
    subject: str
    body: dict[str, Any]
    start: datetime  # UTC, naive
    end: datetime
    time_zone: str  # as the client sent it: times are rendered back in it
    attendees: list[dict[str, Any]] = field(default_factory=list)
    sensitivity: str = "normal"
    is_online_meeting: bool = False
    join_url: str | None = None
    tag: dict[str, str] = field(default_factory=dict)  # extended property id -> value
    transaction_id: str | None = None
    is_cancelled: bool = False  # cancelled: moved to Deleted Items
    deleted: bool = False  # hard-deleted: gone for every id
    change_key: int = 1
    created_seq: int = 0
    immutable: bool = False
    location: dict[str, Any] = field(default_factory=lambda: {"displayName": ""})
    cancel_comment: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # showAs and the like, echoed
    ical_uid: str = field(default_factory=lambda: ICAL_UID_PREFIX + uuid.uuid4().hex.upper())
    created_at: datetime = field(default_factory=_utcnow)
    modified_at: datetime = field(default_factory=_utcnow)

    def addresses(self) -> list[str]:
        return [_address(attendee) for attendee in self.attendees]


@dataclass
class Reply:
    """One answer, before it is written: shared by direct requests and $batch parts."""

    status: int
    payload: Any = None  # JSON; None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a timeout for the client)
    reset: bool = False  # close the connection instead of answering


@dataclass
class _Call:
    """One Graph request, direct or a $batch part; `path` is below /v1.0, still encoded."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any
    in_batch: bool = False


class _RefusedError(Exception):
    """Raised deep in a handler to answer with an error at once."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


@dataclass
class StandIn:
    calendars: dict[str, list[Meeting]] = field(default_factory=dict)
    working_hours: dict[str, dict[str, Any]] = field(default_factory=dict)
    # address -> (zone name as written, the zone): item times rendered in it
    item_zones: dict[str, tuple[str, ZoneInfo]] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)  # getSchedule, consumed in order
    requests: list[dict[str, Any]] = field(default_factory=list)  # getSchedule
    tokens_issued: int = 0
    in_flight: dict[str, int] = field(default_factory=dict)
    max_in_flight: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards everything here
    base: str = ""
    # Calendar events
    events: dict[str, Event] = field(default_factory=dict)
    transaction_dedupe: bool = True
    mail: list[tuple[str, str, str]] = field(default_factory=list)  # (to, kind, event id)
    event_faults: list[dict[str, Any]] = field(default_factory=list)
    fault_rate: dict[str, float] = field(default_factory=dict)  # FAULT_KINDS name -> chance
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    event_requests: list[dict[str, Any]] = field(default_factory=list)
    batch_requests: list[list[dict[str, Any]]] = field(default_factory=list)
    page_size: int | None = None  # None: one page, as if the client's $top always fits
    event_seq: int = 0
    # Subscriptions
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_subscription_minutes: int = 10080
    subscription_requests: list[dict[str, Any]] = field(default_factory=list)
    pending_notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def next_fault(self) -> dict[str, Any] | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def next_event_fault(self, method: str, operation: str) -> dict[str, Any] | None:
        """The first queued fault meant for this request (its `match` is the method or the
        operation), else perhaps one drawn from `fault_rate`."""
        with self.lock:
            for index, fault in enumerate(self.event_faults):
                if str(fault.get("match", method)).lower() in (method.lower(), operation):
                    return self.event_faults.pop(index)
            return self._random_fault()

    # Test hooks: the people on the other side

    def live_events(self, mailbox: str | None = None) -> list[Event]:
        """Events neither cancelled nor deleted, oldest first."""
        with self.lock:
            return self._live(mailbox)

    def add_event(
        self,
        mailbox: str,
        start: datetime,
        end: datetime,
        *,
        subject: str = "Tandem session",
        attendees: Sequence[str] = (),
        tag: dict[str, str] | None = None,
        time_zone: str = "UTC",
        immutable: bool = True,
        transaction_id: str | None = None,
        sensitivity: str = "normal",
    ) -> Event:
        """A meeting already in the calendar (times UTC): no mail, no notification."""
        if _zone(time_zone) is None:
            raise ValueError(f"unknown time zone {time_zone!r}")
        with self.lock:
            return self._store(
                Event(
                    id=_new_event_id(immutable),
                    mailbox=mailbox.lower(),
                    subject=subject,
                    body={"contentType": "text", "content": ""},
                    start=_naive_utc(start),
                    end=_naive_utc(end),
                    time_zone=time_zone,
                    attendees=[_attendee({"emailAddress": {"address": a}}) for a in attendees],
                    sensitivity=sensitivity,
                    tag=dict(tag or {}),
                    transaction_id=transaction_id,
                    immutable=immutable,
                )
            )

    def respond(self, event_id: str, address: str, response: str) -> None:
        """An attendee accepts, tentatively accepts or declines."""
        with self.lock:
            event = self.events[event_id]
            attendee = _find_attendee(event, address)
            attendee["status"] = {"response": response, "time": _stamp(_utcnow())}
            self._touch(event)
            self._notify(event, "updated")

    def user_edit(
        self,
        event_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        subject: str | None = None,
    ) -> None:
        """The organiser changes the meeting in Outlook (times UTC) and sends the update."""
        changes: dict[str, Any] = {"start": start, "end": end, "subject": subject}
        with self.lock:
            self._change(
                self.events[event_id],
                {
                    k: _naive_utc(v) if isinstance(v, datetime) else v
                    for k, v in changes.items()
                    if v is not None
                },
                None,
            )

    def user_delete(self, event_id: str) -> None:
        """The organiser deletes the meeting in Outlook: attendees get a cancellation."""
        with self.lock:
            self._hard_delete(self.events[event_id])

    # Notifications, delivered when the test says so

    def deliver_notifications(self, duplicates: int = 1) -> list[int]:
        """POST the queued change notifications, one payload per subscription, each sent
        `duplicates` times (Graph may deliver twice); the statuses received, 0 for none."""
        with self.lock:
            pending, self.pending_notifications = self.pending_notifications, []
            batches: dict[str, list[dict[str, Any]]] = {}
            for subscription_id, notification in pending:
                if subscription_id in self.subscriptions:  # a deleted one gets nothing more
                    batches.setdefault(subscription_id, []).append(notification)
            targets = [(self.subscriptions[s]["notificationUrl"], v) for s, v in batches.items()]
        return [
            self.notify_raw(url, {"value": notifications})
            for url, notifications in targets
            for _ in range(duplicates)
        ]

    def send_lifecycle(self, subscription_id: str, lifecycle_event: str) -> int:
        """POST a lifecycle event (reauthorizationRequired, subscriptionRemoved, missed) to
        the subscription's lifecycle URL; `subscriptionRemoved` also removes it, as Graph
        has by then."""
        with self.lock:
            subscription = self.subscriptions[subscription_id]
            url = subscription.get("lifecycleNotificationUrl")
            if not url:
                raise ValueError(f"subscription {subscription_id} has no lifecycle URL")
            if lifecycle_event == "subscriptionRemoved":
                del self.subscriptions[subscription_id]
        notification = {
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "tenantId": TENANT,
            "clientState": subscription.get("clientState"),
            "lifecycleEvent": lifecycle_event,
        }
        return self.notify_raw(str(url), {"value": [notification]})

    def notify_raw(self, url: str, payload: Any) -> int:
        """POST any JSON to the client's endpoint; its status, or 0 if it never answered."""
        try:
            return httpx.post(url, json=payload, timeout=10, verify=False).status_code
        except httpx.HTTPError:
            return 0

    # The rest is called with the lock held.

    def _random_fault(self) -> dict[str, Any] | None:
        if not self.fault_rate:
            return None  # no draw: batch shuffles stay the same with or without rates
        draw = self.rng.random()
        for kind in sorted(self.fault_rate):
            draw -= self.fault_rate[kind]
            if draw < 0:
                return dict(FAULT_KINDS[kind])
        return None

    def _live(self, mailbox: str | None) -> list[Event]:
        wanted = None if mailbox is None else mailbox.lower()
        found = [
            e
            for e in self.events.values()
            if not e.is_cancelled and not e.deleted and wanted in (None, e.mailbox)
        ]
        return sorted(found, key=lambda e: e.created_seq)

    def _visible(self, mailbox: str, event_id: str, *, cancelled: bool) -> Event | None:
        """The event this mailbox reaches by this id. A cancelled one moved to Deleted
        Items, which changes an ordinary id: only an immutable one still finds it."""
        event = self.events.get(event_id)
        if event is None or event.deleted or event.mailbox != mailbox:
            return None
        if event.is_cancelled and not (cancelled and event.immutable):
            return None
        return event

    def _twin(self, mailbox: str, transaction_id: Any) -> Event | None:
        if not self.transaction_dedupe or not transaction_id:
            return None
        return next(
            (
                e
                for e in self.events.values()
                if e.mailbox == mailbox and e.transaction_id == transaction_id and not e.deleted
            ),
            None,
        )

    def _store(self, event: Event) -> Event:
        self.event_seq += 1
        event.created_seq = self.event_seq
        self.events[event.id] = event
        return event

    def _touch(self, event: Event) -> None:
        event.change_key += 1
        event.modified_at = _utcnow()

    def _mail(self, event: Event, kind: str, addresses: list[str] | None = None) -> None:
        for address in event.addresses() if addresses is None else addresses:
            self.mail.append((address, kind, event.id))

    def _change(
        self, event: Event, changes: dict[str, Any], attendees: list[dict[str, Any]] | None
    ) -> None:
        """Apply an edit the way Exchange does: an update to attendees who stay when what
        they see changes, their responses reset when the time moves (Outlook asks again),
        an invitation to those added and a cancellation to those removed."""
        moved = any(k in changes and changes[k] != getattr(event, k) for k in ("start", "end"))
        edited = any(
            k in changes and changes[k] != getattr(event, k)
            for k in ("subject", "body", "location")
        )
        for name, value in changes.items():
            setattr(event, name, value)
        before = event.addresses()
        if attendees is not None:
            event.attendees = _merge_attendees(event.attendees, attendees)
        after = event.addresses()
        if moved:
            for attendee in event.attendees:
                attendee["status"] = {"response": "none", "time": NO_RESPONSE_TIME}
        if moved or edited:
            self._mail(event, "update", [a for a in after if a in before])
        self._mail(event, "invitation", [a for a in after if a not in before])
        self._mail(event, "cancellation", [a for a in before if a not in after])
        self._touch(event)
        self._notify(event, "updated")

    def _cancel(self, event: Event, comment: str) -> None:
        event.is_cancelled = True
        event.cancel_comment = comment
        self._mail(event, "cancellation")
        self._touch(event)
        self._notify(event, "deleted")  # it left the calendar for Deleted Items

    def _hard_delete(self, event: Event) -> None:
        if not event.is_cancelled:  # a cancelled one already told attendees and watchers
            self._mail(event, "cancellation")
            self._notify(event, "deleted")
        event.deleted = True

    def _notify(self, event: Event, change_type: str) -> None:
        for subscription in self.subscriptions.values():
            watches = _resource_mailbox(subscription["resource"]) == event.mailbox
            if watches and change_type in subscription["changeType"].split(","):
                self.pending_notifications.append(
                    (subscription["id"], _notification(subscription, event, change_type))
                )


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or "0"))
        except OSError:
            return  # the client died mid-request (a chaos test's SIGKILL)
        state = self.server.state
        if url.path.startswith("/v1.0/"):
            self._graph(method, url, raw)
        elif method == "GET" and url.path.endswith("/v2.0/.well-known/openid-configuration"):
            self._send(_discovery(state, url.path))
        elif method == "POST" and url.path == f"/{TENANT}/oauth2/v2.0/token":
            self._send(_token(state, urllib.parse.parse_qs(raw.decode())))
        else:
            self._send(_error(404, "NotFound", url.path))

    def _graph(self, method: str, url: urllib.parse.SplitResult, raw: bytes) -> None:
        if not self.headers.get("Authorization", "").startswith("Bearer token-"):
            self._send(_error(401, "InvalidAuthenticationToken", "no token"))
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._send(_error(400, "BadRequest", "Unable to read JSON request payload."))
            return
        call = _Call(method, url.path.removeprefix("/v1.0"), _query(url.query), self._heads(), body)
        state = self.server.state
        with _tracked(state, _mailboxes(call)):
            try:
                reply = _dispatch(state, call)
            except Exception as bug:  # a 500 names a stand-in bug; a dropped socket would not
                reply = _error(500, "StandInError", f"{type(bug).__name__}: {bug}")
            time.sleep(reply.delay)  # still in flight while the client waits
        if reply.reset:
            self._reset()
        else:
            self._send(reply)

    def _heads(self) -> dict[str, str]:
        headers = {name.lower(): value for name, value in self.headers.items()}
        headers["prefer"] = ", ".join(self.headers.get_all("Prefer") or [])
        return headers

    def _send(self, reply: Reply) -> None:
        data = b"" if reply.payload is None else json.dumps(reply.payload).encode()
        try:
            self.send_response(reply.status)
            if reply.payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout test)

    def _reset(self) -> None:
        """Drop the connection unanswered, as a failing front end does."""
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        with suppress(OSError):
            self.connection.close()


@contextmanager
def _tracked(state: StandIn, mailboxes: list[str]) -> Iterator[None]:
    """Count requests in flight per mailbox (a $batch counts each part: Graph runs them
    side by side and applies the mailbox's limit to each)."""
    with state.lock:
        for mailbox in mailboxes:
            state.in_flight[mailbox] = state.in_flight.get(mailbox, 0) + 1
        for mailbox in set(mailboxes):
            state.max_in_flight[mailbox] = max(
                state.max_in_flight.get(mailbox, 0), state.in_flight[mailbox]
            )
    try:
        yield
    finally:
        with state.lock:
            for mailbox in mailboxes:
                state.in_flight[mailbox] -= 1


def _mailboxes(call: _Call) -> list[str]:
    if _parts(call.path) != ["$batch"]:
        return _path_mailbox(call.path)
    requests = call.body.get("requests") if isinstance(call.body, dict) else None
    if not isinstance(requests, list):
        return []
    return [
        mailbox
        for part in requests
        if isinstance(part, dict) and isinstance(part.get("url"), str)
        for mailbox in _path_mailbox(urllib.parse.urlsplit(part["url"]).path)
    ]


def _path_mailbox(path: str) -> list[str]:
    parts = _parts(path)
    return [parts[1].lower()] if len(parts) >= 2 and parts[0] == "users" else []


def _parts(path: str) -> list[str]:
    return [urllib.parse.unquote(part) for part in path.strip("/").split("/")]


def _query(query: str) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


# Identity platform


def _discovery(state: StandIn, path: str) -> Reply:
    if path != f"/{TENANT}/v2.0/.well-known/openid-configuration":
        return Reply(
            400,
            {
                "error": "invalid_tenant",
                "error_codes": [90002],
                "error_description": "AADSTS90002: Tenant not found.",
            },
        )
    base = state.base
    return Reply(
        200,
        {
            "issuer": f"{base}/{TENANT}/v2.0",
            "token_endpoint": f"{base}/{TENANT}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/devicecode",
        },
    )


def _token(state: StandIn, form: dict[str, list[str]]) -> Reply:
    if form.get("client_id") != [CLIENT_ID]:
        return Reply(
            400,
            {
                "error": "unauthorized_client",
                "error_codes": [700016],
                "error_description": "AADSTS700016: Application not found.",
            },
        )
    if form.get("client_secret") != [CLIENT_SECRET] and "client_assertion" not in form:
        return Reply(
            401,
            {
                "error": "invalid_client",
                "error_codes": [7000215],
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            },
        )
    with state.lock:
        state.tokens_issued += 1
        issued = state.tokens_issued
    return Reply(
        200,
        {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": f"token-{issued}",
        },
    )


# Graph


def _dispatch(state: StandIn, call: _Call) -> Reply:
    """Route one Graph request, direct or a $batch part, to its handler."""
    try:
        return _route(state, call, _parts(call.path))
    except _RefusedError as refused:
        return refused.reply


def _route(state: StandIn, call: _Call, parts: list[str]) -> Reply:
    if parts[0] == "subscriptions":
        return _subscriptions(state, call, parts[1:])
    if parts == ["$batch"] and call.method == "POST" and not call.in_batch:
        return _batch(state, call)
    if len(parts) >= 3 and parts[0] == "users":
        rest = parts[2:]
        if rest == ["calendar", "getSchedule"] and call.method == "POST":
            return _schedule(state, parts[1], call.body, _preferred_zone(call) or "UTC")
        if rest[:2] == ["calendar", "events"]:
            rest = rest[1:]  # the default calendar's events are the mailbox's events
        if rest[0] == "events":
            return _events(state, call, parts[1].lower(), rest[1:])
    return _error(404, "NotFound", f"/v1.0{call.path}")


def _schedule(state: StandIn, mailbox: str, body: Any, zone: str) -> Reply:
    with state.lock:
        state.requests.append({"mailbox": mailbox, "body": body})
    fault = state.next_fault()
    if fault and fault.get("delay"):
        time.sleep(fault["delay"])
    if fault and fault.get("status"):
        return _fault_reply(fault)
    start = _graph_time(body["startTime"])
    end = _graph_time(body["endTime"])
    if len(body["schedules"]) > 20:
        return _error(400, "ErrorMailboxDataArrayTooBig", "max 20")
    if end - start >= timedelta(days=62):
        return _error(
            400,
            "ErrorTimeIntervalTooBig",
            "The requested time duration ... allowed limit = 62 days",
        )
    return Reply(
        200,
        {
            "@odata.context": "https://graph/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
            "value": [_information(state, a, start, end, zone) for a in body["schedules"]],
        },
    )


def _information(
    state: StandIn, address: str, start: datetime, end: datetime, zone: str
) -> dict[str, Any]:
    if address not in state.calendars:
        return {
            "scheduleId": address,
            "error": {
                "message": f"The user or group {address} cannot be found.",
                "responseCode": "5009",
            },
        }
    items = [
        {
            "isPrivate": False,
            "status": m.status,
            "subject": m.subject,
            "location": "Room 12",
            "start": _item_time(state, address, m.start, zone),
            "end": _item_time(state, address, m.end, zone),
        }
        for m in state.calendars[address]
        if m.start < end and m.end > start
    ]
    information: dict[str, Any] = {
        "scheduleId": address,
        "availabilityView": "0",
        "scheduleItems": items,
    }
    if address in state.working_hours:
        information["workingHours"] = state.working_hours[address]
    return information


def _item_time(state: StandIn, address: str, moment: datetime, zone: str) -> dict[str, str]:
    if address not in state.item_zones:
        return _render(moment, zone)
    name, own = state.item_zones[address]
    local = moment.replace(tzinfo=UTC).astimezone(own)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": name}


# Events

_Operation = Callable[[StandIn, _Call, str, str], Reply]


def _events(state: StandIn, call: _Call, mailbox: str, rest: list[str]) -> Reply:
    operation = _operation(call.method, rest)
    if operation is None:
        return _error(405, "MethodNotAllowed", f"{call.method} /v1.0{call.path}")
    fault = state.next_event_fault(call.method, operation)
    _log_event_request(state, call, mailbox, operation, fault)
    handler = OPERATIONS[operation]
    event_id = rest[0] if rest else ""
    return _with_fault(fault, lambda: handler(state, call, mailbox, event_id))


def _log_event_request(
    state: StandIn, call: _Call, mailbox: str, operation: str, fault: dict[str, Any] | None
) -> None:
    with state.lock:
        state.event_requests.append(
            {
                "method": call.method,
                "path": call.path,
                "query": call.query,
                "prefer": call.headers.get("prefer", ""),
                "body": call.body,
                "mailbox": mailbox,
                "operation": operation,
                "via": "batch" if call.in_batch else "direct",
                "fault": fault,
            }
        )


def _operation(method: str, rest: list[str]) -> str | None:
    if not rest:
        return {"POST": "create", "GET": "list"}.get(method)
    if len(rest) == 1:
        return {"GET": "get", "PATCH": "update", "DELETE": "delete"}.get(method)
    if rest[1:] == ["cancel"] and method == "POST":
        return "cancel"
    return None


def _with_fault(fault: dict[str, Any] | None, work: Callable[[], Reply]) -> Reply:
    """Fail before doing anything, or do it and then fail: the second leaves the client
    not knowing whether the change was made."""
    if fault and not fault.get("after_commit"):
        if fault.get("status"):
            return _fault_reply(fault)
        if fault.get("reset"):
            return Reply(0, reset=True)
        time.sleep(float(fault.get("delay", 0)))
    try:
        reply = work()
    except _RefusedError as refused:
        reply = refused.reply
    if not fault or not fault.get("after_commit"):
        return reply
    if fault.get("status"):
        reply = _fault_reply(fault)
    return replace(reply, delay=float(fault.get("delay", 0)), reset=bool(fault.get("reset")))


def _create(state: StandIn, call: _Call, mailbox: str, _: str) -> Reply:
    body = _object(call.body)
    start, zone = _utc(body.get("start"))
    end = _utc(body.get("end"))[0]  # one zone per event: the start's
    if start >= end:
        raise _RefusedError(_error(400, "ErrorInvalidRequest", "The end must be after the start."))
    attendees = _attendees(body.get("attendees"))
    tag = _extended_properties(body.get("singleValueExtendedProperties"))
    with state.lock:
        twin = state._twin(mailbox, body.get("transactionId"))
        if twin is not None:  # Graph drops the repeat and answers with the first
            return Reply(201, _event_json(twin, call, None))
        online = bool(body.get("isOnlineMeeting"))
        event = state._store(
            Event(
                id=_new_event_id(_prefers_immutable(call)),
                mailbox=mailbox,
                subject=str(body.get("subject", "")),
                body=_dict_or(body.get("body"), {"contentType": "text", "content": ""}),
                start=start,
                end=end,
                time_zone=zone,
                attendees=attendees,
                sensitivity=str(body.get("sensitivity", "normal")),
                is_online_meeting=online,
                join_url=_join_url() if online else None,
                tag=tag,
                transaction_id=body.get("transactionId"),
                immutable=_prefers_immutable(call),
                location=_dict_or(body.get("location"), {"displayName": ""}),
                options=_options(body),
            )
        )
        state._mail(event, "invitation")
        state._notify(event, "created")
        return Reply(201, _event_json(event, call, None))


def _list(state: StandIn, call: _Call, mailbox: str, _: str) -> Reply:
    wanted = _tag_filter(call.query.get("$filter"))
    expand = _expansion(call.query.get("$expand"))
    with state.lock:
        values = [
            _event_json(e, call, expand)
            for e in state._live(mailbox)
            if wanted is None or _tagged(e, *wanted)
        ]
    return Reply(200, _page(state, call, values))


def _get(state: StandIn, call: _Call, mailbox: str, event_id: str) -> Reply:
    expand = _expansion(call.query.get("$expand"))
    with state.lock:
        event = state._visible(mailbox, event_id, cancelled=True)
        if event is None:
            return _item_not_found()
        return Reply(200, _event_json(event, call, expand))


def _update(state: StandIn, call: _Call, mailbox: str, event_id: str) -> Reply:
    body = _object(call.body)
    changes: dict[str, Any] = {
        k: body[k] for k in ("subject", "body", "location", "sensitivity") if k in body
    }
    if "start" in body:
        changes["start"], changes["time_zone"] = _utc(body["start"])
    if "end" in body:
        changes["end"] = _utc(body["end"])[0]
    attendees = _attendees(body["attendees"]) if "attendees" in body else None
    with state.lock:
        event = state._visible(mailbox, event_id, cancelled=False)
        if event is None:
            return _item_not_found()
        _check_etag(call, event)
        if changes.get("start", event.start) >= changes.get("end", event.end):
            raise _RefusedError(
                _error(400, "ErrorInvalidRequest", "The end must be after the start.")
            )
        state._change(event, changes, attendees)
        return Reply(200, _event_json(event, call, None))


def _cancel(state: StandIn, call: _Call, mailbox: str, event_id: str) -> Reply:
    comment = call.body.get("comment", "") if isinstance(call.body, dict) else ""
    with state.lock:
        event = state.events.get(event_id)
        if event is None or event.deleted or event.is_cancelled:
            return _item_not_found()
        if event.mailbox != mailbox:
            return _error(
                400, "ErrorInvalidRequest", "You need to be an organizer to cancel a meeting."
            )
        state._cancel(event, str(comment))
        return Reply(202)


def _delete(state: StandIn, call: _Call, mailbox: str, event_id: str) -> Reply:
    with state.lock:
        event = state._visible(mailbox, event_id, cancelled=True)
        if event is None:
            return _item_not_found()
        _check_etag(call, event)
        state._hard_delete(event)
        return Reply(204)


OPERATIONS: dict[str, _Operation] = {
    "create": _create,
    "list": _list,
    "get": _get,
    "update": _update,
    "cancel": _cancel,
    "delete": _delete,
}


def _event_json(event: Event, call: _Call, expand: str | None) -> dict[str, Any]:
    """The event as Graph returns it; copied, since it is written after the lock is gone."""
    zone = _preferred_zone(call) or event.time_zone
    payload: dict[str, Any] = {
        "@odata.etag": _etag(event),
        "id": event.id,
        "createdDateTime": _stamp(event.created_at),
        "lastModifiedDateTime": _stamp(event.modified_at),
        "changeKey": str(event.change_key),
        "iCalUId": event.ical_uid,
        "subject": event.subject,
        "body": copy.deepcopy(event.body),
        "start": _render(event.start, zone),
        "end": _render(event.end, zone),
        "originalStartTimeZone": event.time_zone,
        "originalEndTimeZone": event.time_zone,
        "location": copy.deepcopy(event.location),
        "sensitivity": event.sensitivity,
        "isCancelled": event.is_cancelled,
        "isOrganizer": True,
        "isOnlineMeeting": event.is_online_meeting,
        "onlineMeeting": {"joinUrl": event.join_url} if event.join_url else None,
        "organizer": {"emailAddress": {"address": event.mailbox, "name": event.mailbox}},
        "attendees": copy.deepcopy(event.attendees),
        "responseStatus": {"response": "organizer", "time": NO_RESPONSE_TIME},
        "webLink": "https://outlook.office365.com/owa/?itemid="
        f"{urllib.parse.quote(event.id, safe='')}&exvsurl=1&path=/calendar/item",
        **copy.deepcopy(event.options),
    }
    if event.transaction_id is not None:
        payload["transactionId"] = event.transaction_id
    properties = [
        {"id": k, "value": v}
        for k, v in event.tag.items()
        if expand is not None and k.lower() == expand.lower()
    ]
    if properties:  # Graph leaves the collection out when nothing matches
        payload["singleValueExtendedProperties"] = properties
    return payload


def _page(state: StandIn, call: _Call, values: list[dict[str, Any]]) -> dict[str, Any]:
    """All at once, or `page_size` at a time with an @odata.nextLink the client must follow."""
    if state.page_size is None:
        return {"value": values}
    try:
        skip = int(call.query.get("$skip") or "0")
    except ValueError as problem:
        raise _RefusedError(_error(400, "BadRequest", "Invalid $skip.")) from problem
    page: dict[str, Any] = {"value": values[skip : skip + state.page_size]}
    if skip + state.page_size < len(values):
        query = urllib.parse.urlencode(
            {**call.query, "$skip": str(skip + state.page_size)}, quote_via=urllib.parse.quote
        )
        page["@odata.nextLink"] = f"{state.base}/v1.0{call.path}?{query}"
    return page


def _tag_filter(text: str | None) -> tuple[str, str] | None:
    """(property id, value) of the one $filter shape Graph allows on extended properties."""
    if text is None:
        return None
    found = TAG_FILTER.match(text)
    if found is None:
        raise _RefusedError(_error(400, "BadRequest", f"Invalid filter clause: {text}"))
    return _unquote_odata(found[2]), _unquote_odata(found[3])


def _expansion(text: str | None) -> str | None:
    """The property id of `$expand=singleValueExtendedProperties($filter=id eq '...')`."""
    if text is None:
        return None
    found = TAG_EXPAND.match(text)
    if found is None:
        raise _RefusedError(_error(400, "BadRequest", f"Invalid $expand: {text}"))
    return _unquote_odata(found[1])


def _unquote_odata(value: str) -> str:
    return value.replace("''", "'")  # OData doubles a quote inside a string literal


def _tagged(event: Event, property_id: str, value: str) -> bool:
    return any(k.lower() == property_id.lower() and v == value for k, v in event.tag.items())


def _check_etag(call: _Call, event: Event) -> None:
    expected = call.headers.get("if-match")
    if expected not in (None, "*", _etag(event)):
        raise _RefusedError(
            _error(
                412,
                "ErrorIrresolvableConflict",
                "The change key passed in the request does not match the current change "
                "key for the item.",
            )
        )


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _RefusedError(_error(400, "BadRequest", "Empty Payload. JSON content expected."))
    return body


def _dict_or(value: Any, default: dict[str, Any]) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else default


def _attendees(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise _RefusedError(_error(400, "BadRequest", "attendees must be a list of attendees."))
    return [_attendee(a) for a in value]


def _attendee(value: dict[str, Any]) -> dict[str, Any]:
    email = value.get("emailAddress")
    email = email if isinstance(email, dict) else {}
    address = email.get("address")
    if not isinstance(address, str) or "@" not in address:
        raise _RefusedError(_error(400, "ErrorInvalidRecipients", "An attendee has no address."))
    return {
        "emailAddress": {"address": address, "name": email.get("name") or address},
        "type": value.get("type", "required"),
        "status": {"response": "none", "time": NO_RESPONSE_TIME},
    }


def _merge_attendees(
    current: list[dict[str, Any]], wanted: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The new list; attendees who stay keep their response."""
    responses = {_address(a): a["status"] for a in current}
    return [{**a, "status": responses.get(_address(a), a["status"])} for a in wanted]


def _find_attendee(event: Event, address: str) -> dict[str, Any]:
    for attendee in event.attendees:
        if _address(attendee) == address.lower():
            return attendee
    raise KeyError(f"{address} is not invited to {event.id}")


def _address(attendee: dict[str, Any]) -> str:
    return str(attendee["emailAddress"]["address"]).lower()


def _extended_properties(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in value
    ):
        raise _RefusedError(_error(400, "BadRequest", "Invalid singleValueExtendedProperties."))
    return {p["id"]: str(p.get("value", "")) for p in value}


def _options(body: dict[str, Any]) -> dict[str, Any]:
    """Fields Tandem sends that the stand-in only echoes, with Graph's defaults."""
    defaults = {
        "showAs": "busy",
        "allowNewTimeProposals": True,
        "responseRequested": True,
        "onlineMeetingProvider": "unknown",
    }
    return {name: body.get(name, default) for name, default in defaults.items()}


def _prefers_immutable(call: _Call) -> bool:
    prefer = call.headers.get("prefer", "")
    return re.search(r'IdType\s*=\s*"?ImmutableId"?', prefer, re.IGNORECASE) is not None


def _preferred_zone(call: _Call) -> str | None:
    """`Prefer: outlook.timezone="..."`: the zone to render times in, if it is known."""
    found = re.search(r'outlook\.timezone\s*=\s*"([^"]+)"', call.headers.get("prefer", ""))
    return found[1] if found and _zone(found[1]) is not None else None


def _new_event_id(immutable: bool) -> str:
    # Shaped like Exchange's REST ids (URL-safe base64, often ending in "="); immutable ids
    # carry another prefix, so a log shows which kind a client holds.
    prefix = "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A" if immutable else "AAMkAGI2TG93AAA"
    return f"{prefix}{secrets.token_urlsafe(24)}="


def _join_url() -> str:
    return f"https://teams.example/l/meetup-join/{secrets.token_hex(16)}"


def _etag(event: Event) -> str:
    return f'W/"{event.change_key}"'


# Time


def _zone(name: Any) -> ZoneInfo | None:
    """A zone by Windows name (the stand-in's own table) or by IANA name."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _utc(value: Any) -> tuple[datetime, str]:
    """A dateTimeTimeZone as naive UTC and the zone name as sent. An ambiguous wall clock
    (the hour repeated in autumn) is read as its first occurrence (fold=0)."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise _RefusedError(_error(400, "ErrorInvalidRequest", "start and end need a dateTime."))
    name = value.get("timeZone")
    zone = _zone(name)
    if zone is None:
        raise _RefusedError(
            _error(
                400,
                "TimeZoneNotSupportedException",
                "A valid TimeZone value must be specified. The following TimeZone value "
                f"is not supported: '{name or ''}'.",
            )
        )
    local = _local_time(value["dateTime"])
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC).replace(tzinfo=None), str(name)


def _local_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(re.sub(r"(\.\d{1,6})\d*", r"\1", text))
    except ValueError as problem:
        raise _RefusedError(
            _error(400, "ErrorInvalidRequest", f"Invalid dateTime {text}.")
        ) from problem
    if moment.tzinfo is not None:  # the documented shape is a wall clock; its zone is apart
        raise _RefusedError(_error(400, "ErrorInvalidRequest", f"dateTime {text} has an offset."))
    return moment


def _render(moment: datetime, zone: str) -> dict[str, str]:
    local = moment.replace(tzinfo=UTC).astimezone(_zone(zone))
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone}


def _naive_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _stamp(moment: datetime) -> str:
    """Graph's timestamps: UTC, seven fractional digits, a Z."""
    return _naive_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _graph_time(value: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(value["dateTime"].split(".")[0])


# $batch


def _batch(state: StandIn, call: _Call) -> Reply:
    """Each part as if sent alone, its own faults included; answered in shuffled order.
    A part's delay or reset holds up or drops the whole answer, as it would in Graph.
    The $batch itself is logged too (operation "batch"), then each part."""
    _log_event_request(state, call, next(iter(_mailboxes(call)), ""), "batch", None)
    requests = _batch_requests(call.body)
    with state.lock:
        state.batch_requests.append(copy.deepcopy(requests))
    replies = [(part["id"], _dispatch(state, _part_call(part))) for part in requests]
    responses = [_part_response(part_id, reply) for part_id, reply in replies]
    _shuffle(state, responses)
    return Reply(
        200,
        {"responses": responses},
        delay=max(reply.delay for _, reply in replies),
        reset=any(reply.reset for _, reply in replies),
    )


def _batch_requests(body: Any) -> list[dict[str, Any]]:
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise _RefusedError(_error(400, "BadRequest", "Invalid batch payload format."))
    if len(requests) > BATCH_LIMIT:
        raise _RefusedError(
            _error(400, "BadRequest", f"A batch holds at most {BATCH_LIMIT} requests.")
        )
    for part in requests:
        if not isinstance(part, dict) or not all(
            isinstance(part.get(k), str) for k in ("id", "method", "url")
        ):
            raise _RefusedError(_error(400, "BadRequest", "Each request needs id, method and url."))
        headers = part.get("headers") or {}
        typed = isinstance(headers, dict) and any(k.lower() == "content-type" for k in headers)
        if "body" in part and not typed:  # Graph refuses a body it cannot interpret
            raise _RefusedError(
                _error(
                    400,
                    "BadRequest",
                    f"Write request id : {part['id']} does not contain Content-Type header "
                    "or body.",
                )
            )
    ids = [part["id"] for part in requests]
    if len(set(ids)) != len(ids):
        raise _RefusedError(_error(400, "BadRequest", "Request ids in a batch must be unique."))
    return requests


def _part_call(part: dict[str, Any]) -> _Call:
    url = urllib.parse.urlsplit(part["url"])
    headers = part.get("headers")
    heads = (
        {str(k).lower(): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}
    )
    return _Call(
        method=part["method"].upper(),
        path=url.path if url.path.startswith("/") else f"/{url.path}",
        query=_query(url.query),
        headers=heads,
        body=part.get("body"),
        in_batch=True,
    )


def _part_response(part_id: str, reply: Reply) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": part_id, "status": reply.status, "headers": reply.headers}
    if reply.payload is not None:
        answer["headers"] = {**reply.headers, "Content-Type": "application/json"}
        answer["body"] = reply.payload
    return answer


def _shuffle(state: StandIn, responses: list[dict[str, Any]]) -> None:
    sent = [r["id"] for r in responses]
    with state.lock:
        state.rng.shuffle(responses)
    if len(responses) > 1 and [r["id"] for r in responses] == sent:
        responses.append(responses.pop(0))  # never the order sent: Graph promises none


# Subscriptions


def _subscriptions(state: StandIn, call: _Call, rest: list[str]) -> Reply:
    with state.lock:
        state.subscription_requests.append(
            {"method": call.method, "path": call.path, "body": call.body}
        )
    if not rest and call.method == "POST":
        return _subscribe(state, call)
    if len(rest) == 1 and call.method in ("GET", "PATCH", "DELETE"):
        return _subscription(state, call, rest[0])
    if rest[1:] == ["reauthorize"] and call.method == "POST":
        with state.lock:
            known = rest[0] in state.subscriptions
        return Reply(204) if known else _subscription_not_found()
    return _error(405, "MethodNotAllowed", f"{call.method} /v1.0{call.path}")


def _subscribe(state: StandIn, call: _Call) -> Reply:
    body = _object(call.body)
    change_type = _change_type(body.get("changeType"))
    resource = body.get("resource")
    if not isinstance(resource, str) or _resource_mailbox(resource) is None:
        raise _RefusedError(_error(400, "InvalidRequest", f"Unsupported resource: {resource}"))
    expiration = _expiration(state, body.get("expirationDateTime"))
    client_state = body.get("clientState")
    if client_state is not None and len(str(client_state)) > CLIENT_STATE_LIMIT:
        raise _RefusedError(_error(400, "InvalidRequest", "clientState is over 128 characters."))
    urls = [body.get("notificationUrl"), body.get("lifecycleNotificationUrl")]
    if not isinstance(urls[0], str) or not all(_validated(u) for u in urls if u is not None):
        raise _RefusedError(
            _error(
                400,
                "InvalidRequest",
                "Subscription validation request failed. Notification endpoint must respond "
                "with 200 OK to validation request.",
            )
        )
    subscription: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "resource": resource,
        "changeType": change_type,
        "notificationUrl": urls[0],
        "lifecycleNotificationUrl": urls[1],
        "expirationDateTime": _stamp(expiration),
        "clientState": client_state,
    }
    with state.lock:
        state.subscriptions[subscription["id"]] = subscription
    return Reply(201, dict(subscription))


def _subscription(state: StandIn, call: _Call, subscription_id: str) -> Reply:
    expiration = None
    if call.method == "PATCH":  # checked before the lock: it may refuse
        expiration = _stamp(_expiration(state, _object(call.body).get("expirationDateTime")))
    with state.lock:
        subscription = state.subscriptions.get(subscription_id)
        if subscription is None:
            return _subscription_not_found()
        if call.method == "DELETE":
            del state.subscriptions[subscription_id]
            return Reply(204)
        if expiration is not None:
            subscription["expirationDateTime"] = expiration
        return Reply(200, dict(subscription))


def _change_type(value: Any) -> str:
    kinds = [k.strip() for k in value.split(",")] if isinstance(value, str) else []
    if not kinds or not all(k in CHANGE_TYPES for k in kinds):
        raise _RefusedError(_error(400, "InvalidRequest", f"Invalid changeType: {value}"))
    return ",".join(kinds)


def _resource_mailbox(resource: str) -> str | None:
    found = EVENTS_RESOURCE.match(urllib.parse.unquote(resource))
    return found[1].lower() if found else None


def _expiration(state: StandIn, value: Any) -> datetime:
    """An expiry in the future and within Graph's limit for events (10080 minutes)."""
    try:
        moment = datetime.fromisoformat(re.sub(r"(\.\d{1,6})\d*", r"\1", str(value)))
    except ValueError as problem:
        raise _RefusedError(
            _error(400, "InvalidRequest", "Invalid expirationDateTime.")
        ) from problem
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    now = _utcnow()
    if moment <= now:
        raise _RefusedError(_error(400, "InvalidRequest", "expirationDateTime is in the past."))
    limit = state.max_subscription_minutes
    if moment > now + timedelta(minutes=limit):
        raise _RefusedError(
            _error(
                400,
                "InvalidRequest",
                f"Subscription expiration can only be {limit} minutes in the future.",
            )
        )
    return moment


def _validated(url: str) -> bool:
    """Graph's handshake: the endpoint must echo the token, decoded, as text/plain within
    10 s. The token holds what naive handlers mangle: +, /, spaces and markup."""
    token = (
        "Validation: Testing client application reachability for subscription Request-Id: "
        f"{uuid.uuid4()} +/= & <script>alert('x')</script>"
    )
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    target = f"{url}{separator}validationToken={urllib.parse.quote(token, safe='')}"
    try:
        answer = httpx.post(
            target,
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=10,
            verify=False,
        )
    except httpx.HTTPError:
        return False
    plain = answer.headers.get("content-type", "").startswith("text/plain")
    return answer.status_code == 200 and plain and answer.text == token


def _notification(subscription: dict[str, Any], event: Event, change_type: str) -> dict[str, Any]:
    resource = f"Users/{event.mailbox}/Events/{event.id}"
    return {
        "subscriptionId": subscription["id"],
        "subscriptionExpirationDateTime": subscription["expirationDateTime"],
        "changeType": change_type,
        "resource": resource,
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Event",
            "@odata.id": resource,
            "@odata.etag": _etag(event),
            "id": event.id,
        },
        "clientState": subscription.get("clientState"),
        "tenantId": TENANT,
    }


# Errors


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})


def _item_not_found() -> Reply:
    return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _subscription_not_found() -> Reply:
    return _error(404, "ResourceNotFound", "The object was not found.")


def _fault_reply(fault: dict[str, Any]) -> Reply:
    status = int(fault["status"])
    headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
    code = FAULT_CODES.get(status, "ServiceUnavailable")
    return Reply(status, {"error": {"code": code, "message": "try later"}}, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: StandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def running(
    directory: Path, state: StandIn | None = None
) -> Iterator[tuple[StandIn, dict[str, str]]]:
    """Serve the stand-in on a free port; yield it and the settings (environment) to use."""
    state = state or StandIn()
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    ca_file = directory / "standin-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = _Server(state)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.base = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = {
        "TANDEM_GRAPH_TENANT_ID": TENANT,
        "TANDEM_GRAPH_CLIENT_ID": CLIENT_ID,
        "TANDEM_GRAPH_CLIENT_SECRET": CLIENT_SECRET,
        "TANDEM_GRAPH_AUTHORITY_HOST": state.base,
        "TANDEM_GRAPH_BASE_URL": f"{state.base}/v1.0",
        "TANDEM_GRAPH_CA_BUNDLE": str(ca_file),
    }
    try:
        yield state, settings
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Serve the stand-in with the calendars of `scenarios/graph-demo.yaml` until Ctrl-C."""
    import tempfile

    state = StandIn()
    state.calendars["ceo@contoso.example"] = [
        Meeting(datetime(2027, 3, day, hour), datetime(2027, 3, day, hour + 2))
        for day in range(1, 27)
        for hour in (8, 13)
    ]
    state.working_hours["ceo@contoso.example"] = {
        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
        "startTime": "08:30:00.0000000",
        "endTime": "17:30:00.0000000",
        "timeZone": {"name": "Romance Standard Time"},
    }
    state.calendars["mentor@contoso.example"] = [
        Meeting(datetime(2027, 3, day, 10), datetime(2027, 3, day, 11), status="tentative")
        for day in range(1, 27)
    ]
    with (
        tempfile.TemporaryDirectory() as directory,
        running(Path(directory), state) as (_, settings),
    ):
        print("Graph stand-in running. In another shell:")
        for name, value in settings.items():
            print(f"  export {name}={value}")
        print("  tandem plan scenarios/graph-demo.yaml")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
