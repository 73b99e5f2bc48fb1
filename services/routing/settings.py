from __future__ import annotations

from shared.settings import CommonSettings


class RoutingSettings(CommonSettings):
    service_name: str = "routing"
    port: int = 8002
