"""Webhooks to integrators: a signed POST of the event document to the subscription's URL."""

from __future__ import annotations

import httpx

from services.notifier.channels.base import Outgoing, SendError, Undeliverable
from services.notifier.outbound import DestinationRefused, DestinationUnresolved, SubscriptionPools, send_bounded
from services.notifier.repository import NotificationRepository
from shared import webhooks
from shared.privacy import Vault


class WebhookProvider:
    """2xx is delivered; anything else, or no answer, is retried (back-off up to the horizon).

    The URL and secret are read at send time, so a retry uses a rotated secret or a moved URL.
    Each subscription has its own guarded pool (``outbound``): its host is resolved and checked
    at every connection, and only so much of its answer is read.
    """

    name = "webhook"

    def __init__(self, repo: NotificationRepository, vault: Vault, pools: SubscriptionPools, timeout_s: float,
                 max_answer: int) -> None:
        self.repo = repo
        self.vault = vault
        self.pools = pools
        self.timeout_s = timeout_s
        self.max_answer = max_answer

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
        client = self.pools.client(sub["_id"])
        try:
            status, answer = await send_bounded(
                client, client.build_request("POST", sub["url"], content=body, headers=headers, timeout=self.timeout_s),
                self.max_answer)
        except DestinationRefused as exc:   # the name now points inside: no retry may go there
            raise Undeliverable(f"destination refused: {exc}") from exc
        except DestinationUnresolved as exc:
            raise SendError(f"webhook unreachable: {exc}") from exc
        except httpx.HTTPError as exc:
            raise SendError(f"webhook unreachable: {type(exc).__name__}") from exc
        if not 200 <= status < 300:
            raise SendError(f"webhook answered {status}")
        return f"{status} {answer[:100]}"
