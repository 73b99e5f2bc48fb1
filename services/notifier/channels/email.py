"""E-mail out over SMTP (aiosmtplib), or the console in development."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import aiosmtplib

from services.notifier.channels.base import Outgoing, SendError
from services.notifier.settings import NotifierSettings
from shared.observability.logging import get_logger
from shared.privacy import mask_email

log = get_logger(__name__)


class SmtpEmail:
    name = "smtp"

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> str:
        mail = EmailMessage()
        mail["From"] = self.settings.email_from
        mail["To"] = message.address
        mail["Subject"] = message.subject or "SP4N-LAPOR!"
        mail["Message-ID"] = f"<{message.notification_id}@lapor>"
        mail.set_content(message.text)
        for item in (message.record or {}).get("attachments") or []:   # a monthly recap's PDF, say
            maintype, _, subtype = item["content_type"].partition("/")
            mail.add_attachment(base64.b64decode(item["data_base64"]), maintype=maintype, subtype=subtype,
                                filename=item["filename"])
        s = self.settings
        try:
            errors, answer = await aiosmtplib.send(
                mail, hostname=s.smtp_host, port=s.smtp_port, use_tls=s.smtp_tls, start_tls=s.smtp_starttls,
                username=s.smtp_username, password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.provider_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendError(f"smtp: {type(exc).__name__}: {exc}") from exc
        if errors:
            raise SendError(f"smtp refused recipients: {len(errors)}")
        return answer[:200]


class ConsoleEmail:
    name = "console"

    async def send(self, message: Outgoing) -> str:
        log.info("email (console provider)", to=mask_email(message.address), subject=message.subject,
                 notification_id=message.notification_id)
        return "console: logged"
