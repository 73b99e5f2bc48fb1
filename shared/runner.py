"""Run a service under uvicorn with the project's logging (``python -m services.<name>``)."""

from __future__ import annotations

from typing import Protocol

import uvicorn


class Listens(Protocol):
    host: str
    port: int


def serve(factory: str, settings: Listens) -> None:
    uvicorn.run(
        factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,  # our structlog pipeline formats uvicorn's lines too
        access_log=False,
        loop="uvloop",
        timeout_graceful_shutdown=15,
        proxy_headers=False,
    )
