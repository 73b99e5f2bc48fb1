"""Who may make the platform send, and how often (#17, finding 3).

Every accepted report with a phone number or an e-mail address makes the notifier write to
it, and the SMS budget is the nation's. So before a report is accepted on the web, app,
integrator or Open311 channel, two counters are charged, each per hour, in the database (one
atomic upsert each, so every intake replica counts against the same limit):

- the client: the connecting address, or the one a trusted proxy (the portal, an ingress)
  names in ``X-Forwarded-For``; integrators are counted per key already (``integrators.charge``);
- each contact given: its keyed hash, whoever gives it.

Beyond either limit the answer is 429 with ``Retry-After`` (the end of the hour) and the field
at fault; nothing is stored. The SMS channel is bounded per sender in ``api/sms.py``, and the
notifier holds repeated messages to contacts nobody has proved to own (``services.notifier.
contacts``). Addresses are counted by keyed hash only: no IP address or number is stored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request
from pymongo.asynchronous.database import AsyncDatabase

from services.intake.models import ReportIn
from services.intake.repository import SENDING_LIMITS
from services.intake.settings import IntakeSettings, Network
from shared.events import utcnow
from shared.observability.metrics import SENDING_LIMITED
from shared.privacy import Vault
from shared.problems import Problem
from shared.storage.mongo import count_in_window


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The connecting address; behind trusted proxies, the nearest one they did not add."""
    peer = request.client.host if request.client else "unknown"
    hops = [peer, *reversed([h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()])]
    for hop in hops:
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return hop       # not an address (a test client's name): counted as it is
        if not any(address in net for net in trusted):
            return hop
    return hops[-1]


async def charge(db: AsyncDatabase, vault: Vault, settings: IntakeSettings, channel: str, report: ReportIn,
                 client: str | None, fields: tuple[str, str] = ("reporter.phone", "reporter.email")) -> None:
    """Count this submission against its client and each of its contacts; 429 beyond a limit.
    ``fields``: what the channel calls the phone and the e-mail, to name the one at fault."""
    now = utcnow()
    hour = now.strftime("%Y%m%d%H")
    retry_after = str(3600 - now.minute * 60 - now.second)
    counters = db[SENDING_LIMITS]
    if client is not None:
        n = await count_in_window(counters, "client:" + vault.lookup_hash(client), hour)
        if n > settings.reports_per_client_hour:
            SENDING_LIMITED.labels(channel, "client").inc()
            raise Problem(429, "Too many reports", f"at most {settings.reports_per_client_hour} reports an hour "
                          "from one connection; try again later", headers={"Retry-After": retry_after})
    reporter = report.reporter
    for field, value in ((fields[0], reporter.phone if reporter else None),
                         (fields[1], reporter.email if reporter else None)):
        if not value:
            continue
        n = await count_in_window(counters, "contact:" + vault.lookup_hash(value), hour)
        if n > settings.reports_per_contact_hour:
            SENDING_LIMITED.labels(channel, "contact").inc()
            raise Problem(429, "Too many reports", f"at most {settings.reports_per_contact_hour} reports an hour "
                          "may give this contact; try again later, or report without it", field=field,
                          headers={"Retry-After": retry_after})
