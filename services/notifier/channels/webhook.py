"""Webhooks to integrators: a signed POST of the event document to the subscription's URL."""

from __future__ import annotations

import httpx

from services.notifier.channels.base import Outgoing, SendError, Undeliverable
from services.notifier.repository import NotificationRepository
from shared import webhooks
from shared.privacy import Vault


class WebhookProvider:
    """2xx is delivered; anything else, or no answer, is retried (back-off up to the horizon).

    The URL and secret are read at send time, so a retry uses a rotated secret or a moved URL.
    """

    name = "webhook"

    def __init__(self, repo: NotificationRepository, vault: Vault, client: httpx.AsyncClient, timeout_s: float) -> None:
        self.repo = repo
        self.vault = vault
        self.client = client
        self.timeout_s = timeout_s

    async def send(self, message: Outgoing) -> str:
        sub = await self.repo.subscription(message.address)
        if sub is None or not sub.get("active"):
            raise Undeliverable("subscription removed")
        body = message.text.encode()
        record = message.record or {}
        headers = {
            "Content-Type": "application/json",
            webhooks.HEADER: webhooks.sign(self.vault.decrypt(sub["secret_enc"]), body),
            "X-Lapor-Event-Id": record.get("source_event_id") or record.get("event_id", ""),
            "X-Lapor-Delivery-Id": message.notification_id,
            "X-Lapor-Event-Type": record.get("event_type", ""),
        }
        if record.get("replay_of"):
            headers["X-Lapor-Replay-Of"] = record["replay_of"]
        try:
            response = await self.client.post(sub["url"], content=body, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise SendError(f"webhook unreachable: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SendError(f"webhook answered {response.status_code}")
        return f"{response.status_code} {response.text[:100]}"
