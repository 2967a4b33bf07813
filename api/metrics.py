"""Prometheus metrics of the API process: requests. The jobs' figures (queues, waits, run
times, workers) are read from the database at each scrape (`api.work.figures`): the jobs
run in other processes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "tandem_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
