"""App-only authentication with msal: one long-lived client per tenant, tokens from its cache.

Token errors become messages that name the setting to fix. Secrets never appear in them.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import certifi
import httpx
import msal
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.graph.settings import GraphSettings

# Entra error codes (AADSTS...) a customer can fix, and what to tell them.
HINTS = {
    7000215: "the client secret is wrong: check TANDEM_GRAPH_CLIENT_SECRET",
    7000222: "the client secret has expired: create a new one and set TANDEM_GRAPH_CLIENT_SECRET",
    700027: "the certificate is not the app's: check TANDEM_GRAPH_CLIENT_CERTIFICATE",
    90002: "the tenant is unknown: check TANDEM_GRAPH_TENANT_ID",
    900023: "the tenant id is not valid: check TANDEM_GRAPH_TENANT_ID",
    700016: "the tenant has no app with this id: check TANDEM_GRAPH_CLIENT_ID (and _TENANT_ID)",
    65001: "an administrator has not consented to the app's permissions: grant admin consent",
    7000112: "the app is disabled in the tenant: ask an administrator to enable it",
}


class GraphAuthError(Exception):
    """A token could not be had; the message says which setting to fix."""


class GraphAuth(httpx.Auth):
    """Puts an app-only bearer token on every Graph request."""

    def __init__(self, settings: GraphSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._app: msal.ConfidentialClientApplication | None = None

    def _client(self) -> msal.ConfidentialClientApplication:
        """Built on first use: msal reads the tenant's OpenID configuration right away."""
        if self._app is None:
            self._app = msal.ConfidentialClientApplication(
                self.settings.client_id,
                client_credential=_credential(self.settings),
                authority=self.settings.authority,
                http_client=_identity_session(self.settings),
                timeout=self.settings.timeout_seconds,
                # Outside Microsoft's own clouds (a sovereign proxy, the test stand-in),
                # msal must not look the authority up at login.microsoftonline.com.
                instance_discovery=self.settings.is_public_cloud,
            )
        return self._app

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request

    def token(self) -> str:
        """An access token, from msal's cache while it is valid."""
        with self._lock:
            try:
                result = self._client().acquire_token_for_client(scopes=[self.settings.scope])
            except requests.RequestException as problem:
                raise GraphAuthError(
                    f"cannot reach the identity platform at {self.settings.authority_host} "
                    f"({type(problem).__name__}): check TANDEM_GRAPH_AUTHORITY_HOST and "
                    "TANDEM_GRAPH_CA_BUNDLE"
                ) from None
            except ValueError:  # msal: the authority has no OpenID configuration
                raise GraphAuthError(
                    f"the identity platform knows no tenant '{self.settings.tenant_id}': check "
                    "TANDEM_GRAPH_TENANT_ID (and TANDEM_GRAPH_AUTHORITY_HOST)"
                ) from None
        if "access_token" not in result:
            raise GraphAuthError(_explain(result))
        return str(result["access_token"])


class _TrustedSession(requests.Session):
    """A requests session whose `verify` the environment cannot override.

    requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE replace a session's own `verify`;
    the settings' authorities must win. Proxies from the environment still apply."""

    def merge_environment_settings(self, *args: Any, **kwargs: Any) -> Any:
        merged = super().merge_environment_settings(*args, **kwargs)
        merged["verify"] = self.verify
        return merged


def _identity_session(settings: GraphSettings) -> requests.Session:
    session = _TrustedSession()
    session.verify = ca_bundle_path(settings.ca_bundle) if settings.ca_bundle else True
    return session


def ca_bundle_path(extra: Path) -> str:
    """One PEM file with the usual authorities and the extra ones (requests takes one file)."""
    combined = Path(tempfile.gettempdir()) / f"tandem-ca-{os.getpid()}-{abs(hash(str(extra)))}.pem"
    if not combined.exists():
        combined.write_text(Path(certifi.where()).read_text() + "\n" + extra.read_text())
    return str(combined)


def _explain(result: dict[str, Any]) -> str:
    codes = result.get("error_codes") or []
    for code in codes:
        if code in HINTS:
            return f"Microsoft Entra refused a token (AADSTS{code}): {HINTS[code]}"
    error = result.get("error", "unknown error")
    return f"Microsoft Entra refused a token ({error}, codes {codes}): check TANDEM_GRAPH_ settings"


def _credential(settings: GraphSettings) -> str | dict[str, str]:
    if settings.client_secret is not None:
        return settings.client_secret.get_secret_value()
    assert settings.client_certificate is not None
    return certificate_credential(settings.client_certificate.read_bytes())


def certificate_credential(pem: bytes) -> dict[str, str]:
    """msal's certificate credential from one PEM holding the private key and certificate."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        certificate = x509.load_pem_x509_certificate(pem)
    except (ValueError, TypeError) as problem:
        raise GraphAuthError(
            f"TANDEM_GRAPH_CLIENT_CERTIFICATE: not a PEM with an unencrypted private key and a "
            f"certificate ({type(problem).__name__})"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise GraphAuthError(
            "TANDEM_GRAPH_CLIENT_CERTIFICATE: Microsoft Entra takes RSA certificates; this key "
            f"is {type(key).__name__.removeprefix('_')}"
        )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "private_key": key_pem.decode(),
        "thumbprint": certificate.fingerprint(hashes.SHA1()).hex(),  # Entra's x5t is SHA-1
        "public_certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(),
    }


_SHARED: dict[tuple[str, str, str, str], GraphAuth] = {}
_SHARED_LOCK = threading.Lock()


def shared_auth(settings: GraphSettings) -> GraphAuth:
    """One long-lived msal client per tenant, app and credential in this process, so that
    its token cache serves every Graph client made with the same settings."""
    credential = settings.client_secret.get_secret_value() if settings.client_secret else ""
    key = (settings.authority, settings.client_id, str(settings.client_certificate), credential)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = GraphAuth(settings)
        return _SHARED[key]
