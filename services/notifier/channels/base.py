from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SendError(Exception):
    """The provider refused or could not be reached; the send may be retried."""


@dataclass
class Outgoing:
    notification_id: str
    channel: str
    address: str
    text: str
    subject: str | None = None


class Provider(Protocol):
    name: str

    async def send(self, message: Outgoing) -> str: ...
