from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import CommonSettings


class SlaSettings(CommonSettings):
    service_name: str = "sla"
    port: int = 8004
    policy_file: Path = Field(Path("data/sla/policy.yaml"), description="the SLA policy document")
