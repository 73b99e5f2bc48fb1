from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field, SecretStr

from shared.runtime import Runtime, get_runtime
from shared.settings import CommonSettings


DEV_SMS_TOKENS = {"lapor-sms-dev", "", "change-me", "secret"}


class IntakeSettings(CommonSettings):
    service_name: str = "intake"
    port: int = 8001
    max_body_bytes: int = Field(65_536, description="larger request bodies get 413")
    public_base_url: str = Field("http://127.0.0.1:8001", description="base of the report URLs intake hands out")
    sms_callback_token: SecretStr = Field(SecretStr("lapor-sms-dev"), description="token Kannel's get-url carries (key=...)")
    reopen_window_days: int = Field(10, ge=0, description="days after 'resolved' in which the reporter may reopen")
    sms_per_sender_per_hour: int = Field(20, ge=1, description="SMS from one number per hour before the rest are dropped")

    def development_values(self) -> list[tuple[str, bool]]:
        return [*super().development_values(),
                ("LAPOR_SMS_CALLBACK_TOKEN", self.sms_callback_token.get_secret_value() in DEV_SMS_TOKENS)]


def get_intake_settings(runtime: Annotated[Runtime, Depends(get_runtime)]) -> IntakeSettings:
    """The intake service's own settings, typed (the runtime holds them as CommonSettings)."""
    settings = runtime.settings
    if not isinstance(settings, IntakeSettings):
        raise TypeError("the intake routers run in the intake service")
    return settings


IntakeSettingsDep = Annotated[IntakeSettings, Depends(get_intake_settings)]
