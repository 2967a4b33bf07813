"""The real Graph client and sender, pointed at the local HTTPS stand-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.invitations.sender import Sender
from connectors.graph.client import GraphClient
from connectors.graph.events import EventsClient
from connectors.graph.settings import GraphSettings


def graph_client(environment: dict[str, str], **changes: Any) -> GraphClient:
    settings = GraphSettings(
        **{k.removeprefix("TANDEM_GRAPH_").lower(): v for k, v in environment.items()},
        **{"timeout_seconds": 2.0, **changes},
    )
    return GraphClient(settings, sleep=lambda _: None)


def sender_for(
    store: sessionmaker[Session],
    environment: dict[str, str],
    crash_point: Callable[[str], None] = lambda _: None,
    threads: int = 4,
    **changes: Any,
) -> Sender:
    events = EventsClient(graph_client(environment, **changes))
    return Sender(store, events, threads=threads, crash_point=crash_point)
