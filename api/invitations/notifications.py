"""Graph change notifications: subscriptions kept alive, deliveries checked and stored.

A delivery is only a hint: its `clientState` must match the subscription's (compared by
hash, in constant time), and then the meeting it names is read again by the worker. A
forged, repeated or lost notification therefore changes nothing by itself; the periodic
reading of responses stays the guarantee.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.storage.models import GraphNotification, GraphSubscription, Meeting
from connectors.graph.client import GraphError
from connectors.graph.subscriptions import SubscriptionGoneError, SubscriptionsClient
from connectors.shown_text import shown

log = logging.getLogger(__name__)
LIFECYCLE = ("reauthorizationRequired", "subscriptionRemoved", "missed")
MOST_PER_DELIVERY = 200  # Graph sends a handful; more is not Graph
KEPT_FOR = timedelta(days=1)  # processed notifications, for investigation


def now() -> datetime:
    return datetime.now(UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def accept_deliveries(session: Session, payload: Any, tenant_id: str) -> int:
    """Store (and commit) the notifications that prove to be Graph's; the count stored."""
    items = payload.get("value") if isinstance(payload, dict) else None
    stored, ignored = 0, []
    for item in (items if isinstance(items, list) else [])[:MOST_PER_DELIVERY]:
        if not isinstance(item, dict):
            continue
        subscription = session.get(GraphSubscription, str(item.get("subscriptionId", ""))[:200])
        if not _genuine(item, subscription, tenant_id):
            ignored.append(item.get("subscriptionId"))
            continue
        session.add(
            GraphNotification(
                subscription_id=str(item["subscriptionId"]),
                kind=_kind(item),
                event_id=_event_id(item),
                received_at=now(),
                processed=False,
            )
        )
        stored += 1
    session.commit()
    if ignored:  # one line per delivery, whatever it holds: a forged one cannot flood the log
        log.warning(
            "ignored %d notification(s) not proven Graph's (first for subscription %s)",
            len(ignored),
            shown(ignored[0], 64),
        )
    return stored


def _genuine(item: dict[str, Any], subscription: GraphSubscription | None, tenant: str) -> bool:
    if subscription is None or str(item.get("tenantId", "")).lower() != tenant.lower():
        return False
    offered = digest(str(item.get("clientState", "")))
    return hmac.compare_digest(offered, subscription.client_state_hash)


def _kind(item: dict[str, Any]) -> str:
    lifecycle = item.get("lifecycleEvent")
    if lifecycle in LIFECYCLE:
        return str(lifecycle)
    return str(item.get("changeType", "updated"))[:32]


def _event_id(item: dict[str, Any]) -> str | None:
    data = item.get("resourceData")
    if isinstance(data, dict) and data.get("id"):
        return str(data["id"])[:512]
    return None


@dataclass
class Subscriptions:
    """Keeps one subscription per organiser of live meetings, renewed at half its life."""

    sessions: sessionmaker[Session]
    client: SubscriptionsClient
    base_url: str
    lifetime: timedelta = timedelta(minutes=4200)  # under every documented maximum
    retry_after: timedelta = timedelta(minutes=5)  # a mailbox Graph refused waits this long
    _refused: dict[str, datetime] = field(default_factory=dict)

    @property
    def notification_url(self) -> str:
        return f"{self.base_url}/v1/graph/notifications"

    @property
    def lifecycle_url(self) -> str:
        return f"{self.base_url}/v1/graph/lifecycle"

    def keep(self) -> None:
        with self.sessions() as session:
            wanted = {
                str(m).lower()
                for m in session.scalars(
                    select(Meeting.organiser).where(Meeting.wanted == "live").distinct()
                )
            }
            held = list(session.scalars(select(GraphSubscription)))
        have = {s.mailbox for s in held}
        for subscription in held:
            if subscription.mailbox not in wanted:
                self._drop(subscription)
            elif subscription.expires_at.replace(tzinfo=UTC) - now() < self.lifetime / 2:
                self.renew(subscription.id)
        for mailbox in sorted(wanted - have):
            if self._refused.get(mailbox, now() - self.retry_after) <= now() - self.retry_after:
                self._create(mailbox)

    def renew(self, subscription_id: str) -> None:
        with self.sessions() as session:
            subscription = session.get(GraphSubscription, subscription_id)
            if subscription is None:
                return
            mailbox = subscription.mailbox
        try:
            renewed = self.client.renew(mailbox, subscription_id, now() + self.lifetime)
        except SubscriptionGoneError:
            self.forget(subscription_id)
            self._create(mailbox)
            return
        with self.sessions() as session:
            session.execute(
                update(GraphSubscription)
                .where(GraphSubscription.id == subscription_id)
                .values(expires_at=renewed.expires_at)
            )
            session.commit()

    def forget(self, subscription_id: str) -> None:
        with self.sessions() as session:
            session.execute(
                delete(GraphSubscription).where(GraphSubscription.id == subscription_id)
            )
            session.commit()

    def _create(self, mailbox: str) -> None:
        secret = secrets.token_urlsafe(48)  # 64 characters, under Graph's 128
        try:
            created = self.client.create(
                mailbox, self.notification_url, self.lifecycle_url, secret, now() + self.lifetime
            )
        except GraphError as problem:
            log.warning("no subscription for an organiser (%s)", type(problem).__name__)
            self._refused[mailbox] = now()
            return
        with self.sessions() as session:
            session.add(
                GraphSubscription(
                    id=created.id,
                    mailbox=mailbox,
                    client_state_hash=digest(secret),
                    expires_at=created.expires_at,
                    created_at=now(),
                )
            )
            session.commit()

    def _drop(self, subscription: GraphSubscription) -> None:
        try:
            self.client.delete(subscription.mailbox, subscription.id)
        except GraphError as problem:
            log.warning("subscription %s not deleted: %s", subscription.id, problem)
            return
        self.forget(subscription.id)


@dataclass(frozen=True)
class Pending:
    ids: list[int]
    event_ids: list[str]  # meetings to read again
    lifecycle: list[tuple[str, str]]  # (subscription, event)


def pending_notifications(sessions: sessionmaker[Session], limit: int = 1000) -> Pending:
    """Stored notifications not yet acted on; duplicates collapse to one read."""
    with sessions() as session:
        rows = session.scalars(
            select(GraphNotification)
            .where(GraphNotification.processed.is_(False))
            .order_by(GraphNotification.id)
            .limit(limit)
        ).all()
    return Pending(
        ids=[r.id for r in rows],
        event_ids=sorted({r.event_id for r in rows if r.event_id and r.kind not in LIFECYCLE}),
        lifecycle=sorted({(r.subscription_id, r.kind) for r in rows if r.kind in LIFECYCLE}),
    )


def mark_processed(sessions: sessionmaker[Session], ids: list[int]) -> None:
    """After acting (at least once: a crash before this acts again, harmlessly)."""
    with sessions() as session:
        session.execute(
            update(GraphNotification).where(GraphNotification.id.in_(ids)).values(processed=True)
        )
        session.commit()


def forget_old_notifications(sessions: sessionmaker[Session]) -> None:
    """Processed notifications are kept a day, then deleted: the table does not grow."""
    with sessions() as session:
        session.execute(
            delete(GraphNotification).where(
                GraphNotification.processed.is_(True),
                GraphNotification.received_at < now() - KEPT_FOR,
            )
        )
        session.commit()
