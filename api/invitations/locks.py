"""One writer per programme at a time: a plan being recorded, a decline being marked and
the invitations being switched on never interleave (each reads what the last one wrote)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.storage.locks import lock_row
from api.storage.models import Programme


def lock_programme(session: Session, programme_id: str) -> None:
    """Call before reading what will be written; objects read earlier must be refreshed."""
    lock_row(session, Programme.id, programme_id)
