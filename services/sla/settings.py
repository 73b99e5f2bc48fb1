from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import CommonSettings


class SlaSettings(CommonSettings):
    service_name: str = "sla"
    port: int = 8004
    policy_dir: Path = Field(Path("data/sla/policies"), description="folder of SLA policy versions, one YAML file each")
    policy_version: str | None = Field(None, description="policy version new reports start under (default: the highest)")
    watch_interval_s: float = Field(1.0, description="how often an SLA worker looks for due deadlines")
    watch_lease_s: float = Field(30.0, description="lease on a batch of due deadlines; a crashed worker's batch is retaken after it")
    watch_margin_s: float = Field(120.0, description="how far behind now the due-time cursor stays (clock skew between hosts)")
    due_shards: int = Field(4, ge=1, le=64, description="due buckets per minute (parallel SLA workers); fixed once data exists")
    board_marker_days: int = Field(2, ge=1, description="days a day's command-centre counters keep the markers that make "
                                   "a redelivered step count once; older days are sealed and drop them (small to read)")
