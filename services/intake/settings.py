from __future__ import annotations

from pydantic import Field

from shared.settings import CommonSettings


class IntakeSettings(CommonSettings):
    service_name: str = "intake"
    port: int = 8001
    max_body_bytes: int = Field(65_536, description="larger request bodies get 413")
    public_base_url: str = Field("http://127.0.0.1:8001", description="base of the report URLs intake hands out")
