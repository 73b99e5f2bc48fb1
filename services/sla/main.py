"""SLA service: app factory. Run with ``python -m services.sla``."""

from __future__ import annotations

from fastapi import FastAPI

from services.sla import repository
from services.sla.api import deadlines
from services.sla.handlers import build_handlers
from services.sla.policy import load_policy
from services.sla.settings import SlaSettings
from shared.runtime import Runtime, ServiceSpec, create_service_app


def create_app(settings: SlaSettings | None = None) -> FastAPI:
    settings = settings or SlaSettings()
    policy = load_policy(settings.policy_file)  # a broken policy stops the start, loudly

    async def on_start(runtime: Runtime) -> None:
        runtime.extras["policy"] = policy
        runtime.extras["calendar"] = policy.make_calendar()

    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor sla",
        description="Deadlines on Indonesia's working-day calendar, escalations and compliance figures.",
        routers=[deadlines.router],
        handlers=build_handlers,
        indexes=repository.INDEXES,
        on_start=on_start,
    ))
