"""The Celery application that carries the service's background work.

The database holds every job and its state; the broker only carries wake-ups ("a job is
waiting in queue Q"), so a lost or repeated message loses nothing and runs nothing twice
(`api.work.claims`). Two queues: `small` jobs are never stuck behind `large` ones.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from api.settings import ServiceSettings

QUEUES = ("small", "large")  # the jobs' queues
INVITATIONS = "invitations"  # the invitation rounds' queue
RUN_NEXT = "tandem.run_next"
INVITATION_ROUND = "tandem.invitation_round"


def broker_options(settings: ServiceSettings) -> tuple[str, dict[str, Any]]:
    """The broker's address and transport options: the settings' own, or the embedded
    broker (a folder, for the processes of one machine)."""
    if settings.broker_url:
        options: dict[str, Any] = {"visibility_timeout": 3600}
        if settings.broker_prefix:
            options["global_keyprefix"] = settings.broker_prefix
        return settings.broker_url, options
    folder = settings.embedded_broker_folder().resolve()
    for part in (folder, folder / "control"):
        part.mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "polling_interval": 0.1,  # a small job starts within this of a free worker
    }


def make_celery(settings: ServiceSettings) -> Celery:
    url, options = broker_options(settings)
    app = Celery("tandem", broker=url, set_as_current=False)
    app.conf.update(
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        task_default_queue="small",
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # A wake-up is acknowledged after its job ran: a worker that died holding it gives
        # it back (brokers that can), and the job itself is recovered by heartbeat anyway.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a busy process holds no other job's wake-up
        worker_hijack_root_logger=False,
        worker_max_tasks_per_child=100,  # solver memory goes back to the system regularly
        worker_send_task_events=False,
        worker_enable_remote_control=False,
    )
    return app


def wake(app: Celery, queue: str) -> None:
    """Tell the workers of `queue` that a job waits there."""
    app.send_task(RUN_NEXT, args=[queue], queue=queue)


def call_round(app: Celery, expires_seconds: float) -> None:
    """Ask for an invitation round; one not started within `expires_seconds` is dropped
    (the next one is already on its way), so a long round leaves no backlog behind."""
    app.send_task(INVITATION_ROUND, queue=INVITATIONS, expires=expires_seconds)
