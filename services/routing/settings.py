from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends
from pydantic import Field

from shared.runtime import settings_of
from shared.attachments.settings import AttachmentSettings


class RoutingSettings(AttachmentSettings):
    service_name: str = "routing"
    port: int = 8002
    # chosen on the evaluation set by `make bench` (bench/results/classifier.md): the lowest
    # confidence at which fewer than 2 % of the reports routed automatically go to a wrong agency
    classifier_threshold: float = Field(0.917, ge=0, le=1, description="below this confidence a report waits for its coordinator, who sees the three likeliest categories")
    # chosen there too: the best F2 (a missed urgent report costs more than one a coordinator lowers)
    urgency_threshold: float = Field(0.069, ge=0, le=1, description="from this score of the urgency model a report is flagged urgent from its content")
    classifier_cache_dir: Path | None = Field(None, description="where trained models are kept by the digest of their examples, so a restart does not fit again (none: always fit)")
    classifier_retrain_s: float = Field(300.0, description="how often the classifier relearns from coordinators' decisions")
    duplicate_threshold: float = Field(0.5, ge=0, le=1, description="text similarity from which an open case is flagged as a duplicate")
    inbox_page_max: int = Field(100, ge=1, le=1000, description="largest page of the case inbox")


RoutingSettingsDep = Annotated[RoutingSettings, Depends(settings_of(RoutingSettings))]
