"""Small helpers the end-to-end tests and the benchmarks share: report bodies, fast retries, a publisher."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

_phones = itertools.count(1000)


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Jalan rusak di depan pasar",
        "body": "Jalan berlubang besar di depan Pasar Martapura, membahayakan pengendara motor.",
        "category": "infrastructure",
        "region_code": "63.03",
        "reporter": {"name": "Siti Aminah", "phone": f"+62812555{next(_phones):04d}"},
    }
    body.update(overrides)
    return body


# the notifier's retries and circuits on a test's time scale
FAST_RETRY = {"LAPOR_RETRY_BASE_S": "0.3", "LAPOR_RETRY_MAX_DELAY_S": "1", "LAPOR_RETRY_INTERVAL_S": "0.2",
              "LAPOR_BREAKER_THRESHOLD": "3", "LAPOR_BREAKER_COOLDOWN_S": "1"}


@asynccontextmanager
async def broker_of(stack: Any) -> AsyncIterator[Any]:
    """A connected publisher on the stack's broker, closed afterwards."""
    from shared.messaging.broker import Broker

    broker = Broker(stack.iso.settings())
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.close()
