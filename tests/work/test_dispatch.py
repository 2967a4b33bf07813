"""The dispatcher announces jobs through the real broker (the embedded folder): new jobs
once, and the oldest waiting job of a queue again when its wake-up may have been lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.settings import ServiceSettings
from api.storage.models import PlanJob
from api.work.dispatcher import dispatch_due
from api.work.engine import make_celery
from tests.work.test_claims import queued, status, tenant


def announced_long_ago(store: sessionmaker[Session], job_id: str, seconds: float) -> None:
    with store() as session:
        session.execute(
            update(PlanJob)
            .where(PlanJob.id == job_id)
            .values(dispatched_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )
        session.commit()


def messages(folder: Path) -> int:
    return sum(1 for entry in folder.iterdir() if entry.is_file())


def test_the_oldest_waiting_job_is_announced_again_and_only_it(
    store: sessionmaker[Session], tmp_path: Path
) -> None:
    broker = tmp_path / "broker"
    settings = ServiceSettings(broker_folder=str(broker), redispatch_seconds=3)
    celery = make_celery(settings)
    owner = tenant(store)
    oldest, younger = queued(store, owner, 20), queued(store, owner, 10)
    assert dispatch_due(store, celery, settings) == 2  # new jobs: once each
    assert messages(broker) == 2
    assert dispatch_due(store, celery, settings) == 0  # nothing lost yet: nothing again
    for job in (oldest, younger):  # both wake-ups lost a while ago
        announced_long_ago(store, job, 5)
    assert dispatch_due(store, celery, settings) == 1  # the head of the queue only
    assert messages(broker) == 3
    assert status(store, oldest).dispatched_at > status(store, younger).dispatched_at  # type: ignore[operator]
