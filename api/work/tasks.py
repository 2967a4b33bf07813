"""The Celery tasks and the `tandem worker` process.

A worker process consumes the wake-ups of its queues; each wake-up runs the fairest
waiting job of its queue (`api.work.runner`). The worker's main process also records that
it is alive (the `workers` table: `/metrics` counts them). Database engines are made per
process, after the pool's fork: a connection is never shared between processes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.worker import InvitationRounds
from api.settings import ServiceSettings
from api.storage.database import make_engine, no_fork_meanwhile, sessions, upgrade
from api.storage.models import WorkerProcess
from api.work.claims import now, queues_waiting_on
from api.work.engine import INVITATION_ROUND, INVITATIONS, QUEUES, RUN_NEXT, make_celery, wake
from api.work.runner import run_next
from connectors.graph.settings import graph_settings

log = logging.getLogger(__name__)
SETTINGS = ServiceSettings()
app: Celery = make_celery(SETTINGS)
_database: sessionmaker[Session] | None = None


def database() -> sessionmaker[Session]:
    global _database
    if _database is None:
        _database = sessions(make_engine(SETTINGS.database_url))
    return _database


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _forget_inherited_engine(**_: object) -> None:
    global _database, _rounds
    _database, _rounds = None, None


@app.task(name=RUN_NEXT)  # type: ignore[untyped-decorator]
def run_next_job(queue: str) -> None:
    claim = run_next(database(), SETTINGS, queue)
    if claim is not None and claim.programme_id is not None:
        # A change reported while this job ran waits for it: announce it now, rather than
        # when the dispatcher announces it again (a heartbeat timeout later).
        for waiting in queues_waiting_on(database(), claim.programme_id):
            wake(app, waiting)


_rounds: InvitationRounds | None = None


@app.task(name=INVITATION_ROUND)  # type: ignore[untyped-decorator]
def invitation_round() -> None:
    """One invitation round, by this process's Graph client (kept from round to round)."""
    global _rounds
    if _rounds is None:
        graph = graph_settings()
        if graph is None:
            log.warning("an invitation round was asked for, but TANDEM_GRAPH_* are not set here")
            return
        _rounds = InvitationRounds(database(), SETTINGS, graph)
    _rounds.round()


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _hand_over_the_rounds(**_: object) -> None:
    """Another process may hold the election at once, instead of after the hold expires."""
    if _rounds is not None:
        _rounds.close()


def start_worker(queues: Sequence[str], processes: int) -> None:
    """Run a worker until it is stopped (SIGTERM finishes the running jobs first)."""
    known = (*QUEUES, INVITATIONS)
    unknown = [q for q in queues if q not in known]
    if unknown:
        raise ValueError(f"unknown queue {unknown[0]!r}: the queues are {', '.join(known)}")
    schema = make_engine(SETTINGS.database_url)
    upgrade(schema)
    schema.dispose()  # Celery forks its pool next: no connection of this process open then
    name = f"tandem-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    alive = _Registration(name, ",".join(queues), processes)
    alive.start()
    try:
        app.worker_main(
            [
                "--quiet",  # no banner: the service's log holds what matters
                "worker",
                f"--queues={','.join(queues)}",
                f"--concurrency={processes}",
                "--pool=prefork",
                "--optimization=fair",
                f"--hostname={name}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--loglevel={os.environ.get('TANDEM_WORKER_LOG_LEVEL', 'WARNING')}",
            ]
        )
    finally:
        alive.stop()


class _Registration(threading.Thread):
    """The worker's row in `workers`, renewed every heartbeat, removed when it stops. It
    runs beside Celery's prefork pool, which forks (at start, and to replace a process):
    each write happens with no fork meanwhile, on a connection closed after it."""

    def __init__(self, name: str, queues: str, processes: int) -> None:
        super().__init__(name="tandem-worker-registration", daemon=True)
        self.name_, self.queues, self.processes = name, queues, processes
        self.database = sessions(make_engine(SETTINGS.database_url, keep_connections=False))
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with no_fork_meanwhile(), self.database() as session:
                    session.merge(
                        WorkerProcess(
                            id=self.name_,
                            queues=self.queues,
                            processes=self.processes,
                            seen_at=now(),
                        )
                    )
                    session.commit()
            except Exception:  # the database is away: say so again next beat
                log.exception("recording the worker failed")
            self.stopping.wait(SETTINGS.heartbeat_seconds)

    def stop(self) -> None:
        self.stopping.set()
        try:
            with no_fork_meanwhile(), self.database() as session:
                session.execute(delete(WorkerProcess).where(WorkerProcess.id == self.name_))
                session.commit()
        except Exception:
            log.exception("removing the worker's record failed")
