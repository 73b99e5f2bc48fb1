from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from shared.settings import CommonSettings


class NotifierSettings(CommonSettings):
    service_name: str = "notifier"
    port: int = 8003
    sms_provider: Literal["console", "kannel"] = Field(
        "console", description="console writes SMS to the log (development); kannel sends through sendsms")
    kannel_sendsms_url: str = "http://127.0.0.1:13013/cgi-bin/sendsms"
    kannel_username: str = "lapor"
    kannel_password: SecretStr = SecretStr("lapor-dev")
    sms_sender: str = "1708"
    send_lease_s: float = Field(30.0, description="a claimed send not finished by then may be retried")
    provider_timeout_s: float = 10.0

    email_provider: Literal["console", "smtp"] = "console"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    email_from: str = "SP4N-LAPOR! <noreply@lapor.example.go.id>"
