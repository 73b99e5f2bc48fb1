from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Annotated, Literal

from fastapi import Depends

from pydantic import Field, SecretStr, model_validator

from shared.runtime import settings_of
from shared.settings import CommonSettings


class NotifierSettings(CommonSettings):
    service_name: str = "notifier"
    port: int = 8003
    sms_provider: Literal["console", "kannel"] = Field(
        "console", description="console writes SMS to the log (development); kannel sends through sendsms")
    kannel_sendsms_url: str = Field("http://127.0.0.1:13013/cgi-bin/sendsms", description="Kannel smsbox sendsms URL")
    kannel_username: str = Field("lapor", description="Kannel sendsms user")
    kannel_password: SecretStr = Field(SecretStr("lapor-dev"), description="Kannel sendsms password")
    sms_sender: str = Field("1708", description="short code the SMS come from")
    send_lease_s: float = Field(30.0, description="a claimed send not finished by then may be retried")
    provider_timeout_s: float = Field(10.0, description="timeout of each step of a provider call (connect, each read)")
    delivery_deadline_s: float = Field(15.0, gt=0, description="a whole send attempt, however the receiver drips its answer; "
                                       "shorter than send_lease_s")
    answer_max_bytes: int = Field(1024, ge=16, description="bytes of a provider's or receiver's answer read; the rest is dropped")
    webhook_allow_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=list, description="private or loopback networks webhooks may reach all the same (a development "
        "receiver on 127.0.0.0/8); empty in production, where only public addresses are reached")
    webhook_connections: int = Field(4, ge=1, description="connections, and sends at once, per webhook subscription")
    lane_concurrency: int = Field(32, ge=1, description="retried sends at once per channel")

    email_provider: Literal["console", "smtp"] = Field("console", description="console (development) or smtp")
    smtp_host: str = Field("127.0.0.1", description="SMTP server")
    smtp_port: int = Field(25, description="SMTP port")
    smtp_starttls: bool = Field(False, description="upgrade the SMTP connection with STARTTLS")
    smtp_tls: bool = Field(False, description="implicit TLS (port 465)")
    smtp_username: str | None = Field(None, description="SMTP login, if any")
    smtp_password: SecretStr | None = Field(None, description="SMTP password, if any")
    email_from: str = Field("SP4N-LAPOR! <noreply@lapor.example.go.id>", description="From: of outgoing e-mail")

    retry_base_s: float = Field(10.0, description="first retry delay of a failed send; doubles each attempt, with full jitter")
    retry_max_delay_s: float = Field(3600.0, description="longest delay between two attempts of one notification")
    retry_horizon_s: float = Field(86400.0, description="a notification still unsent this long after its first attempt fails")
    retry_interval_s: float = Field(1.0, description="how often the retry worker looks for sends that are due again")
    breaker_threshold: int = Field(5, ge=1, description="consecutive provider failures that open a channel's circuit")
    breaker_cooldown_s: float = Field(30.0, description="how long an open circuit waits before one trial send")
    rate_sms_per_s: float = Field(20.0, gt=0, description="SMS handed to the gateway per second, per notifier process")
    rate_email_per_s: float = Field(10.0, gt=0, description="e-mails sent per second, per notifier process")
    rate_webhook_per_s: float = Field(50.0, gt=0, description="webhook deliveries per second, per notifier process")
    portal_url: str = Field("http://127.0.0.1:8000", description="the portal's public URL, for the links that confirm a contact")
    dlr_base_url: str = Field("http://127.0.0.1:8003", description="this service's URL as Kannel reaches it, for delivery reports")

    @model_validator(mode="after")
    def _deadline_within_lease(self) -> "NotifierSettings":
        # a send still running when its lease ends could be sent twice by another replica
        if self.delivery_deadline_s >= self.send_lease_s:
            raise ValueError("LAPOR_DELIVERY_DEADLINE_S must be shorter than LAPOR_SEND_LEASE_S")
        return self

    def development_values(self) -> list[tuple[str, bool]]:
        return [*super().development_values(),
                ("LAPOR_KANNEL_PASSWORD", self.sms_provider == "kannel"
                 and self.kannel_password.get_secret_value() in ("lapor-dev", "", "change-me", "secret"))]

    def console_providers(self) -> list[str]:
        return [f"LAPOR_{name.upper()}" for name in ("sms_provider", "email_provider") if getattr(self, name) == "console"]

NotifierSettingsDep = Annotated[NotifierSettings, Depends(settings_of(NotifierSettings))]
