"""Alerts to a team chat through its incoming-webhook URL (Slack, Mattermost, Rocket.Chat and
Google Chat all take ``{"text": ...}``)."""

from __future__ import annotations

import httpx

from services.notifier.channels.base import Outgoing, SendError
from services.notifier.outbound import send_bounded


class ChatWebhook:
    """The URLs come from the operators' directory, not from integrators: trusted, so not
    guarded; still a pool of its own and a bounded answer."""

    name = "chat-webhook"

    def __init__(self, client: httpx.AsyncClient, timeout_s: float, max_answer: int) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.max_answer = max_answer

    async def send(self, message: Outgoing) -> str:
        text = f"*{message.subject}*\n{message.text}" if message.subject else message.text
        try:
            status, _ = await send_bounded(
                self.client, self.client.build_request("POST", message.address, json={"text": text},
                                                       timeout=self.timeout_s), self.max_answer)
        except httpx.HTTPError as exc:
            raise SendError(f"chat webhook unreachable: {type(exc).__name__}") from exc
        if not 200 <= status < 300:
            raise SendError(f"chat webhook answered {status}")
        return f"{status}"
