"""Who is calling: `Authorization: Bearer <key>` names a tenant.

Authenticators are tried in order; API keys are the first. A Microsoft Entra bearer-token
authenticator (checking `iss`/`tid`, `aud`, the app role, and mapping the calling app to a
tenant) can be added to `AUTHENTICATORS` later without touching the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.dependencies import DbSession
from api.keys import tenant_of
from api.problems import Problem

Authenticator = Callable[[Session, str], str | None]
AUTHENTICATORS: tuple[Authenticator, ...] = (tenant_of,)


# Declares the scheme in the OpenAPI document, and on every operation that needs a key (its
# "Authorize" button in /docs); the answer to a missing or wrong key stays ours (401,
# problem+json), hence auto_error=False.
BEARER = HTTPBearer(
    scheme_name="apiKey",
    description="An API key of `tandem keys create`, sent as `Authorization: Bearer <key>`",
    auto_error=False,
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


def current_tenant(request: Request, session: DbSession, credentials: Credentials) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise Problem(401, "Unauthorized", "send an API key as 'Authorization: Bearer <key>'")
    for authenticate in AUTHENTICATORS:
        tenant = authenticate(session, credentials.credentials.strip())
        if tenant is not None:
            request.state.tenant_id = tenant  # for the request's log line
            return tenant
    raise Problem(401, "Unauthorized", "the API key is unknown or revoked")


Tenant = Annotated[str, Depends(current_tenant)]
