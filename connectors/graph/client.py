"""Free/busy through Microsoft Graph: `POST /users/{id}/calendar/getSchedule`.

People go in chunks of at most 20 and the horizon in windows under 62 days (Graph's
limits). 429, 503 and 504 answers honour `Retry-After`, else back off exponentially with
jitter; timeouts are retried; tries are bounded, and a final failure names the people and
the status. At most `concurrency_per_mailbox` requests are in flight per mailbox (Outlook
allows 4 per app and mailbox). Subjects, locations and privacy flags that Graph may return
are never read: only start, end and status leave this module.
"""

from __future__ import annotations

import email.utils
import random
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import quote

import httpx

from connectors.graph.auth import shared_auth
from connectors.graph.settings import GraphSettings
from connectors.graph.statuses import busy_status
from connectors.graph.zones import MailboxHours, graph_working_hours, parse_graph_time
from scheduler.domain import Busy

CHUNK = 20
WINDOW = timedelta(days=61)  # Graph refuses 62 days or more
RETRIED_STATUSES = (429, 503, 504)
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 60.0
RETRY_AFTER_CAP_SECONDS = 300.0  # Graph's own wait is honoured, within reason


class GraphError(Exception):
    """Graph could not answer for these people; the message names them and the status."""


class OutcomeUnknownError(GraphError):
    """A write got no clear answer (a timeout, a 503 or 504): Graph may have done it."""


@dataclass
class Schedule:
    """One person's free/busy over the horizon, and the working hours their mailbox states."""

    email: str
    busy: list[Busy] = field(default_factory=list)
    mailbox: MailboxHours | None = None
    error: str | None = None

    @property
    def working_hours(self) -> dict[str, list[str]] | None:
        return self.mailbox.hours if self.mailbox else None

    @property
    def timezone(self) -> str | None:
        """The mailbox's zone as a scenario writes it, when Tandem can read it."""
        return self.mailbox.zone.text if self.mailbox and self.mailbox.zone else None

    def custom_zones(self) -> dict[str, tzinfo]:
        """The mailbox's custom zone by the name Graph gives it, for times given in it."""
        hours = self.mailbox
        if hours is None or hours.zone is None or hours.zone_name is None:
            return {}
        return {hours.zone_name: hours.zone.zone}


