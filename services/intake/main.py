"""Intake service: app factory. Run with ``python -m services.intake``."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake import repository
from services.intake.api import integrator, open311, reporter, reports, sms
from services.intake.handlers import handlers
from services.intake.settings import IntakeSettings
from shared import directory
from shared.runtime import Runtime, ServiceSpec, create_service_app
from shared.storage.batch import GroupInserter
from shared.storage.mongo import prune_loop


# where files come in: a new report (multipart), the reporter's and an integrator's additions
UPLOAD_PATHS = r"/v1/reports|/v1/reports/[^/]+/attachments|/v1/integrator/reports/[^/]+/attachments"


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()

    async def on_start(runtime: Runtime) -> None:
        await directory.keep_fresh(runtime, settings.directory_refresh_s)  # SMS keywords
        runtime.spawn(prune_loop(runtime.db, repository.COUNTERS_KEPT_S), "counter-prune")
        # reports accepted at the same moment are stored with one insert (group commit)
        inserter = GroupInserter(runtime.db[repository.REPORTS])
        inserter.start()
        runtime.parts = repository.IntakeParts(inserter)

    async def on_stop(runtime: Runtime) -> None:
        assert isinstance(runtime.parts, repository.IntakeParts)
        await runtime.parts.inserter.stop()

    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor intake",
        description="Reports in from the web, apps, SMS 1708, integrators and Open311; public tracking.",
        routers=[reports.router, reporter.router, sms.router, integrator.router, open311.router],
        on_start=on_start,
        on_stop=on_stop,
        handlers=handlers,
        indexes=repository.INDEXES,
        outbox_collections=[repository.REPORTS, repository.SMS_INBOUND],
        max_body_bytes=settings.max_body_bytes,
        attachments=True,
        upload_paths=UPLOAD_PATHS,
    ))
