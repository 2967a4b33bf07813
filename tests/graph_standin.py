"""A local HTTPS stand-in of Microsoft Graph and of the Microsoft identity platform.

It follows the documented shapes: OpenID discovery and the v2.0 token endpoint (client
credentials), and `POST /v1.0/users/{id}/calendar/getSchedule` with Graph's limits (20
schedules, windows under 62 days), per-address errors inside a 200, working hours, and
schedule items that carry subjects (which the client must drop). Faults can be queued:
429 with Retry-After, 503, 504, or a slow answer (a timeout for the client).

Certificates come from trustme; the client trusts them through TANDEM_GRAPH_CA_BUNDLE.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "s3cret-value-that-must-never-be-logged"


@dataclass
class Meeting:
    start: datetime  # UTC, naive
    end: datetime
    status: str = "busy"
    subject: str = "Confidential board matter"


@dataclass
class StandIn:
    calendars: dict[str, list[Meeting]] = field(default_factory=dict)
    working_hours: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)  # consumed in order
    requests: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    in_flight: dict[str, int] = field(default_factory=dict)
    max_in_flight: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def next_fault(self) -> dict[str, Any] | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        path = urllib.parse.urlparse(self.path).path
        if path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            base = self.server.state.base
            self._json(
                200,
                {
                    "issuer": f"{base}/{TENANT}/v2.0",
                    "token_endpoint": f"{base}/{TENANT}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/authorize",
                    "device_authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/devicecode",
                },
            )
        elif path.endswith("/v2.0/.well-known/openid-configuration"):
            self._json(
                400,
                {
                    "error": "invalid_tenant",
                    "error_codes": [90002],
                    "error_description": "AADSTS90002: Tenant not found.",
                },
            )
        else:
            self._json(404, {"error": {"code": "NotFound", "message": path}})

    def do_POST(self) -> None:
        path = urllib.parse.urlparse(self.path).path
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if path == f"/{TENANT}/oauth2/v2.0/token":
            self._token(urllib.parse.parse_qs(body.decode()))
        elif path.startswith("/v1.0/users/") and path.endswith("/calendar/getSchedule"):
            mailbox = urllib.parse.unquote(path.split("/")[3])
            self._tracked(mailbox, lambda: self._schedule(mailbox, json.loads(body)))
        else:
            self._json(404, {"error": {"code": "NotFound", "message": path}})

    def _token(self, form: dict[str, list[str]]) -> None:
        state = self.server.state
        if form.get("client_id") != [CLIENT_ID]:
            self._json(
                400,
                {
                    "error": "unauthorized_client",
                    "error_codes": [700016],
                    "error_description": "AADSTS700016: Application not found.",
                },
            )
        elif form.get("client_secret") != [CLIENT_SECRET] and "client_assertion" not in form:
            self._json(
                401,
                {
                    "error": "invalid_client",
                    "error_codes": [7000215],
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        else:
            with state.lock:
                state.tokens_issued += 1
            self._json(
                200,
                {
                    "token_type": "Bearer",
                    "expires_in": 3599,
                    "ext_expires_in": 3599,
                    "access_token": f"token-{state.tokens_issued}",
                },
            )

    def _tracked(self, mailbox: str, work: Any) -> None:
        state = self.server.state
        with state.lock:
            state.in_flight[mailbox] = state.in_flight.get(mailbox, 0) + 1
            state.max_in_flight[mailbox] = max(
                state.max_in_flight.get(mailbox, 0), state.in_flight[mailbox]
            )
        try:
            work()
        finally:
            with state.lock:
                state.in_flight[mailbox] -= 1

    def _schedule(self, mailbox: str, body: dict[str, Any]) -> None:
        state = self.server.state
        if not self.headers.get("Authorization", "").startswith("Bearer token-"):
            self._json(
                401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token"}}
            )
            return
        with state.lock:
            state.requests.append({"mailbox": mailbox, "body": body})
        fault = state.next_fault()
        if fault and fault.get("delay"):
            time.sleep(fault["delay"])
        if fault and fault.get("status"):
            headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
            self._json(
                fault["status"],
                {
                    "error": {
                        "code": "TooManyRequests"
                        if fault["status"] == 429
                        else "ServiceUnavailable",
                        "message": "try later",
                    }
                },
                headers,
            )
            return
        start = _graph_time(body["startTime"])
        end = _graph_time(body["endTime"])
        if len(body["schedules"]) > 20:
            self._json(400, {"error": {"code": "ErrorMailboxDataArrayTooBig", "message": "max 20"}})
        elif end - start >= timedelta(days=62):
            self._json(
                400,
                {
                    "error": {
                        "code": "ErrorTimeIntervalTooBig",
                        "message": "The requested time duration ... allowed limit = 62 days",
                    }
                },
            )
        else:
            self._json(
                200,
                {
                    "@odata.context": "https://graph/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
                    "value": [self._information(a, start, end) for a in body["schedules"]],
                },
            )

    def _information(self, address: str, start: datetime, end: datetime) -> dict[str, Any]:
        state = self.server.state
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
                "start": {
                    "dateTime": m.start.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                    "timeZone": "UTC",
                },
                "end": {"dateTime": m.end.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
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

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: StandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


def _graph_time(value: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(value["dateTime"].split(".")[0])


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
