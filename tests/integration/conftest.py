from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging.broker import Broker
from shared.settings import CommonSettings
from shared.storage.mongo import connect
from harness.infra import Isolation


@pytest.fixture
def settings(isolation: Isolation) -> CommonSettings:
    return isolation.settings(outbox_grace_s=0.0, retry_delays_ms=[100, 200], max_attempts=3)


@pytest.fixture
async def db(settings: CommonSettings) -> AsyncIterator[AsyncDatabase]:
    client, database = connect(settings)
    yield database
    await client.close()


@pytest.fixture
async def broker(settings: CommonSettings) -> AsyncIterator[Broker]:
    b = Broker(settings)
    await b.connect()
    yield b
    await b.close()
