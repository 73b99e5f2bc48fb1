from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field

from shared.runtime import settings_of
from shared.attachments.settings import AttachmentSettings


class RoutingSettings(AttachmentSettings):
    service_name: str = "routing"
    port: int = 8002
    classifier_threshold: float = Field(0.6, ge=0, le=1, description="below this confidence a report waits for its coordinator")
    classifier_retrain_s: float = Field(300.0, description="how often the classifier relearns from coordinators' decisions")
    duplicate_threshold: float = Field(0.5, ge=0, le=1, description="text similarity from which an open case is flagged as a duplicate")
    inbox_page_max: int = Field(100, ge=1, le=1000, description="largest page of the case inbox")


RoutingSettingsDep = Annotated[RoutingSettings, Depends(settings_of(RoutingSettings))]
