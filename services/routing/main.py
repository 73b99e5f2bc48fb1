"""Routing service: app factory. Run with ``python -m services.routing``."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.routing import classifier, repository
from services.routing.api import agencies, attachments, cases
from services.routing.handlers import handlers
from services.routing.repository import CaseRepository
from services.routing.settings import RoutingSettings
from shared import directory
from shared.directory import directory_of
from shared.observability.logging import get_logger
from shared.runtime import Runtime, ServiceSpec, create_service_app

log = get_logger(__name__)


async def _train(runtime: Runtime) -> None:
    """(Re)train in a child process from the directory, the labelled set and coordinators'
    decisions; nothing to do when neither the directory nor the decisions changed since the
    last training."""
    decisions = await CaseRepository(runtime.db).decisions()
    basis = (directory_of(runtime).version, decisions)
    learned = classifier.learned_of(runtime)
    if learned.model is not None and learned.basis == basis:
        return
    learned.basis = basis
    settings = runtime.settings_as(RoutingSettings)
    models = await classifier.train_in_child(classifier.examples_for(directory_of(runtime), decisions),
                                             settings.classifier_cache_dir)
    learned.model, learned.urgency = models.category, models.urgency
    log.info("classifier trained", model_version=models.category.version, examples=models.category.size,
             urgency_model=models.urgency.version if models.urgency else None, decisions=len(decisions))


async def _keep_learning(runtime: Runtime, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await _train(runtime)
        except Exception as exc:  # keep the model we have
            log.warning("classifier retraining failed", error=repr(exc))


def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()

    async def on_start(runtime: Runtime) -> None:
        await directory.keep_fresh(runtime, settings.directory_refresh_s)
        if directory_of(runtime).categories:
            await _train(runtime)
        runtime.spawn(_keep_learning(runtime, settings.classifier_retrain_s), "classifier-retrain")

    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor routing",
        description="Agency directory, automatic routing and the coordinator and agency case API.",
        routers=[agencies.router, attachments.router, cases.router],   # files before /{id}/{action}
        handlers=handlers,
        indexes=[*repository.INDEXES, *directory.INDEXES],
        outbox_collections=[repository.CASES],
        on_start=on_start,
        attachments=True,
        upload_paths=r"/v1/cases/[^/]+/attachments",
    ))
