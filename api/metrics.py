"""Prometheus metrics of the API process: requests. The jobs' figures (queues, waits, run
times, workers) are read from the database at each scrape (`api.work.figures`): the jobs
run in other processes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter
from starlette.requests import Request

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "tandem_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)

# A label per method a client makes up would grow the series without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "other"


def route_label(request: Request) -> str:
    """The route's template (`/v1/plans/{job_id}`), not the path: one series per route."""
    return str(getattr(request.scope.get("route"), "path", "unmatched"))


def count_request(request: Request, status: int) -> None:
    REQUESTS.labels(method_label(request.method), route_label(request), str(status)).inc()
