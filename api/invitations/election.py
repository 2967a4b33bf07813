"""One invitation worker per database, however many service processes run: Outlook's
limits (4 requests at a time per organiser) and the subscriptions (one per organiser)
hold for the whole service, not per process. The holder renews its hold every turn; when
it stops renewing (stopped, killed), another process takes over once the hold expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.storage.models import Singleton


def hold(sessions: sessionmaker[Session], name: str, owner: str, lasting: timedelta) -> bool:
    """Take or renew the hold on `name`; False while another owner's hold runs."""
    moment = datetime.now(UTC)
    with sessions() as session:
        renewed = session.execute(
            update(Singleton)
            .where(
                Singleton.name == name,
                or_(Singleton.owner == owner, Singleton.until < moment),
            )
            .values(owner=owner, until=moment + lasting)
        )
        session.commit()
        if renewed.rowcount == 1:  # type: ignore[attr-defined]
            return True
        session.add(Singleton(name=name, owner=owner, until=moment + lasting))
        try:
            session.commit()
        except IntegrityError:  # it exists, and someone else holds it
            session.rollback()
            return False
    return True


def release(sessions: sessionmaker[Session], name: str, owner: str | None = None) -> None:
    """End the hold of `owner` (of anyone, when None) on `name`."""
    held = Singleton.name == name
    if owner is not None:
        held = held & (Singleton.owner == owner)
    with sessions() as session:
        session.execute(
            update(Singleton).where(held).values(until=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
