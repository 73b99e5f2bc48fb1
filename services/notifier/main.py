"""Notifier service: app factory. Run with ``python -m services.notifier``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from services.notifier import contacts, repository
from services.notifier.api import contact_links, notifications, sms, webhooks
from services.notifier.channels.base import Provider
from services.notifier.channels.email import ConsoleEmail, SmtpEmail
from services.notifier.channels.sms import ConsoleSms, KannelSms
from services.notifier.channels.chat import ChatWebhook
from services.notifier.channels.webhook import WebhookProvider
from services.notifier.delivery import Dispatcher, RetryWorker
from services.notifier.handlers import handlers
from services.notifier.outbound import SubscriptionPools, pooled_client
from services.notifier.repository import NotificationRepository
from services.notifier.settings import NotifierSettings
from shared import directory
from shared.observability.logging import get_logger
from shared.storage.mongo import prune_loop, pruned_indexes
from shared.runtime import Runtime, ServiceSpec, create_service_app

log = get_logger(__name__)


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    settings = settings or NotifierSettings()
    closers: list[Callable[[], Awaitable[None]]] = []

    async def on_start(runtime: Runtime) -> None:
        # a pool per peer, and per webhook subscription: one slow far side holds only its own
        gateway, chat = pooled_client(settings.lane_concurrency), pooled_client(settings.lane_concurrency)
        pools = SubscriptionPools(settings.webhook_allow_networks, settings.webhook_connections)
        closers.extend([gateway.aclose, chat.aclose, pools.aclose])
        repo = NotificationRepository(runtime.db)
        providers: dict[str, Provider] = {
            "sms": KannelSms(settings, gateway) if settings.sms_provider == "kannel" else ConsoleSms(),
            "email": SmtpEmail(settings) if settings.email_provider == "smtp" else ConsoleEmail(),
            "webhook": WebhookProvider(repo, runtime.vault, pools, settings.provider_timeout_s, settings.answer_max_bytes),
            "chat": ChatWebhook(chat, settings.provider_timeout_s, settings.answer_max_bytes),
        }
        dispatcher = Dispatcher(repo, runtime.vault, providers, settings)
        runtime.parts = dispatcher
        moved = await repo.adopt_pointers(runtime.db[repository.RETRY])
        if moved:
            log.info("retry pointers moved onto their notifications", count=moved)
        runtime.spawn(RetryWorker(dispatcher, repo, settings.retry_interval_s, settings.lane_concurrency,
                                  settings.webhook_connections).run(), "notification-retry")
        runtime.spawn(prune_loop(runtime.db, contacts.KEPT_S), "contact-prune")
        await directory.keep_fresh(runtime, settings.directory_refresh_s)  # escalation contacts

    async def on_stop(runtime: Runtime) -> None:
        await asyncio.gather(*(close() for close in closers), return_exceptions=True)

    return create_service_app(ServiceSpec(
        settings=settings,
        title="lapor notifier",
        description="Outbound SMS, e-mail, webhooks and alerts, each sent exactly once.",
        routers=[notifications.router, webhooks.router, sms.router, contact_links.router],
        handlers=handlers,
        indexes=repository.INDEXES + pruned_indexes(contacts.KEPT_S),
        on_start=on_start,
        on_stop=on_stop,
    ))
