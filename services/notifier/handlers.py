"""Notifier's consumers: turn domain events into notifications."""

from __future__ import annotations

import asyncio

from services.notifier.delivery import Dispatcher, Request
from services.notifier.repository import NotificationRepository
from shared.events import Envelope, ReportAssigned, ReportReceived
from shared.messaging.consumer import Handlers
from shared.runtime import Runtime


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("notifier")
    repo = NotificationRepository(runtime.db)
    dispatcher: Dispatcher = runtime.extras["dispatcher"]

    # notifications are keyed by (event, kind, channel, recipient) and sent under a lease
    @handlers.on("report.received.v1", idempotent=True)
    async def acknowledge(env: Envelope) -> None:
        report = env.parse(ReportReceived)
        replies = [r.model_dump() for r in report.reply_to]
        await repo.remember_contacts(report.tracking_id, report.language, replies)
        await asyncio.gather(*(
            dispatcher.deliver(Request(
                event_id=env.event_id, kind="ack", tracking_id=report.tracking_id, channel=r.channel,
                address_enc=r.address_enc, address_hash=r.address_hash, language=report.language,
                values={"tracking_id": report.tracking_id}, source_occurred_at=report.received_at,
            ))
            for r in report.reply_to
        ))

    @handlers.on("report.assigned.v1", idempotent=True)
    async def tell_reporter_assigned(env: Envelope) -> None:
        step = env.parse(ReportAssigned)
        contacts = await repo.contacts_for(step.tracking_id)
        if contacts is None:
            # report.received is not handled yet: retry later rather than lose this message
            raise LookupError(f"contacts of {step.tracking_id} not known yet")
        await asyncio.gather(*(
            dispatcher.deliver(Request(
                event_id=env.event_id, kind="assigned", tracking_id=step.tracking_id, channel=r["channel"],
                address_enc=r["address_enc"], address_hash=r["address_hash"], language=contacts["language"],
                values={"tracking_id": step.tracking_id, "agency_name": step.agency_name or step.agency_id or "-"},
            ))
            for r in contacts["reply_to"]
        ))

    return handlers
