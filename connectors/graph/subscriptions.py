"""Graph change-notification subscriptions on an organiser's events.

Graph checks a new subscription by calling our URLs with a validation token, so these
calls succeed only when the service answers at `notification_url`. Immutable ids are
asked for, so that notifications name meetings by the ids Tandem stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from connectors.graph.client import GraphClient, GraphError, error_code
from connectors.graph.events import IMMUTABLE_IDS
from connectors.graph.zones import parse_graph_time


class SubscriptionGoneError(GraphError):
    """Graph no longer has this subscription (expired or removed): create a new one."""


@dataclass(frozen=True)
class Subscription:
    id: str
    expires_at: datetime


@dataclass
class SubscriptionsClient:
    graph: GraphClient

    def create(
        self,
        mailbox: str,
        notification_url: str,
        lifecycle_url: str,
        client_state: str,
        expires_at: datetime,
    ) -> Subscription:
        body = {
            "changeType": "created,updated,deleted",
            "notificationUrl": notification_url,
            "lifecycleNotificationUrl": lifecycle_url,
            "resource": f"/users/{quote(mailbox)}/events",
            "expirationDateTime": _instant(expires_at),
            "clientState": client_state,
        }
        answer = self.graph.call(
            "POST",
            "/subscriptions",
            mailbox=mailbox,
            what="subscribing to an organiser's meetings",  # no address in logs
            json=body,
            headers=IMMUTABLE_IDS,
        )
        if not answer.is_success:
            raise _refused("subscribing to meetings", answer)
        payload = answer.json()
        return Subscription(str(payload["id"]), _parse(payload["expirationDateTime"]))

    def renew(self, mailbox: str, subscription_id: str, expires_at: datetime) -> Subscription:
        answer = self.graph.call(
            "PATCH",
            f"/subscriptions/{quote(subscription_id, safe='')}",
            mailbox=mailbox,
            what=f"renewing subscription {subscription_id}",
            json={"expirationDateTime": _instant(expires_at)},
        )
        if answer.status_code == 404:
            raise SubscriptionGoneError(f"subscription {subscription_id} is gone")
        if not answer.is_success:
            raise _refused(f"renewing subscription {subscription_id}", answer)
        return Subscription(subscription_id, _parse(answer.json()["expirationDateTime"]))

    def delete(self, mailbox: str, subscription_id: str) -> None:
        answer = self.graph.call(
            "DELETE",
            f"/subscriptions/{quote(subscription_id, safe='')}",
            mailbox=mailbox,
            what=f"deleting subscription {subscription_id}",
        )
        if answer.status_code != 404 and not answer.is_success:
            raise _refused(f"deleting subscription {subscription_id}", answer)


def _refused(what: str, answer: httpx.Response) -> GraphError:
    return GraphError(f"{what}: HTTP {answer.status_code} {error_code(answer)}".rstrip())


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _parse(text: str) -> datetime:
    return parse_graph_time({"dateTime": text, "timeZone": "UTC"})
