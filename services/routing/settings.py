from __future__ import annotations

from pydantic import Field

from shared.settings import CommonSettings


class RoutingSettings(CommonSettings):
    service_name: str = "routing"
    port: int = 8002
    directory_refresh_s: float = Field(30.0, description="how often the in-memory directory is reloaded")
