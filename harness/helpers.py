"""Small helpers the end-to-end tests and the benchmarks share: report bodies, a retrying
client, fast retries, a publisher, the environment names of a settings class."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

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


async def submit_reports(urls: list[str], count: int, accepted: list[str], refused: Counter[str], key: str,
                         rate: float | None = None, concurrency: int = 8) -> None:
    """Clients that keep trying, as an app would: the same body and Idempotency-Key on every
    retry, the next attempt on the next of ``urls`` (as behind a load balancer); only a 201
    counts as accepted. With ``rate``, report i is first sent i/rate seconds after the start."""
    sem = asyncio.Semaphore(concurrency)
    start = time.monotonic()

    async def one(i: int) -> None:
        body = report_body()
        if rate:
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        async with sem:
            for attempt in range(120):
                try:
                    async with httpx.AsyncClient(base_url=urls[(i + attempt) % len(urls)], timeout=15) as client:
                        r = await client.post("/v1/reports", json=body, headers={"Idempotency-Key": f"{key}-{i}"})
                    if r.status_code == 201:
                        accepted.append(r.json()["tracking_id"])
                        return
                    refused[f"{r.status_code} {r.text[:120]}"] += 1
                except httpx.HTTPError as exc:
                    refused[type(exc).__name__] += 1
                await asyncio.sleep(0.5)

    await asyncio.gather(*(one(i) for i in range(count)))


def setting_env_names(settings_cls: type[Any]) -> set[str]:
    """The environment variables a pydantic-settings class reads (LAPOR_ prefix or an alias)."""
    names = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"LAPOR_{name.upper()}")
    return names


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