@dataclass
class GraphClient:
    settings: GraphSettings
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    _http: httpx.Client = field(init=False)
    _mailboxes: dict[str, threading.Semaphore] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            base_url=self.settings.base_url,
            auth=shared_auth(self.settings),
            verify=_tls(self.settings),
            timeout=self.settings.timeout_seconds,
            transport=self.transport,
        )

    def close(self) -> None:
        self._http.close()

    def schedules(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, Schedule]:
        """Each person's busy times in [start, end), read in chunks and windows."""
        results = {address: Schedule(address) for address in emails}
        jobs = [(chunk, window) for window in windows(start, end) for chunk in chunks(emails)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda job: self._get_schedule(*job), jobs))
        for entries in answers:
            for entry in entries:
                _merge(results, entry)
        return results

    def _get_schedule(
        self, people: list[str], window: tuple[datetime, datetime]
    ) -> list[dict[str, Any]]:
        body = {
            "schedules": people,
            "startTime": {"dateTime": window[0].strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "endTime": {"dateTime": window[1].strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "availabilityViewInterval": 60,
        }
        mailbox = people[0]  # spreads the per-mailbox concurrency limit over the chunks
        response = self._request(f"/users/{quote(mailbox)}/calendar/getSchedule", body, people)
        value: list[dict[str, Any]] = response.json().get("value", [])
        return value

    def _request(self, path: str, body: dict[str, Any], people: list[str]) -> httpx.Response:
        answer = self.call(
            "POST",
            path,
            mailbox=people[0],
            what=f"Graph getSchedule for {_names(people)}",
            json=body,
            headers={"Prefer": 'outlook.timezone="UTC"'},
        )
        return _checked(answer, people)

    def call(
        self,
        method: str,
        path: str,
        *,
        mailbox: str,
        what: str,
        retry_all: bool = True,
        **request: Any,
    ) -> httpx.Response:
        """One Graph request through the mailbox's concurrency slot, retried on throttling.

        429 is always retried: Graph refused before doing anything. 503, 504, timeouts and
        broken connections are retried only with `retry_all`: after a write they may come
        from a request Graph already carried out, so a write raises `OutcomeUnknownError` and
        its caller checks what happened before it tries again."""
        tries = self.settings.max_tries
        failure = "no answer"
        for attempt in range(1, tries + 1):
            answer: httpx.Response | None = None
            with self._mailbox(mailbox):
                try:
                    answer = self._http.request(method, path, **request)
                except httpx.TimeoutException:
                    failure = "timed out"
                except httpx.TransportError as problem:
                    failure = f"connection failed ({type(problem).__name__})"
            if answer is not None:
                if answer.status_code not in RETRIED_STATUSES:
                    return answer
                failure = f"HTTP {answer.status_code}"
            ambiguous = answer is None or answer.status_code != 429
            if ambiguous and not retry_all:
                raise OutcomeUnknownError(f"{what}: {failure}; it may or may not have been done")
            if attempt < tries:
                self.sleep(_delay(answer, attempt))
        raise GraphError(f"{what}: {failure} after {tries} tries")

    def _mailbox(self, mailbox: str) -> threading.Semaphore:
        with self._lock:
            if mailbox not in self._mailboxes:
                self._mailboxes[mailbox] = threading.Semaphore(
                    self.settings.concurrency_per_mailbox
                )
            return self._mailboxes[mailbox]


def chunks(emails: Sequence[str]) -> list[list[str]]:
    return [list(emails[i : i + CHUNK]) for i in range(0, len(emails), CHUNK)]


def windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    found = []
    while start < end:
        found.append((start, min(end, start + WINDOW)))
        start += WINDOW
    return found


def _delay(response: httpx.Response | None, attempt: int) -> float:
    """`Retry-After` (seconds or an HTTP date) when given, else exponential with jitter."""
    if response is not None and (value := response.headers.get("Retry-After")):
        seconds = _retry_after_seconds(value)
        if seconds is not None:
            return min(max(seconds, 0.0), RETRY_AFTER_CAP_SECONDS)
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def _retry_after_seconds(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (when - datetime.now(UTC)).total_seconds()  # clamped by the caller


def _checked(response: httpx.Response, people: list[str]) -> httpx.Response:
    if response.is_success:
        return response
    code = error_code(response)
    hint = {
        401: ": the token was refused (check TANDEM_GRAPH_TENANT_ID and _CLIENT_ID)",
        403: ": the app lacks the Calendars.ReadBasic.All application permission or admin consent,"
        " or an access policy excludes these mailboxes",
    }.get(response.status_code, "")
    raise GraphError(
        f"Graph getSchedule for {_names(people)}: HTTP {response.status_code} {code}{hint}"
    )


def error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", {}).get("code", ""))
    except ValueError:
        return ""


def _names(people: list[str]) -> str:
    shown = ", ".join(people[:5])
    return shown + (f" and {len(people) - 5} more" if len(people) > 5 else "")


def _merge(results: dict[str, Schedule], entry: dict[str, Any]) -> None:
    address = entry.get("scheduleId", "")
    schedule = results.get(address) or next(
        (s for key, s in results.items() if key.lower() == str(address).lower()), None
    )
    if schedule is None:
        return
    if entry.get("error"):
        error = entry["error"]
        schedule.error = f"{error.get('message', 'error')} (code {error.get('responseCode', '?')})"
        return
    if entry.get("workingHours") and schedule.mailbox is None:
        schedule.mailbox = graph_working_hours(entry["workingHours"])
    try:
        schedule.busy.extend(_busy_items(entry.get("scheduleItems") or [], schedule))
    except ValueError as unreadable:  # an unknown zone, or no time at all
        schedule.error = f"Graph gave {unreadable}"


def _busy_items(items: list[dict[str, Any]], schedule: Schedule) -> list[Busy]:
    """The items that block time, their statuses read whatever their case."""
    found = []
    custom = schedule.custom_zones()
    for item in items:
        status = busy_status(item.get("status"))
        if status is not None:  # free and workingElsewhere block nothing
            start = parse_graph_time(item.get("start") or {}, custom)
            found.append(Busy(start, parse_graph_time(item.get("end") or {}, custom), status))
    return found


def _tls(settings: GraphSettings) -> ssl.SSLContext:
    """The system's authorities, plus the extra ones of TANDEM_GRAPH_CA_BUNDLE."""
    context = ssl.create_default_context()
    if settings.ca_bundle is not None:
        context.load_verify_locations(cafile=str(settings.ca_bundle))
    return context
