"""Intake service: app factory. Run with ``python -m services.intake``."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake import repository
from services.intake.api import reports
from services.intake.handlers import build_handlers
from services.intake.settings import IntakeSettings
from shared.runtime import ServiceSpec, create_service_app


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor intake",
        description="Reports in from the web, apps, SMS 1708, integrators and Open311; public tracking.",
        routers=[reports.router],
        handlers=build_handlers,
        indexes=repository.INDEXES,
        outbox_collections=[repository.REPORTS],
        max_body_bytes=settings.max_body_bytes,
    ))
