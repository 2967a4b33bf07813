"""One structured line per request: method, route template, status, duration (until the
answer starts) and tenant.

The route's template (`/v1/programmes/{programme_id}/people/{person}/sessions.ics`), never
the path or the query: those hold people's ids, which the log must not. Outermost, so
that a request refused before any route (413, a NUL in the path) is logged too."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import method_label

LOG = logging.getLogger("tandem.requests")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts: an exception escaped every handler
        logged = False

        def log_once() -> None:
            nonlocal logged
            if not logged:
                logged = True
                LOG.info(request_line(scope, status, time.perf_counter() - started))

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                # Before any of the answer leaves: a client that has its answer finds the
                # line written, even when the service stops right after (a body may reach
                # the client whole before its last, empty part is sent).
                log_once()
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            log_once()


def request_line(scope: Scope, status: int, seconds: float) -> str:
    state = scope.get("state") or {}
    return json.dumps(
        {
            "method": method_label(str(scope["method"])),
            "route": route_template(scope),
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "tenant": state.get("tenant_id"),
        }
    )


def route_template(scope: Scope) -> str:
    """The matched route's template; for a mounted app (the documentation's assets) its
    mount with `{path}`; `unmatched` for a request no route took (a 404)."""
    route = scope.get("route")
    if route is not None:
        return str(route.path)
    # A mount adds its path to `root_path`: what it adds is the mount's.
    mounted = str(scope.get("root_path", ""))[len(str(scope.get("app_root_path", ""))) :]
    return f"{mounted}/{{path}}" if mounted else "unmatched"
