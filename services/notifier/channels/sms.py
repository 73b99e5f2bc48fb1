"""SMS out: Kannel's ``sendsms`` HTTP interface, or the console in development."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from services.notifier import templates
from services.notifier.channels.base import Outgoing, SendError
from services.notifier.outbound import send_bounded
from services.notifier.settings import NotifierSettings
from shared.observability.logging import get_logger
from shared.privacy import mask_phone

log = get_logger(__name__)


def dlr_token(settings: NotifierSettings, notification_id: str) -> str:
    """Only the gateway that got this URL can report on this notification."""
    key = settings.lookup_key.get_secret_value().encode()
    return hmac.new(key, f"dlr|{notification_id}".encode(), hashlib.sha256).hexdigest()[:32]


def dlr_url(settings: NotifierSettings, notification_id: str) -> str:
    return (f"{settings.dlr_base_url.rstrip('/')}/v1/sms/dlr?nid={notification_id}"
            f"&token={dlr_token(settings, notification_id)}")


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
            # 7-bit where GSM-7 can carry the text, else UCS-2; Kannel concatenates long ones
            "coding": "0" if templates.sms_segments(message.text)["encoding"] == "gsm7" else "2",
            "max-messages": "6",
            # delivery reports (delivered 1, failed 2) come back to /v1/sms/dlr, signed per notification
            "dlr-mask": "3",
            "dlr-url": dlr_url(self.settings, message.notification_id) + "&type=%d&answer=%A",
        }
        try:
            status, answer = await send_bounded(
                self.client, self.client.build_request("GET", self.settings.kannel_sendsms_url, params=params,
                                                       timeout=self.settings.provider_timeout_s),
                self.settings.answer_max_bytes)
        except httpx.HTTPError as exc:
            raise SendError(f"kannel unreachable: {type(exc).__name__}") from exc
        answer = answer.strip()[:200]
        if status not in (200, 202):
            raise SendError(f"kannel answered {status}: {answer}")
        return answer


class ConsoleSms:
    """Development only: the SMS goes to the service log with the number masked."""

    name = "console"

    async def send(self, message: Outgoing) -> str:
        log.info("sms (console provider)", to=mask_phone(message.address), sms_text=message.text,
                 notification_id=message.notification_id)
        return "console: logged"
