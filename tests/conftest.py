"""Shared fixtures: real infrastructure, isolated per stack; the four services as processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from harness.infra import AMQP_PORT, MONGO_PORT, Isolation, port_open
from harness.stack import ServiceProcess, Stack


def _require_infra() -> None:
    missing = [name for name, port in (("FerretDB/MongoDB", MONGO_PORT), ("RabbitMQ", AMQP_PORT)) if not port_open(port)]
    if missing:
        pytest.exit(f"{', '.join(missing)} not reachable on 127.0.0.1: run scripts/setup.sh (make test does)", 2)


@pytest.fixture(scope="session")
def infra_ready() -> None:
    _require_infra()


@pytest.fixture
def isolation(infra_ready: None) -> Iterator[Isolation]:
    iso = Isolation.create()
    yield iso
    iso.drop()


@pytest.fixture(scope="session")
def stack(infra_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One running platform shared by the end-to-end tests that do not break anything."""
    iso = Isolation.create()
    logs = tmp_path_factory.mktemp("stack-logs")
    # every query the shared platform sends is kept by shape: tests/e2e/test_query_plans.py
    s = Stack(iso, logs, LAPOR_QUERY_SHAPES_FILE=str(logs / "query-shapes.jsonl")).start()
    yield s
    s.stop()
    iso.drop()


@pytest.fixture(scope="session")
def web(stack: Stack) -> ServiceProcess:
    """The web portal in front of the shared platform."""
    return stack.start_web()


@pytest.fixture
def make_stack(infra_ready: None, tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    """A private platform (own vhost and database) for tests that kill things."""
    made: list[tuple[Stack, Isolation]] = []

    def factory(**env: str) -> Stack:
        iso = Isolation.create()
        s = Stack(iso, tmp_path / f"logs-{len(made)}", **env)
        made.append((s, iso))
        return s.start()

    yield factory
    for s, iso in made:
        s.stop()
        iso.drop()


@pytest.fixture
async def db_of() -> AsyncIterator[Callable[[Stack], AsyncDatabase]]:
    clients: list[AsyncMongoClient] = []

    def open_db(s: Stack) -> AsyncDatabase:
        client: AsyncMongoClient = AsyncMongoClient(s.iso.mongo_url, tz_aware=True)
        clients.append(client)
        return client[s.iso.mongo_db]

    yield open_db
    for c in clients:
        await c.close()
