"""SMS out: Kannel's ``sendsms`` HTTP interface, or the console in development."""

from __future__ import annotations

import httpx

from services.notifier.channels.base import Outgoing, SendError
from services.notifier.settings import NotifierSettings
from shared.observability.logging import get_logger
from shared.privacy import mask_phone

log = get_logger(__name__)


class KannelSms:
    """GET /cgi-bin/sendsms?username&password&from&to&text; 202 "0: Accepted for delivery"."""

    name = "kannel"

    def __init__(self, settings: NotifierSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    async def send(self, message: Outgoing) -> str:
        params = {
            "username": self.settings.kannel_username,
            "password": self.settings.kannel_password.get_secret_value(),
            "from": self.settings.sms_sender,
            "to": message.address,
            "text": message.text,
            "charset": "UTF-8",
            "coding": "0" if message.text.isascii() else "2",
        }
        try:
            response = await self.client.get(self.settings.kannel_sendsms_url, params=params,
                                             timeout=self.settings.provider_timeout_s)
        except httpx.HTTPError as exc:
            raise SendError(f"kannel unreachable: {type(exc).__name__}") from exc
        answer = response.text.strip()[:200]
        if response.status_code not in (200, 202):
            raise SendError(f"kannel answered {response.status_code}: {answer}")
        return answer


class ConsoleSms:
    """Development only: the SMS goes to the service log with the number masked."""

    name = "console"

    async def send(self, message: Outgoing) -> str:
        log.info("sms (console provider)", to=mask_phone(message.address), sms_text=message.text,
                 notification_id=message.notification_id)
        return "console: logged"
