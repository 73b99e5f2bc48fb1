from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class SendError(Exception):
    """The provider refused or could not be reached; the send may be retried."""


class Undeliverable(SendError):
    """No retry can help (the recipient is gone): the notification fails at once."""


@dataclass
class Outgoing:
    notification_id: str
    channel: str
    address: str
    text: str
    subject: str | None = None
    record: dict[str, Any] | None = None   # the stored notification (webhooks read their event from it)


class Provider(Protocol):
    name: str

    async def send(self, message: Outgoing) -> str: ...
