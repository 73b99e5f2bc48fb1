"""Typed settings of the web portal, from ``LAPOR_*`` environment variables.

The portal holds no database or broker settings: it only knows where the four services answer.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DEV_OPERATOR_TOKEN, Environment, Network, refuse_development_values

DEV_SESSION_KEY = "dev-only-web-session-key-do-not-use"
DEV_OIDC_SECRET = "lapor-web-dev-secret"  # the demo realm's (deploy/keycloak/lapor-realm.json)


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="ignore", populate_by_name=True)

    service_name: str = "web"
    environment: Environment = Field(Environment.development, description="development, test or production")
    host: str = Field("127.0.0.1", description="address the HTTP server binds")
    port: int = Field(8000, description="HTTP port of the web portal")
    forwarded_allow_ips: list[Network] = Field(
        default_factory=list,
        description="proxies in front (the ingress controller) whose X-Forwarded-For and X-Forwarded-Proto are "
                    "believed: the citizen's own address for intake's limits, https links behind TLS; none by default")
    intake_url: str = Field("http://127.0.0.1:8001", description="base URL of the intake service's API")
    routing_url: str = Field("http://127.0.0.1:8002", description="base URL of the routing service's API")
    sla_url: str = Field("http://127.0.0.1:8004", description="base URL of the SLA service's API")
    notifier_url: str = Field("http://127.0.0.1:8003", description="base URL of the notifier's API (contact confirmations; the recap command mails through it)")
    operator_token: SecretStr | None = Field(None, description="the operator token, for operator commands only (the recap mailing); pages never use it")
    api_timeout_s: float = Field(10.0, gt=0, description="how long a page waits for a service before answering 503")
    directory_cache_s: float = Field(60.0, ge=0, description="how long the portal keeps the agency directory it shows")
    web_session_key: SecretStr = Field(SecretStr(DEV_SESSION_KEY), description="secret that signs the portal's CSRF tokens")
    sms_number: str = Field("1708", description="the SMS number shown to citizens")
    oidc_issuer: str = Field("http://127.0.0.1:8180/realms/lapor",
                             description="staff sign-in: the OpenID Connect provider (its /.well-known/openid-configuration)")
    oidc_client_id: str = Field("lapor-web", description="the portal's client at the provider")
    oidc_client_secret: SecretStr = Field(SecretStr(DEV_OIDC_SECRET), description="the portal's client secret at the provider")
    staff_token_margin_s: float = Field(30.0, ge=0, description="an access token with less life left than this is refreshed before a call")
    staff_session_idle_s: int = Field(8 * 3600, ge=60, description="a staff session unused this long ends")
    board_refresh_s: float = Field(5.0, gt=0, description="how often a wallboard's figures are fetched and sent down its stream")
    board_retry_s: float = Field(3.0, gt=0, description="how soon a wallboard's browser reconnects a dropped stream")
    board_stream_s: float = Field(1800.0, gt=0, description="a wallboard stream ends after this long and the browser opens a new one")
    log_format: str = Field("console", description="console (readable) or json (one object per line)")
    log_level: str = Field("INFO", description="minimum log level")
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
                                                    description="OTLP/HTTP collector; traces are exported only when set")

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` everywhere but on a developer's plain-HTTP loopback."""
        return self.environment is Environment.production

    @model_validator(mode="after")
    def _real_secret(self) -> "WebSettings":
        operator = self.operator_token.get_secret_value() if self.operator_token else None
        refuse_development_values(self.environment, [
            ("LAPOR_WEB_SESSION_KEY", self.web_session_key.get_secret_value() in (DEV_SESSION_KEY, "", "change-me", "secret")),
            # the demo realm's secret: tests and CI run against that realm, production never
            ("LAPOR_OIDC_CLIENT_SECRET", self.environment is Environment.production
             and self.oidc_client_secret.get_secret_value() == DEV_OIDC_SECRET),
            ("LAPOR_OPERATOR_TOKEN", operator is not None and operator in (DEV_OPERATOR_TOKEN, "", "change-me", "secret")),
        ], [])
        return self
