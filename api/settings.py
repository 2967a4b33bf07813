"""The service's settings: one class, from the environment (`TANDEM_...`) or `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///tandem.db"  # the embedded default: a file, no setup
    # Connections `tandem serve` opens to the database at most: one for its dispatcher, the
    # rest for requests (one each while its route runs; more requests wait for a turn).
    database_connections: int = Field(15, ge=2)
    max_body_bytes: int = 2_000_000  # a 3,000-pair scenario is about 1 MB of JSON
    job_time_limit_seconds: float = 60.0
    job_memory_budget_mb: int = 2048  # per job, for the solver's models
    # A job's process is killed past its time limit plus this margin (and a tenth), or past
    # this much resident memory; the job ends failed, the worker goes on.
    job_kill_margin_seconds: float = 10.0
    job_memory_cap_mb: int = 3072
    # Added to a large job's process's niceness (0 to 19): small jobs sharing the cores
    # take them first. 0 runs both alike.
    large_job_niceness: int = Field(10, ge=0, le=19)
    job_max_attempts: int = 5  # taken this often without finishing: the job ends failed
    strict_solver: bool = False  # the test suite: a solver fallback is a failure
    worker_enabled: bool = True  # `tandem serve` starts local workers (jobs, invitation rounds)
    # The task engine (Celery). Unset: an embedded broker, a folder beside the SQLite file,
    # which serves the workers of this one machine. Several machines: redis:// or amqp://.
    broker_url: str | None = None
    broker_folder: str | None = None  # the embedded broker's folder (default: beside the db)
    broker_prefix: str = ""  # Redis: a prefix for every key, so services can share a server
    # `tandem serve` starts this many local worker processes for large jobs, and
    # `local_small_workers` more that take only small jobs, so a small job never waits
    # behind large ones (two: nor behind a re-plan of a large programme). 0: none (run
    # `tandem worker` on this or other machines).
    local_workers: int = 1
    local_small_workers: int = Field(2, ge=1, le=64)
    heartbeat_seconds: float = 2.0  # a running job's worker says it is alive this often
    heartbeat_timeout_seconds: float = 20.0  # silent this long: the job is taken again
    dispatch_seconds: float = 1.0  # how often the service looks for jobs to hand out again
    redispatch_seconds: float = 3.0  # the oldest job of a queue, waiting: announced again
    # Per tenant: queued and running jobs at once, and the largest scenario accepted.
    tenant_max_jobs: int = 20
    max_pairs: int = 10_000
    max_variations: int = 50  # per what-if: each is validated at submission, then planned
    max_horizon_weeks: int = 104
    max_candidate_starts: int = 60_000_000  # the size estimate's upper bound on starts
    large_job_starts: int = 2_000_000  # above this estimate a job goes to the large queue
    # A matching: its estimate of start cells compared (executives' cells x mentors).
    max_match_comparisons: int = 20_000_000_000
    max_match_candidates: int = 4_000_000  # executives x mentors (500 x 2,000 is 1,000,000)
    large_match_comparisons: int = 500_000_000
    # A large plan is cut into this many parts (groups of people that share nobody), one
    # job each, so that as many workers plan it at once; about the number of processes
    # that take large jobs. 1: never cut.
    plan_parts: int = 2
    # Graph change notifications reach the service here (its public https address); when
    # unset, responses are only read every `response_poll_seconds`.
    notification_url: str | None = None
    invitation_poll_seconds: float = 2.0
    response_poll_seconds: float = 300.0

    def embedded_broker_folder(self) -> Path:
        """The embedded broker's folder: given, or beside the SQLite file, or here."""
        if self.broker_folder:
            return Path(self.broker_folder)
        if self.database_url.startswith("sqlite:///"):
            database = Path(self.database_url.removeprefix("sqlite:///"))
            return database.with_name(database.name + ".broker")
        return Path(".tandem-broker")
