"""Routing service: app factory. Run with ``python -m services.routing``."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.routing import directory, repository
from services.routing.api import agencies
from services.routing.handlers import build_handlers
from services.routing.settings import RoutingSettings
from shared.observability.logging import get_logger
from shared.runtime import Runtime, ServiceSpec, create_service_app

log = get_logger(__name__)


async def _refresh_directory(runtime: Runtime, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            runtime.extras["directory"] = await directory.fetch(runtime.db)
        except Exception as exc:  # keep routing with the copy we have
            log.warning("directory refresh failed", error=repr(exc))


def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()

    async def on_start(runtime: Runtime) -> None:
        runtime.extras["directory"] = await directory.fetch(runtime.db)
        if not runtime.extras["directory"].agencies:
            log.warning("the agency directory is empty: load one with python -m services.routing.cli load-directory")
        runtime.spawn(_refresh_directory(runtime, settings.directory_refresh_s), "directory-refresh")

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
