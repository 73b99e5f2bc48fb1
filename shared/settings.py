"""Typed settings shared by every service, read from ``LAPOR_*`` environment variables.

Secrets have development defaults so that ``make run`` works out of the box; outside the
``development`` environment those defaults are refused at start-up.
"""

from __future__ import annotations

from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


# an address block in a setting (trusted proxies, allowed webhook networks)
Network = IPv4Network | IPv6Network


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


# Public, well-known development keys: fine on a laptop, refused anywhere else.
DEV_DATA_KEY = "ZGV2LW9ubHktZGF0YS1rZXktZG8tbm90LXVzZS0xMjM="
DEV_LOOKUP_KEY = "dev-only-lookup-key"
DEV_OPERATOR_TOKEN = "dev-operator-token"
DEV_JWT_KEY = "dev-only-jwt-signing-key-do-not-use"
_PLACEHOLDERS = {DEV_DATA_KEY, DEV_LOOKUP_KEY, DEV_OPERATOR_TOKEN, DEV_JWT_KEY, "", "change-me", "changeme", "secret"}


class CommonSettings(BaseSettings):
    """What every service needs: where the database and broker are, how to log and trace."""

    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="ignore", populate_by_name=True)

    service_name: str = Field("lapor", description="name in logs, traces and broker connections")
    environment: Environment = Field(Environment.development, description="development, test or production; placeholder secrets only in development")
    host: str = Field("127.0.0.1", description="address the HTTP server binds")
    port: int = Field(8000, description="HTTP port (each service has its own default)")

    mongo_url: str = Field("mongodb://127.0.0.1:27017/", description="MongoDB (or FerretDB) connection string")
    mongo_db: str = Field("lapor", description="database name")
    mongo_timeout_ms: int = Field(5000, description="server selection and connect timeout")
    # Small by default: FerretDB's SQLite backend holds two connections per update command and
    # deadlocks when its pool of 100 runs out; raise it for MongoDB in production.
    mongo_max_pool_size: int = Field(10, ge=1, description="connections per service to the database")

    amqp_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", description="RabbitMQ connection string (vhost included)")
    events_exchange: str = Field("lapor.events", description="durable topic exchange for domain events")
    publish_timeout_s: float = Field(5.0, description="how long a publish waits for its confirm")
    prefetch: int = Field(32, description="messages a consumer holds at once")
    max_attempts: int = Field(5, ge=1, description="handler tries before a message is parked")
    handler_lease_s: float = Field(15.0, gt=0, description="after this a crashed handler's event may be taken over")
    retry_delays_ms: list[int] = Field(default_factory=lambda: [1000, 5000, 30000], description="back-off delays of successive retries (one delay queue each)")

    directory_refresh_s: float = Field(30.0, description="how often a service re-reads the agency directory it keeps in memory")
    queue_watch_interval_s: float = Field(10.0, description="how often queue depth and consumers are read for /metrics")
    outbox_sweep_interval_s: float = Field(2.0, description="how often the sweeper looks for unpublished events while "
                                           "there is reason to (start-up, a failed publish, leftovers last time)")
    outbox_idle_sweep_interval_s: float = Field(30.0, description="how often it looks otherwise (events a crashed "
                                                "replica left behind)")
    outbox_grace_s: float = Field(3.0, description="events younger than this are left to the fast path")
    outbox_batch: int = Field(200, description="events published per relay or sweeper round")

    query_shapes_file: str | None = Field(None, description="test aid: append each distinct query's shape (fields, "
                                          "operators and value types, never values) to this file")

    log_format: Literal["console", "json"] = Field("console", description="console (readable) or json (one object per line)")
    log_level: str = Field("INFO", description="minimum log level")
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT", description="OTLP/HTTP collector; traces are exported only when set")
    otel_sampling_ratio: float = Field(1.0, ge=0.0, le=1.0, description="share of new traces sampled (parents decide for children)")

    data_key: SecretStr = Field(SecretStr(DEV_DATA_KEY), description="Fernet key(s), comma-separated, first encrypts: reporter contact data at rest")
    lookup_key: SecretStr = Field(SecretStr(DEV_LOOKUP_KEY), description="HMAC key for keyed hashes of phone numbers, e-mails and NIK")
    operator_token: SecretStr = Field(SecretStr(DEV_OPERATOR_TOKEN), description="bearer token of operator endpoints")
    jwt_issuer: str = Field("lapor-dev", description="iss that officers' and coordinators' bearer JWTs must carry (the OIDC issuer)")
    jwt_audience: str = Field("lapor", description="aud the JWTs must carry")
    jwt_algorithms: list[str] = Field(["HS256"], description="accepted JWT algorithms (RS256/ES256 with an OIDC provider's key)")
    jwt_key: SecretStr = Field(SecretStr(DEV_JWT_KEY), description="HMAC secret, or the issuer's PEM public key, that verifies JWTs")
    jwt_jwks_url: str | None = Field(None, description="the OIDC provider's JWKS URL; when set, keys are fetched from it by kid")

    # Values that only a developer's laptop may run with: a subclass adds its own here, and the
    # one policy below refuses them all (``refuse_development_values``).
    def development_values(self) -> list[tuple[str, bool]]:
        """(environment variable, holds a development value) for every secret and provider."""
        return [(f"LAPOR_{name.upper()}", getattr(self, name).get_secret_value() in _PLACEHOLDERS
                 and not (name == "jwt_key" and self.jwt_jwks_url))  # keys come from the identity provider
                for name in ("data_key", "lookup_key", "operator_token", "jwt_key")]

    def console_providers(self) -> list[str]:
        """Providers that only pretend to send (they log and mark the message sent)."""
        return []

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "CommonSettings":
        refuse_development_values(self.environment, self.development_values(), self.console_providers())
        return self


def refuse_development_values(environment: Environment, secrets: list[tuple[str, bool]],
                              console_providers: list[str]) -> None:
    """The one policy, for every service and the portal: outside development no public
    development secret is accepted; in production no console provider either (a message it
    "sends" reaches nobody). Raises ValueError naming what to set."""
    if environment is Environment.development:
        return
    weak = [name for name, is_dev in secrets if is_dev]
    if weak:
        raise ValueError(f"development secrets are only allowed in development; set {', '.join(weak)}")
    if environment is Environment.production and console_providers:
        raise ValueError(f"console providers send nothing; set {', '.join(console_providers)} to a real provider")
