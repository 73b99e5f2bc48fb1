"""Alerts to a team chat through its incoming-webhook URL (Slack, Mattermost, Rocket.Chat and
Google Chat all take ``{"text": ...}``)."""

from __future__ import annotations

import httpx

from services.notifier.channels.base import Outgoing, SendError


class ChatWebhook:
    name = "chat-webhook"

    def __init__(self, client: httpx.AsyncClient, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s

    async def send(self, message: Outgoing) -> str:
        text = f"*{message.subject}*\n{message.text}" if message.subject else message.text
        try:
            response = await self.client.post(message.address, json={"text": text}, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise SendError(f"chat webhook unreachable: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SendError(f"chat webhook answered {response.status_code}")
        return f"{response.status_code}"
