from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field, SecretStr, model_validator

from shared.runtime import Runtime, get_runtime
from shared.settings import CommonSettings


class IntakeSettings(CommonSettings):
    service_name: str = "intake"
    port: int = 8001
    max_body_bytes: int = Field(65_536, description="larger request bodies get 413")
    public_base_url: str = Field("http://127.0.0.1:8001", description="base of the report URLs intake hands out")
    sms_callback_token: SecretStr = Field(SecretStr("lapor-sms-dev"), description="token Kannel's get-url carries (key=...)")
    reopen_window_days: int = Field(10, ge=0, description="days after 'resolved' in which the reporter may reopen")
    sms_per_sender_per_hour: int = Field(20, ge=1, description="SMS from one number per hour before the rest are dropped")

    @model_validator(mode="after")
    def _real_sms_token(self) -> "IntakeSettings":
        if self.environment == "production" and self.sms_callback_token.get_secret_value() == "lapor-sms-dev":
            raise ValueError("set LAPOR_SMS_CALLBACK_TOKEN: the development token is refused in production")
        return self


def get_intake_settings(runtime: Annotated[Runtime, Depends(get_runtime)]) -> IntakeSettings:
    """The intake service's own settings, typed (the runtime holds them as CommonSettings)."""
    settings = runtime.settings
    if not isinstance(settings, IntakeSettings):
        raise TypeError("the intake routers run in the intake service")
    return settings


IntakeSettingsDep = Annotated[IntakeSettings, Depends(get_intake_settings)]
