"""Typed settings shared by every service, read from ``LAPOR_*`` environment variables.

Secrets have development defaults so that ``make run`` works out of the box; outside the
``development`` environment those defaults are refused at start-up.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


# Public, well-known development keys: fine on a laptop, refused anywhere else.
DEV_DATA_KEY = "ZGV2LW9ubHktZGF0YS1rZXktZG8tbm90LXVzZS0xMjM="
DEV_LOOKUP_KEY = "dev-only-lookup-key"
DEV_OPERATOR_TOKEN = "dev-operator-token"
_PLACEHOLDERS = {DEV_DATA_KEY, DEV_LOOKUP_KEY, DEV_OPERATOR_TOKEN, "", "change-me", "changeme", "secret"}


class CommonSettings(BaseSettings):
    """What every service needs: where the database and broker are, how to log and trace."""

    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="ignore", populate_by_name=True)

    service_name: str = "lapor"
    environment: Environment = Environment.development
    host: str = "127.0.0.1"
    port: int = 8000

    mongo_url: str = "mongodb://127.0.0.1:27017/"
    mongo_db: str = "lapor"
    mongo_timeout_ms: int = 5000
    # Small by default: FerretDB's SQLite backend holds two connections per update command and
    # deadlocks when its pool of 100 runs out; raise it for MongoDB in production.
    mongo_max_pool_size: int = Field(10, ge=1)

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "lapor.events"
    publish_timeout_s: float = 5.0
    prefetch: int = 32
    max_attempts: int = Field(5, ge=1, description="handler tries before a message is parked")
    handler_lease_s: float = Field(15.0, gt=0, description="after this a crashed handler's event may be taken over")
    retry_delays_ms: list[int] = Field(default_factory=lambda: [1000, 5000, 30000])

    outbox_sweep_interval_s: float = 2.0
    outbox_grace_s: float = 3.0
    outbox_batch: int = 200

    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_sampling_ratio: float = Field(1.0, ge=0.0, le=1.0)

    data_key: SecretStr = SecretStr(DEV_DATA_KEY)
    lookup_key: SecretStr = SecretStr(DEV_LOOKUP_KEY)
    operator_token: SecretStr = SecretStr(DEV_OPERATOR_TOKEN)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "CommonSettings":
        if self.environment is Environment.development:
            return self
        weak = [
            name
            for name in ("data_key", "lookup_key", "operator_token")
            if getattr(self, name).get_secret_value() in _PLACEHOLDERS
        ]
        if weak:
            raise ValueError(
                f"placeholder secrets are only allowed in development; set LAPOR_{', LAPOR_'.join(n.upper() for n in weak)}"
            )
        return self
