"""Prometheus metrics: requests, job durations, solver statuses."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "tandem_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
JOB_SECONDS = Histogram(
    "tandem_plan_job_seconds",
    "Seconds from a plan job's start to its end",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY,
)
SOLVER_STATUS = Counter(
    "tandem_solver_status_total", "Plans by solver status", ["status"], registry=REGISTRY
)
