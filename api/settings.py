"""The service's settings: one class, from the environment (`TANDEM_...`) or `.env`."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///tandem.db"  # the embedded default: a file, no setup
    max_body_bytes: int = 2_000_000  # a 3,000-pair scenario is about 1 MB of JSON
    job_time_limit_seconds: float = 60.0
    job_memory_budget_mb: int = 2048  # per job, for the solver's models
    strict_solver: bool = False  # the test suite: a solver fallback is a failure
    job_poll_seconds: float = 0.5
    worker_enabled: bool = True  # background workers: plans, and invitations (with Graph)
    # Graph change notifications reach the service here (its public https address); when
    # unset, responses are only read every `response_poll_seconds`.
    notification_url: str | None = None
    invitation_poll_seconds: float = 2.0
    response_poll_seconds: float = 300.0
