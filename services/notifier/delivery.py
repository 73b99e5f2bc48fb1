"""Exactly-once delivery of one notification.

A notification's identity is a hash of (event, kind, channel, recipient), so redelivered
events and any number of notifier replicas converge on one record. Sending needs a lease on
that record (an atomic guarded update); the record turns ``sent`` after the provider's
answer. The one window left is a crash after the provider accepted and before ``sent`` is
written: the lease then expires and the message is sent again; no provider protocol closes
that window, so the lease is kept longer than any provider call may take.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from services.notifier import templates
from services.notifier.channels.base import Outgoing, Provider, SendError
from services.notifier.repository import NotificationRepository
from shared.events import EPOCH, utcnow
from shared.observability.metrics import END_TO_END_SECONDS, NOTIFICATIONS
from shared.observability.tracing import tracer
from shared.privacy import Vault
from opentelemetry.trace import SpanKind


class SendInProgress(Exception):
    """Another replica holds the lease; the event is retried later in case it died."""


def notification_id(event_id: str, kind: str, channel: str, recipient_hash: str) -> str:
    return hashlib.sha256(f"{event_id}|{kind}|{channel}|{recipient_hash}".encode()).hexdigest()[:32]


@dataclass
class Request:
    event_id: str
    kind: str
    tracking_id: str | None
    channel: str
    address_enc: str
    address_hash: str
    language: str
    values: dict[str, str]
    source_occurred_at: datetime | None = None


class Dispatcher:
    def __init__(self, repo: NotificationRepository, vault: Vault, providers: dict[str, Provider], lease_s: float) -> None:
        self.repo = repo
        self.vault = vault
        self.providers = providers
        self.lease_s = lease_s

    async def deliver(self, req: Request) -> str:
        """Send once; returns the notification's final or current status."""
        nid = notification_id(req.event_id, req.kind, req.channel, req.address_hash)
        text = templates.render(req.kind, req.language, req.channel, **req.values)
        now = utcnow()
        current = await self.repo.record({
            "_id": nid, "event_id": req.event_id, "kind": req.kind, "tracking_id": req.tracking_id,
            "channel": req.channel, "recipient_hash": req.address_hash, "recipient_enc": req.address_enc,
            "language": req.language, "text": text,
            "subject": templates.subject(req.kind, req.language, **req.values) if req.channel == "email" else None,
            "status": "queued", "attempts": 0, "lease_until": EPOCH, "created_at": now,
            "source_occurred_at": req.source_occurred_at,
        })
        if current["status"] != "queued":
            return current["status"]
        claimed = await self.repo.claim(nid, self.lease_s)
        if claimed is None:
            raise SendInProgress(nid)
        provider = self.providers[req.channel]
        outgoing = Outgoing(nid, req.channel, self.vault.decrypt(req.address_enc), text, claimed.get("subject"))
        try:
            with tracer().start_as_current_span(
                f"notification send {req.channel}", kind=SpanKind.CLIENT,
                attributes={"lapor.channel": req.channel, "lapor.kind": req.kind, "lapor.provider": provider.name,
                            "lapor.tracking_id": req.tracking_id or "", "lapor.notification_id": nid},
            ):
                answer = await provider.send(outgoing)
        except SendError as exc:
            await self.repo.release(nid, str(exc))
            NOTIFICATIONS.labels(req.channel, req.kind, "failed_attempt").inc()
            raise
        sent_at = utcnow()
        await self.repo.mark(nid, "sent", answer, sent_at)
        NOTIFICATIONS.labels(req.channel, req.kind, "sent").inc()
        if req.kind == "ack" and req.source_occurred_at is not None:
            END_TO_END_SECONDS.labels(req.channel).observe((sent_at - req.source_occurred_at).total_seconds())
        return "sent"
