from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Annotated

from fastapi import Depends
from pydantic import Field, SecretStr

from shared.runtime import settings_of
from shared.attachments.settings import AttachmentSettings
from shared.settings import Network


DEV_SMS_TOKENS = {"lapor-sms-dev", "", "change-me", "secret"}


class IntakeSettings(AttachmentSettings):
    service_name: str = "intake"
    port: int = 8001
    max_body_bytes: int = Field(65_536, description="larger request bodies get 413")
    public_base_url: str = Field("http://127.0.0.1:8001", description="base of the report URLs intake hands out")
    sms_callback_token: SecretStr = Field(SecretStr("lapor-sms-dev"), description="token Kannel's get-url carries (key=...)")
    reopen_window_days: int = Field(10, ge=0, description="days after 'resolved' in which the reporter may reopen")
    sms_per_sender_per_hour: int = Field(20, ge=1, description="SMS from one number per hour before the rest are dropped")
    reports_per_client_hour: int = Field(30, ge=1, description="web/app reports from one client address an hour; then 429")
    reports_per_contact_hour: int = Field(5, ge=1, description="reports an hour that may give one phone number or e-mail "
                                          "address, on every channel but SMS; then 429")
    trusted_proxies: list[Network] = Field(
        default_factory=lambda: [IPv4Network("127.0.0.1/32"), IPv6Network("::1/128")],
        description="proxies (the portal, an ingress) whose X-Forwarded-For names the client to count")

    def development_values(self) -> list[tuple[str, bool]]:
        return [*super().development_values(),
                ("LAPOR_SMS_CALLBACK_TOKEN", self.sms_callback_token.get_secret_value() in DEV_SMS_TOKENS)]


IntakeSettingsDep = Annotated[IntakeSettings, Depends(settings_of(IntakeSettings))]
