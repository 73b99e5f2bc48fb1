"""SLA service: app factory. Run with ``python -m services.sla``."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.sla import board, repository
from services.sla.api import board as board_api, compliance, deadlines
from services.sla.handlers import handlers
from services.sla.policy import book_of, load_book
from services.sla.repository import DeadlineRepository
from services.sla.settings import SlaSettings
from services.sla.watch import DueWatcher
from shared import directory
from shared.events import utcnow
from shared.observability.logging import get_logger
from shared.observability.metrics import SLA_OVERDUE
from shared.runtime import Runtime, ServiceSpec, create_service_app

log = get_logger(__name__)


async def _watch_overdue(runtime: Runtime, every: float) -> None:
    """The overdue gauge of /metrics (what oversight alerts on)."""
    repo = DeadlineRepository(runtime.db)
    while True:
        await asyncio.sleep(every)
        try:
            counts = await repo.count_overdue(utcnow())
            for stage in book_of(runtime).current.stages:
                SLA_OVERDUE.labels(stage).set(counts.get(stage, 0))
        except Exception as exc:  # the database may be restarting
            log.warning("overdue count failed", error=repr(exc))


def create_app(settings: SlaSettings | None = None) -> FastAPI:
    settings = settings or SlaSettings()
    book = load_book(settings.policy_dir, settings.policy_version)  # a broken policy stops the start, loudly

    async def on_start(runtime: Runtime) -> None:
        runtime.parts = book
        await directory.keep_fresh(runtime, settings.directory_refresh_s)  # whose region a reader may see
        watcher = DueWatcher(DeadlineRepository(runtime.db, settings.due_shards, runtime.relay), book, settings)
        runtime.spawn(watcher.run(), "sla-watch")
        runtime.spawn(_watch_overdue(runtime, settings.queue_watch_interval_s), "overdue-watch")
        runtime.spawn(board.seal_loop(runtime.db, settings.board_marker_days), "board-seal")

    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor sla",
        description="Deadlines on Indonesia's working-day calendar, escalations and compliance figures.",
        routers=[deadlines.router, compliance.router, board_api.router],
        handlers=handlers,
        indexes=[*repository.INDEXES, *board.INDEXES],
        outbox_collections=[repository.STEPS, repository.REPORTS],
        on_start=on_start,
    ))
