"""Announce waiting jobs to the task engine: each job's row is written first (committed),
then a wake-up is published for its queue. A wake-up lost (a broker restart, a worker
killed holding it) is published again once the job has waited a heartbeat timeout (the
oldest job of each queue sooner), and a job whose worker stopped beating is announced again
the same way: the database, not the broker, decides what is still to do. Runs in the API
process; it only publishes."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from celery import Celery
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.settings import ServiceSettings
from api.storage.models import PlanJob
from api.work.claims import now, takeable
from api.work.engine import QUEUES, call_round, wake

log = logging.getLogger(__name__)
BATCH = 200


def dispatch_due(sessions: sessionmaker[Session], celery: Celery, settings: ServiceSettings) -> int:
    """Publish a wake-up for every job that needs one; how many were published."""
    again = now() - timedelta(seconds=settings.heartbeat_timeout_seconds)
    with sessions() as session:
        due = session.execute(
            select(PlanJob.id, PlanJob.queue)
            .where(takeable(settings.heartbeat_timeout_seconds), _not_announced_since(again))
            .order_by(PlanJob.created_at)
            .limit(BATCH)
        ).all()
        heads = [_head(session, queue, settings.redispatch_seconds) for queue in QUEUES]
        published = 0
        for job_id, queue, since in [*((j, q, again) for j, q in due), *filter(None, heads)]:
            if _announce(session, job_id, since):
                wake(celery, queue)
                published += 1
        return published


def _not_announced_since(moment: datetime) -> ColumnElement[bool]:
    return or_(PlanJob.dispatched_at.is_(None), PlanJob.dispatched_at < moment)


def _head(session: Session, queue: str, seconds: float) -> tuple[str, str, datetime] | None:
    """The oldest job waiting in `queue`, if its wake-up is older than `seconds`: announced
    again, in case the broker lost it (the embedded folder broker can, under two consumers)
    or a worker spent it while the job's programme was busy. One job per queue: a backlog
    behind busy workers costs one message per queue every few seconds, not one per job."""
    since = now() - timedelta(seconds=seconds)
    head = session.scalar(
        select(PlanJob.id)
        .where(PlanJob.queue == queue, PlanJob.status == "queued")
        .order_by(PlanJob.created_at, PlanJob.id)
        .limit(1)
    )
    return None if head is None else (head, queue, since)


def _announce(session: Session, job_id: str, since: datetime) -> bool:
    """Mark the job announced now, unless it was since `since` (another dispatcher did)."""
    marked = session.execute(
        update(PlanJob)
        .where(and_(PlanJob.id == job_id, _not_announced_since(since)))
        .values(dispatched_at=now())
    )
    session.commit()
    return bool(marked.rowcount == 1)  # type: ignore[attr-defined]


class Dispatcher(threading.Thread):
    """Announces waiting jobs, and with `rounds` asks for an invitation round every
    `invitation_poll_seconds` (the rounds run on the workers of queue `invitations`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        celery: Celery,
        settings: ServiceSettings,
        rounds: bool = False,
    ) -> None:
        super().__init__(name="tandem-dispatcher", daemon=True)
        self.sessions, self.celery, self.settings = sessions, celery, settings
        self.rounds = rounds
        self.stopping, self.poked = threading.Event(), threading.Event()
        self.next_round = 0.0

    def poke(self) -> None:
        """A job was just written: announce it now rather than at the next round."""
        self.poked.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                dispatch_due(self.sessions, self.celery, self.settings)
                self._call_round()
            except Exception:  # the database or the broker is away: next round, lose nothing
                log.exception("dispatching jobs failed")
            self.poked.wait(self._pause())
            self.poked.clear()

    def _call_round(self) -> None:
        if self.rounds and time.monotonic() >= self.next_round:
            period = self.settings.invitation_poll_seconds
            self.next_round = time.monotonic() + period
            call_round(self.celery, expires_seconds=max(2 * period, 1.0))

    def _pause(self) -> float:
        if not self.rounds:
            return self.settings.dispatch_seconds
        until_round = max(0.0, self.next_round - time.monotonic())
        return min(self.settings.dispatch_seconds, until_round)

    def stop(self) -> None:
        self.stopping.set()
        self.poked.set()
