"""The sender: carries out the outbox, so that each session has exactly one meeting.

A meeting is claimed with a lease (one conditional UPDATE). Before any write to Graph
the sender commits `attempted_revision`; so after a crash, a restart or an ambiguous
answer it knows the last write may have happened, and looks before it acts again:

- a create first looks for Tandem's tag in the organiser's calendar and adopts what it
  finds; only then does it POST, always with the same `transactionId`;
- a move first reads the meeting and skips the PATCH if the times are already right;
- a cancel of a meeting already gone counts as done.

The event id (immutable) and the synced revision are committed together at the end. A
lease left by a sender process that died on this machine is taken over at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.outbox import DELETED_IN_OUTLOOK
from api.invitations.responses import mark_declined
from api.storage.models import Meeting, OutboxEntry
from connectors.graph.client import GraphError, OutcomeUnknownError
from connectors.graph.events import EventNotFoundError, EventsClient, EventState
from connectors.graph.meetings import Attendee, MeetingSpec

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)  # longer than one Graph call can take with all its retries
RETRY_LATER = timedelta(minutes=2)  # a meeting Graph refused waits before its next try
CREATE_TRIES = 3  # POSTs of one meeting in one turn, each after looking for the tag


def now() -> datetime:
    return datetime.now(UTC)


class LeaseLostError(Exception):
    """Another sender took the meeting over (this one stalled past its lease)."""


@dataclass
class SendReport:
    done: dict[str, list[str]] = field(default_factory=dict)  # what -> tags
    failed: dict[str, str] = field(default_factory=dict)  # tag -> why

    def add(self, what: str, tag: str) -> None:
        self.done.setdefault(what, []).append(tag)

    def count(self, what: str) -> int:
        return len(self.done.get(what, []))


@dataclass(frozen=True)
class Snapshot:
    """A claimed meeting as read at the start of its turn."""

    id: str
    tag: str
    organiser: str
    attendees: tuple[Attendee, ...]
    time_zone: str
    content: dict[str, object]
    start: datetime
    end: datetime
    wanted: str
    revision: int
    uncertain: bool  # an earlier write may have reached Graph without being recorded
    event_id: str | None

    def spec(self) -> MeetingSpec:
        return MeetingSpec(
            tag=self.tag,
            organiser=self.organiser,
            attendees=self.attendees,
            start=self.start,
            end=self.end,
            time_zone=self.time_zone,
            subject=str(self.content["subject"]),
            body=str(self.content["body"]),
            sensitivity=str(self.content.get("sensitivity", "private")),
            teams=bool(self.content.get("teams", False)),
        )


@dataclass(frozen=True)
class Result:
    what: str  # created, adopted, moved, cancelled, unchanged, gone
    event: EventState | None = None


class Sender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        events: EventsClient,
        threads: int = 16,
        crash_point: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.sessions, self.events, self.threads = sessions, events, threads
        self.owner = f"{MACHINE}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.crash_point = crash_point  # fault injection: tests stop the sender here

    def drain(
        self, programme_id: str | None = None, go_on: Callable[[], bool] = lambda: True
    ) -> SendReport:
        """Send until no meeting waits (those Graph refused wait for a later run), or until
        `go_on`, asked before each round, says to stop."""
        report = SendReport()
        while go_on() and (claimed := self.claim(self.threads * 4, programme_id)):
            with ThreadPoolExecutor(max_workers=self.threads) as pool:
                turns = [pool.submit(self._send_one, meeting_id, report) for meeting_id in claimed]
                try:
                    for turn in turns:
                        turn.result()
                except BaseException:  # stop sending at once; the leases expire
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        return report

    def _send_one(self, meeting_id: str, report: SendReport) -> None:
        snapshot = self._start(meeting_id)
        if snapshot is None:
            return
        try:
            result = self._carry_out(snapshot)
        except LeaseLostError:
            report.failed[snapshot.tag] = "another sender took it over"
            return
        except GraphError as problem:
            self._failed(snapshot, str(problem))
            report.failed[snapshot.tag] = str(problem)
            log.warning("meeting %s not sent: %s", snapshot.tag, problem)
            return
        self.crash_point("after_response_before_commit")
        if not self._record(snapshot, result):
            # Another sender holds it now; the attempt mark stays, so it reads before writing.
            log.warning("meeting %s: lease lost before the outcome was recorded", snapshot.tag)
            report.failed[snapshot.tag] = "lease lost before the outcome was recorded"
            return
        self.crash_point("after_commit")
        report.add(result.what, snapshot.tag)

    # Claiming ------------------------------------------------------------------------

    def claim(self, limit: int, programme_id: str | None = None) -> list[str]:
        self._release_dead_leases()
        waiting = (Meeting.revision > Meeting.synced_revision) & or_(
            Meeting.lease_until.is_(None), Meeting.lease_until < now()
        )
        query = select(Meeting.id).where(waiting).order_by(Meeting.updated_at).limit(limit)
        if programme_id is not None:
            query = query.where(Meeting.programme_id == programme_id)
        with self.sessions() as session:
            while candidates := session.scalars(query).all():
                claimed = []
                for meeting_id in candidates:
                    taken = session.execute(
                        update(Meeting)
                        .where(Meeting.id == meeting_id, waiting)
                        .values(lease_owner=self.owner, lease_until=now() + LEASE)
                    )
                    session.commit()
                    if taken.rowcount == 1:  # type: ignore[attr-defined]
                        claimed.append(meeting_id)
                if claimed:
                    self.crash_point("after_claim")
                    return claimed
                # Other senders took all of these first: look again, there may be more.
        return []

    def _release_dead_leases(self) -> None:
        """Leases of sender processes of this machine that no longer run are free now:
        a restart after a crash need not wait for them to expire."""
        with self.sessions() as session:
            owners = session.scalars(
                select(Meeting.lease_owner)
                .where(Meeting.lease_until > now(), Meeting.lease_owner.is_not(None))
                .distinct()
            ).all()
            dead = [owner for owner in owners if owner and _dead_here(owner)]
            if dead:
                session.execute(
                    update(Meeting)
                    .where(Meeting.lease_owner.in_(dead))
                    .values(lease_owner=None, lease_until=None)
                )
                session.commit()

    def _start(self, meeting_id: str) -> Snapshot | None:
        """Read the meeting and mark the attempt, in one commit, before any Graph call."""
        with self.sessions() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.lease_owner != self.owner:
                return None
            snapshot = Snapshot(
                id=meeting.id,
                tag=meeting.tag,
                organiser=meeting.organiser,
                attendees=tuple(Attendee(a, n) for a, n in meeting.attendees),
                time_zone=meeting.time_zone,
                content=dict(meeting.content),
                start=meeting.start,
                end=meeting.end,
                wanted=meeting.wanted,
                revision=meeting.revision,
                uncertain=meeting.attempted_revision > meeting.synced_revision,
                event_id=meeting.event_id,
            )
            meeting.attempted_revision = meeting.revision
            session.commit()
        self.crash_point("after_attempt_mark")
        return snapshot

    # Carrying out ----------------------------------------------------------------------

    def _carry_out(self, meeting: Snapshot) -> Result:
        if meeting.wanted == "cancelled":
            return self._cancel(meeting)
        if meeting.event_id is None:
            return self._create(meeting)
        return self._move(meeting)

    def _create(self, meeting: Snapshot) -> Result:
        spec = meeting.spec()
        # Looked up even without an attempt mark: the database may be new or restored.
        found = self._adopt(meeting)
        what = "adopted" if found else "created"
        for attempt in range(1, CREATE_TRIES + 1):
            if found is not None:
                break
            try:
                self._hold(meeting)
                found = self.events.create(spec)
            except OutcomeUnknownError:
                found = self._adopt(meeting)  # Graph may have made it before failing
                if found is None and attempt == CREATE_TRIES:
                    raise
                if found is None:  # not there: the same POST again, shortly
                    self.events.graph.sleep(attempt)
        assert found is not None
        if (found.start, found.end) != (spec.start, spec.end):
            self._hold(meeting)
            found = self.events.move(
                meeting.organiser, found.id, spec.start, spec.end, meeting.time_zone
            )
        return Result(what, found)

    def _adopt(self, meeting: Snapshot) -> EventState | None:
        """The meeting Graph already has under this tag; any extra copy is cancelled."""
        found = self.events.find_tagged(meeting.organiser, meeting.tag)
        live = [e for e in found if not e.cancelled]
        for extra in live[1:]:
            log.warning("meeting %s had a duplicate: cancelling it", meeting.tag)
            self._hold(meeting)
            self.events.cancel(meeting.organiser, extra.id, str(meeting.content["cancel_comment"]))
        return live[0] if live else None

    def _move(self, meeting: Snapshot) -> Result:
        assert meeting.event_id is not None
        start, end = meeting.start, meeting.end
        try:
            if meeting.uncertain:
                current = self.events.get(meeting.organiser, meeting.event_id)
                if current.cancelled:
                    return Result("gone")
                if (current.start, current.end) == (start, end):
                    return Result("unchanged", current)
            self._hold(meeting)
            moved = self.events.move(
                meeting.organiser, meeting.event_id, start, end, meeting.time_zone
            )
        except EventNotFoundError:
            return Result("gone")  # deleted in Outlook: never re-sent without a new plan
        return Result("moved", moved)

    def _cancel(self, meeting: Snapshot) -> Result:
        comment = str(meeting.content["cancel_comment"])
        targets = [meeting.event_id] if meeting.event_id else []
        if not targets and meeting.uncertain:
            targets = [e.id for e in self.events.find_tagged(meeting.organiser, meeting.tag)]
        for event_id in targets:
            self._hold(meeting)
            self.events.cancel(meeting.organiser, event_id, comment)
        return Result("cancelled" if targets else "unchanged")

    def _hold(self, meeting: Snapshot) -> None:
        """Renew the lease before a write, or stop: a sender that lost it must not write."""
        with self.sessions() as session:
            held = session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id, Meeting.lease_owner == self.owner)
                .values(lease_until=now() + LEASE)
            )
            session.commit()
        if held.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLostError(meeting.tag)

    # Recording -------------------------------------------------------------------------

    def _record(self, meeting: Snapshot, result: Result) -> bool:
        """The outcome, the synced revision and the outbox entries, in one commit; only
        while this sender still holds the lease."""
        values: dict[str, object] = {
            "synced_revision": meeting.revision,
            "error": None,
            "lease_owner": None,
            "lease_until": None,
            "updated_at": now(),
        }
        if result.event is not None:
            values.update(
                event_id=result.event.id,
                event_start=result.event.start,
                event_end=result.event.end,
                join_url=result.event.join_url,
                responses=result.event.responses,
            )
        if result.what == "cancelled":
            values.update(event_cancelled=True)
        if result.what == "gone":  # the organiser deleted it: the session needs a new plan
            values.update(
                wanted="cancelled",
                event_cancelled=True,
                synced_revision=Meeting.revision,  # nothing left to send to it
                responses={"organiser": "deleted"},
                error=DELETED_IN_OUTLOOK,
            )
        with self.sessions() as session:
            recorded = session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id, Meeting.lease_owner == self.owner)
                .values(**values)
            )
            done = bool(recorded.rowcount == 1)  # type: ignore[attr-defined]
            if done and result.what == "gone":
                mark_declined(session, meeting.id)
            if done:
                session.execute(
                    update(OutboxEntry)
                    .where(
                        OutboxEntry.meeting_id == meeting.id,
                        OutboxEntry.revision <= meeting.revision,
                        OutboxEntry.status == "pending",
                    )
                    .values(status="done", done_at=now())
                )
            session.commit()
        return done

    def _failed(self, meeting: Snapshot, why: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id, Meeting.lease_owner == self.owner)
                .values(error=why[:2000], lease_owner=None, lease_until=now() + RETRY_LATER)
            )
            session.commit()


def _machine() -> str:
    """This machine and process namespace: two containers sharing a hostname differ here,
    so a lease is only taken over where its owner's pid can really be checked."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}/{namespace}".encode()).hexdigest()[:12]


MACHINE = _machine()


def _dead_here(owner: str) -> bool:
    machine, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if machine != MACHINE or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
