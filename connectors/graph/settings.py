"""Microsoft Graph settings: one class, from the environment or a `.env` file.

Secrets are `SecretStr`: they never appear in a repr, a log line or an error message.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PUBLIC_AUTHORITY_HOSTS = (
    "https://login.microsoftonline.com",
    "https://login.microsoftonline.us",
    "https://login.chinacloudapi.cn",
)


class GraphSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_GRAPH_", env_file=".env", extra="ignore")

    tenant_id: str
    client_id: str
    client_secret: SecretStr | None = None
    client_certificate: Path | None = None  # a PEM file with the private key and certificate
    authority_host: str = "https://login.microsoftonline.com"
    base_url: str = "https://graph.microsoft.com/v1.0"
    ca_bundle: Path | None = None  # extra certificate authorities (a corporate proxy)
    timeout_seconds: float = 30.0
    max_tries: int = 6
    concurrency_per_mailbox: int = 4  # Outlook's limit per app and mailbox

    @field_validator("authority_host", "base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _one_credential(self) -> GraphSettings:
        if (self.client_secret is None) == (self.client_certificate is None):
            raise ValueError(
                "set exactly one of TANDEM_GRAPH_CLIENT_SECRET and TANDEM_GRAPH_CLIENT_CERTIFICATE"
            )
        return self

    @property
    def scope(self) -> str:
        """`<graph root>/.default`: every application permission an admin consented to."""
        root = (
            self.base_url.rsplit("/", 1)[0]
            if self.base_url.endswith(("/v1.0", "/beta"))
            else self.base_url
        )
        return f"{root}/.default"

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant_id}"

    @property
    def is_public_cloud(self) -> bool:
        return self.authority_host in PUBLIC_AUTHORITY_HOSTS


def graph_settings() -> GraphSettings | None:
    """Graph's settings when TANDEM_GRAPH_* are set; without them, no invitations."""
    try:
        return GraphSettings()
    except ValidationError:
        return None
