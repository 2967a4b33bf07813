"""Who is calling: `Authorization: Bearer <key>` names a tenant.

Authenticators are tried in order; API keys are the first. A Microsoft Entra bearer-token
authenticator (checking `iss`/`tid`, `aud`, the app role, and mapping the calling app to a
tenant) can be added to `AUTHENTICATORS` later without touching the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.dependencies import DbSession
from api.keys import tenant_of
from api.problems import Problem

Authenticator = Callable[[Session, str], str | None]
AUTHENTICATORS: tuple[Authenticator, ...] = (tenant_of,)


def current_tenant(request: Request, session: DbSession) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Problem(401, "Unauthorized", "send an API key as 'Authorization: Bearer <key>'")
    for authenticate in AUTHENTICATORS:
        tenant = authenticate(session, credential.strip())
        if tenant is not None:
            return tenant
    raise Problem(401, "Unauthorized", "the API key is unknown or revoked")


Tenant = Annotated[str, Depends(current_tenant)]
