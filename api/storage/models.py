"""The service's tables: tenants, their API keys, and plan jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC and read back with its zone on every database (SQLite
    keeps none: a time read from it would otherwise compare wrongly with an aware one)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("an instant needs its zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A key is shown once; only its SHA-256 is kept. `prefix` finds it without a scan."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PlanJob(Base):
    """A plan asked for: queued, running, done or failed. A running job belongs to the
    worker holding its `claim_token` while that worker's heartbeat is fresh; only the holder
    can record its result (`api.work.claims`)."""

    __tablename__ = "plan_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[str] = mapped_column(Text, default="")
    scenario: Mapped[Any | None] = mapped_column(JSON, nullable=True)  # none for programmes
    plan: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    error: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # plan, programme, whatif, variant (a part of a what-if)
    kind: Mapped[str] = mapped_column(String(16), default="plan")
    programme_id: Mapped[str | None] = mapped_column(ForeignKey("programmes.id"), nullable=True)
    queue: Mapped[str] = mapped_column(String(16), default="small")  # small | large
    claim_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A programme's plan is made from this version of it; recorded only onto the same one.
    base_version: Mapped[int | None] = mapped_column(nullable=True)
    # A part of a job (`api.work.parts`): the job, and which part (a what-if's 0: the base).
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    part: Mapped[int | None] = mapped_column(nullable=True)
    basis: Mapped[Any | None] = mapped_column(JSON, nullable=True)  # a programme's, in parts


class WorkerProcess(Base):
    """A `tandem worker` that is alive: it writes `seen_at` every few seconds."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    queues: Mapped[str] = mapped_column(String(200))
    processes: Mapped[int] = mapped_column()
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ProgrammeScenario(Base):
    """A programme's scenario, calendars included (tens of MB in a large programme), in a
    row of its own: SQLite rewrites a whole row when any of its columns changes, and a
    decline (a status), a plan or a version number must not rewrite the calendars."""

    __tablename__ = "programme_scenarios"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    body: Mapped[Any] = mapped_column(JSON)


class Programme(Base):
    """A programme HR keeps with Tandem: its scenario, its latest plan, its changes."""

    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    # Read when used, not with the programme (`scenario`).
    scenario_row: Mapped[ProgrammeScenario | None] = relationship(
        lazy="select", cascade="all, delete-orphan", single_parent=True
    )
    statuses: Mapped[Any] = mapped_column(JSON, default=dict)  # "pair#index" -> declined|cancelled
    plan: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(default=0)  # plans made so far
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    invitations: Mapped[bool] = mapped_column(default=False)  # plans reach calendars
    # Since the last plan: people whose busy times changed or who lost a partner. A re-plan
    # of an unchanged scenario revision re-plans only their groups (`scheduler.replan`).
    changed_people: Mapped[Any] = mapped_column(JSON, default=list)
    scenario_revision: Mapped[int] = mapped_column(default=0)  # replaced scenarios
    planned_revision: Mapped[int | None] = mapped_column(nullable=True)  # of the last plan
    # Writes to the scenario (a PUT, a reported busy time or leave): the programme's ETag,
    # which a PUT's If-Match must name, so that no reported change is replaced unseen.
    scenario_writes: Mapped[int] = mapped_column(default=0)

    @property
    def scenario(self) -> Any:
        row = self.scenario_row
        if row is None:  # not in the database: its creation was never committed
            raise LookupError(f"programme {self.id} has no scenario")
        return row.body

    @scenario.setter
    def scenario(self, body: Any) -> None:
        if self.scenario_row is None:
            self.scenario_row = ProgrammeScenario(body=body)
        else:
            self.scenario_row.body = body

    @property
    def replans_incrementally(self) -> bool:
        """Its next plan starts from the last one: the scenario was not replaced since."""
        return bool(self.plan) and self.planned_revision == self.scenario_revision


class SessionEvent(Base):
    """The audit log HR can show: every session placed, moved or dropped, and why."""

    __tablename__ = "session_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    pair: Mapped[str] = mapped_column(String(200))
    index: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))  # placed, moved, unplaced
    # The session's people (None only for events older than revision 0010 of a pair
    # whose last plan no longer has it): the history is filtered by person on them.
    mentor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    mentee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    old_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    new_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_version: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProgrammeSession(Base):
    """A programme's current sessions, one row each, indexed for the queries HR tools make
    (a person's sessions in a date range) without reading the whole plan."""

    __tablename__ = "programme_sessions"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    pair: Mapped[str] = mapped_column(String(200), primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    mentor: Mapped[str] = mapped_column(String(200))
    mentee: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    moved: Mapped[bool] = mapped_column(default=False)
    moves: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="mentoring")  # or supervision
    # The start in each person's zone, with its offset, as the plan writes it.
    mentor_local: Mapped[str | None] = mapped_column(String(40), nullable=True)
    mentee_local: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Meeting(Base):
    """One Outlook meeting of one session: what the plan wants, and what Graph has.

    `revision` counts the changes the plan asked for, `synced_revision` those carried out;
    the meeting needs the sender while they differ. `attempted_revision` is written before
    any write to Graph, so after a crash the sender knows to look before it acts again.
    A session dropped and later placed again gets a new meeting (the next `generation`)."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("programme_id", "pair", "index", "generation"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    pair: Mapped[str] = mapped_column(String(200))
    index: Mapped[int] = mapped_column()
    generation: Mapped[int] = mapped_column(default=1)
    tag: Mapped[str] = mapped_column(String(300), unique=True)
    organiser: Mapped[str] = mapped_column(String(320))
    attendees: Mapped[Any] = mapped_column(JSON)  # [[address, name], ...]
    time_zone: Mapped[str] = mapped_column(String(64))
    content: Mapped[Any] = mapped_column(JSON)  # subject, body, sensitivity, teams, comment
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    wanted: Mapped[str] = mapped_column(String(16), default="live")  # live | cancelled
    revision: Mapped[int] = mapped_column(default=1)
    synced_revision: Mapped[int] = mapped_column(default=0, index=True)
    attempted_revision: Mapped[int] = mapped_column(default=0)
    event_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    event_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    event_end: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    event_cancelled: Mapped[bool] = mapped_column(default=False)
    join_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    responses: Mapped[Any] = mapped_column(JSON, default=dict)  # address -> response
    # The sent version whose decline was handled ("r3"): one decline per version.
    decline_handled: Mapped[str | None] = mapped_column(String(20), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxEntry(Base):
    """A change a calendar must receive, written with the plan change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    operation: Mapped[str] = mapped_column(String(16))  # create, move, cancel
    revision: Mapped[int] = mapped_column()
    start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # or done
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class GraphSubscription(Base):
    """A Graph change-notification subscription on one organiser's events.

    Only a hash of `clientState` is kept: the secret proves a notification is Graph's."""

    __tablename__ = "graph_subscriptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Graph's id
    mailbox: Mapped[str] = mapped_column(String(320), index=True)
    client_state_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GraphNotification(Base):
    """A change Graph reported, kept until the worker has read the meeting it names."""

    __tablename__ = "graph_notifications"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # updated, created, deleted, or a lifecycle
    event_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed: Mapped[bool] = mapped_column(default=False, index=True)


class Singleton(Base):
    """A job only one process may do at a time (the invitation worker), held for a while
    and renewed by its holder."""

    __tablename__ = "singletons"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
