"""API keys: `tdm_` and 40 random characters, shown once; only a SHA-256 digest is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.storage.models import ApiKey, Tenant

PREFIX_LENGTH = 12


def create_key(session: Session, tenant_name: str) -> tuple[str, str]:
    """A new key for the tenant (created on first use): (key id, the key itself)."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == tenant_name))
    if tenant is None:
        tenant = Tenant(id=str(uuid.uuid4()), name=tenant_name, created_at=datetime.now(UTC))
        session.add(tenant)
        session.flush()  # the tenant row first: the key refers to it
    secret = "tdm_" + secrets.token_urlsafe(30)
    key = ApiKey(
        id=str(uuid.uuid4()),
        tenant_id=tenant.id,
        prefix=secret[:PREFIX_LENGTH],
        digest=_digest(secret),
        created_at=datetime.now(UTC),
    )
    session.add(key)
    session.commit()
    return key.id, secret


@dataclass(frozen=True)
class KeyListing:
    """What may be shown of a key: never the key, nor its digest."""

    id: str
    tenant: str
    created_at: datetime
    revoked_at: datetime | None


def list_keys(session: Session, tenant_name: str | None = None) -> list[KeyListing]:
    """Every key (or one tenant's), oldest first."""
    query = (
        select(ApiKey.id, Tenant.name, ApiKey.created_at, ApiKey.revoked_at)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    if tenant_name is not None:
        query = query.where(Tenant.name == tenant_name)
    return [KeyListing(*row) for row in session.execute(query)]


def revoke_key(session: Session, key_id: str) -> bool:
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    session.commit()
    return True


def tenant_of(session: Session, secret: str) -> str | None:
    """The tenant id of a valid, unrevoked key, else None (in constant time per candidate)."""
    candidates = session.scalars(
        select(ApiKey).where(ApiKey.prefix == secret[:PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
    )
    digest = _digest(secret)
    for key in candidates:
        if hmac.compare_digest(key.digest, digest):
            return key.tenant_id
    return None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
