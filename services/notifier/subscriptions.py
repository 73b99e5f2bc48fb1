"""Integrators' webhook subscriptions: create (the secret is shown once), remove, replay."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from services.notifier.delivery import Dispatcher, Request, notification_id
from services.notifier.outbound import DestinationRefused, DestinationUnresolved, Network, resolve
from services.notifier.repository import NotificationRepository
from shared.errors import DomainError, Kind
from shared.events import utcnow
from shared.messaging.topology import SUBSCRIPTIONS
from shared.privacy import Vault

# what an integrator may subscribe to: the report events the notifier sees
EVENTS = ("report.received.v1", "report.assigned.v1", "report.transitioned.v1", "report.attachment_added.v1")


class SubscriptionError(DomainError):
    title = "Invalid subscription"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(Kind.invalid, message, field)


async def check(url: str, events: list[str], environment: str, allow: list[Network]) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise SubscriptionError("url", "an absolute http(s) URL is needed") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SubscriptionError("url", "an absolute http(s) URL is needed")
    if parts.username is not None or parts.password is not None:
        raise SubscriptionError("url", "no credentials in the URL: deliveries are signed instead")
    if parts.scheme != "https" and environment not in ("development", "test"):
        raise SubscriptionError("url", "webhooks go over https only")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise SubscriptionError("events", f"choose from {', '.join(EVENTS)}; unknown: {', '.join(unknown) or 'none given'}")
    assert set(EVENTS) <= set(SUBSCRIPTIONS["notifier"])
    # checked again at every send, on the addresses actually connected to
    try:
        await resolve(parts.hostname, port, allow)
    except DestinationRefused as exc:
        raise SubscriptionError("url", f"not a public address: {exc}") from exc
    except DestinationUnresolved as exc:
        raise SubscriptionError("url", str(exc)) from exc


async def create(repo: NotificationRepository, vault: Vault, integrator_id: str, url: str, events: list[str],
                 environment: str, allow: list[Network]) -> tuple[dict[str, Any], str]:
    await check(url, events, environment, allow)
    secret = "whsec_" + secrets.token_urlsafe(32)
    doc = {"_id": "sub_" + uuid.uuid4().hex[:16], "integrator_id": integrator_id, "url": url, "events": sorted(set(events)),
           "secret_enc": vault.encrypt(secret), "active": True, "created_at": utcnow()}
    await repo.add_subscription(doc)
    return doc, secret


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: doc.get(k) for k in ("integrator_id", "url", "events", "active", "created_at")}}


def delivery_view(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("event_id", "source_event_id", "event_type", "tracking_id", "status", "attempts", "last_error",
            "provider_answer", "created_at", "sent_at", "next_attempt_at", "failed_at", "replay_of")
    return {"id": doc["_id"], "subscription_id": doc.get("recipient_hash"), **{k: doc.get(k) for k in keys}}


async def replay(dispatcher: Dispatcher, original: dict[str, Any], attempt_now: bool = True) -> str:
    """Send a delivery again as a new one (its own log entry), with the same event and body."""
    req = Request(
        event_id=f"{original.get('source_event_id') or original['event_id']}:replay:{uuid.uuid4().hex[:8]}",
        kind="webhook", tracking_id=original.get("tracking_id"), channel="webhook", address_enc="",
        address_hash=original["recipient_hash"], language="id", values={}, body=original["text"],
        extra={"event_type": original.get("event_type"), "integrator_id": original.get("integrator_id"),
               "replay_of": original["_id"], "source_event_id": original.get("source_event_id") or original["event_id"]},
    )
    await dispatcher.deliver(req, attempt_now)
    return notification_id(req.event_id, req.kind, req.channel, req.address_hash)


async def replay_range(repo: NotificationRepository, dispatcher: Dispatcher, subscription_id: str,
                       since: datetime | None, until: datetime | None, limit: int = 1000,
                       attempt_now: bool = True) -> list[str]:
    originals = [d for d in await repo.deliveries(subscription_id, since, until, limit) if not d.get("replay_of")]
    return [await replay(dispatcher, d, attempt_now) for d in originals]
