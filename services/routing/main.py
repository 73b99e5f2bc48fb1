"""Routing service: app factory. Run with ``python -m services.routing``."""

from __future__ import annotations

from fastapi import FastAPI

from services.routing import repository
from shared import directory
from services.routing.api import agencies
from services.routing.handlers import build_handlers
from services.routing.settings import RoutingSettings
from shared.runtime import Runtime, ServiceSpec, create_service_app

def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()

    async def on_start(runtime: Runtime) -> None:
        await directory.keep_fresh(runtime, settings.directory_refresh_s)

    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor routing",
        description="Agency directory, automatic routing and the coordinator and agency case API.",
        routers=[agencies.router],
        handlers=build_handlers,
        indexes=[*repository.INDEXES, *directory.INDEXES],
        outbox_collections=[repository.CASES],
        on_start=on_start,
    ))
