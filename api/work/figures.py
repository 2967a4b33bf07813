"""The queues as `/metrics` shows them, read from the database at each scrape (the jobs run
in other processes, on other machines: the database is where their figures meet).

Per queue: jobs waiting, the oldest wait, and over the jobs that started or ended in the
last 15 minutes, wait and run time (count, sum, and the 50th and 99th percentiles);
workers alive and their processes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.storage.models import PlanJob, WorkerProcess
from api.work.claims import as_utc, now
from api.work.engine import QUEUES

WINDOW = timedelta(minutes=15)


class QueueFigures(Collector):
    def __init__(self, session: Session, heartbeat_timeout: float) -> None:
        self.session, self.timeout = session, heartbeat_timeout

    def collect(self) -> Iterator[GaugeMetricFamily | SummaryMetricFamily]:
        depth = GaugeMetricFamily("tandem_queue_depth", "Jobs waiting", labels=["queue"])
        oldest = GaugeMetricFamily(
            "tandem_queue_oldest_wait_seconds", "Wait of the oldest job waiting", labels=["queue"]
        )
        wait = SummaryMetricFamily(
            "tandem_job_wait_seconds", "Queued to started, last 15 min", labels=["queue"]
        )
        run = SummaryMetricFamily(
            "tandem_job_run_seconds", "Started to ended, last 15 min", labels=["queue"]
        )
        quantiles = GaugeMetricFamily(
            "tandem_job_seconds_quantile",
            "Wait and run time percentiles, last 15 min",
            labels=["queue", "phase", "quantile"],
        )
        session, moment = self.session, now()
        for queue in QUEUES:
            count, first = _waiting(session, queue)
            depth.add_metric([queue], count)
            age = (moment - as_utc(first)).total_seconds() if first else 0.0
            oldest.add_metric([queue], age)
            for phase, family, values in (
                ("wait", wait, _waits(session, queue)),
                ("run", run, _runs(session, queue)),
            ):
                family.add_metric([queue], len(values), sum(values))
                for q in (0.5, 0.99):
                    quantiles.add_metric([queue, phase, str(q)], _percentile(values, q))
        workers = GaugeMetricFamily(
            "tandem_workers", "Workers alive, and their processes", labels=["unit"]
        )
        alive = _workers(session, self.timeout)
        workers.add_metric(["workers"], len(alive))
        workers.add_metric(["processes"], sum(alive))
        yield from (depth, oldest, wait, run, quantiles, workers)


def _waiting(session: Session, queue: str) -> tuple[int, datetime | None]:
    """How many jobs wait in the queue, and since when the oldest."""
    count, first = session.execute(
        select(func.count(), func.min(PlanJob.created_at)).where(
            PlanJob.queue == queue, PlanJob.status == "queued"
        )
    ).one()
    return int(count), first


def _waits(session: Session, queue: str) -> list[float]:
    rows = session.execute(
        select(PlanJob.created_at, PlanJob.started_at).where(
            PlanJob.queue == queue, PlanJob.started_at >= now() - WINDOW
        )
    ).all()
    return sorted((as_utc(s) - as_utc(c)).total_seconds() for c, s in rows if s is not None)


def _runs(session: Session, queue: str) -> list[float]:
    rows = session.execute(
        select(PlanJob.started_at, PlanJob.finished_at).where(
            PlanJob.queue == queue, PlanJob.finished_at >= now() - WINDOW
        )
    ).all()
    return sorted(
        (as_utc(f) - as_utc(s)).total_seconds() for s, f in rows if s is not None and f is not None
    )


def _workers(session: Session, timeout: float) -> list[int]:
    cutoff = now() - timedelta(seconds=timeout)
    return list(
        session.scalars(select(WorkerProcess.processes).where(WorkerProcess.seen_at >= cutoff))
    )


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
