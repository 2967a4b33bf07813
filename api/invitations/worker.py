"""The invitation rounds: send the outbox, read responses, re-plan declines, keep Graph
subscriptions alive. A round is a task of the engine (`tandem.invitation_round`, queue
`invitations`), published every `invitation_poll_seconds` by the API's dispatcher; the
worker process that runs it keeps one `InvitationRounds` (its Graph client and token).
One holder at a time, service-wide (`api.invitations.election`): Outlook's per-organiser
limits and the subscriptions hold for the whole service. Every step is safe to repeat."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from api.invitations.election import hold, release
from api.invitations.notifications import (
    Subscriptions,
    forget_old_notifications,
    mark_processed,
    pending_notifications,
)
from api.invitations.responses import ResponseReport, read_responses
from api.invitations.sender import Sender
from api.jobs import queue_programme_plan
from api.settings import ServiceSettings
from api.storage.models import Programme
from connectors.graph.client import GraphClient
from connectors.graph.events import EventsClient
from connectors.graph.settings import GraphSettings
from connectors.graph.subscriptions import SubscriptionsClient

log = logging.getLogger(__name__)
ELECTION = "invitation-worker"
HOLD = timedelta(seconds=60)  # renewed every turn; a dead holder is replaced after this


RESPONSE_POLL = "response-poll"  # due when no hold on it runs: once per period, service-wide


class InvitationRounds:
    def __init__(
        self, sessions: sessionmaker[Session], settings: ServiceSettings, graph: GraphSettings
    ) -> None:
        self.sessions, self.settings = sessions, settings
        self.client = GraphClient(graph)
        self.events = EventsClient(self.client)
        self.sender = Sender(sessions, self.events, threads=8)
        self.subscriptions = (
            Subscriptions(
                sessions, SubscriptionsClient(self.client), settings.notification_url.rstrip("/")
            )
            if settings.notification_url
            else None
        )

    def round(self) -> bool:
        """One round, if this process holds the election; False when another one does."""
        if not self._elected():
            return False
        self.tick()
        return True

    def close(self) -> None:
        release(self.sessions, ELECTION, self.sender.owner)
        self.client.close()

    def _elected(self) -> bool:
        try:
            return hold(self.sessions, ELECTION, self.sender.owner, HOLD)
        except Exception:  # the database is away: nobody works until it is back
            log.exception("invitation rounds: the election failed")
            return False

    def tick(self) -> None:
        """Each step on its own: one failing (Graph or the database away) skips no other."""
        for step in (self._send, self._notifications, self._poll, self._subscriptions):
            try:
                step()
            except Exception:
                log.exception("invitation rounds: %s failed", step.__name__)

    def _send(self) -> None:
        report = self.sender.drain(go_on=self._elected)  # a long run keeps its hold
        for tag in report.done.get("gone", []):  # deleted in Outlook: a new time is needed
            queue_replan(self.sessions, self.settings, tag.split("/", 1)[0])

    def _poll(self) -> None:
        """Every `response_poll_seconds`, whichever process holds the election then."""
        period = timedelta(seconds=self.settings.response_poll_seconds)
        if hold(self.sessions, RESPONSE_POLL, str(uuid.uuid4()), period):
            self._replan(read_responses(self.sessions, self.events))

    def _subscriptions(self) -> None:
        if self.subscriptions:
            self.subscriptions.keep()  # two small queries unless something is due
            forget_old_notifications(self.sessions)

    def _notifications(self) -> None:
        pending = pending_notifications(self.sessions)
        if not pending.ids:
            return
        for subscription_id, kind in pending.lifecycle:
            self._lifecycle(subscription_id, kind)
        if pending.event_ids:
            self._replan(read_responses(self.sessions, self.events, event_ids=pending.event_ids))
        mark_processed(self.sessions, pending.ids)

    def _lifecycle(self, subscription_id: str, kind: str) -> None:
        log.info("subscription %s: %s", subscription_id, kind)
        if self.subscriptions is None:
            return
        if kind == "reauthorizationRequired":
            self.subscriptions.renew(subscription_id)
        elif kind == "subscriptionRemoved":
            self.subscriptions.forget(subscription_id)
            self.subscriptions.keep()
        release(self.sessions, RESPONSE_POLL)  # a lapse may have hidden changes: read all now

    def _replan(self, report: ResponseReport) -> None:
        for programme_id in sorted(report.programmes_to_replan):
            queue_replan(self.sessions, self.settings, programme_id)


def queue_replan(
    sessions: sessionmaker[Session], settings: ServiceSettings, programme_id: str
) -> None:
    """A re-plan of the programme, unless one is already waiting (a running one may have
    started before the decline: the decline waits for the next)."""
    with sessions() as session:
        programme = session.get(Programme, programme_id)
        if programme is not None:
            queue_programme_plan(session, settings, programme, by_tenant=False)
            session.commit()
