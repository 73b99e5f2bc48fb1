"""Run a service under uvicorn with the project's logging (``python -m services.<name>``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import uvicorn


class Listens(Protocol):
    host: str
    port: int


def serve(factory: str, settings: Listens, forwarded_allow_ips: Sequence[object] = ()) -> None:
    """``forwarded_allow_ips``: the proxies in front (an ingress controller) whose
    X-Forwarded-For and X-Forwarded-Proto are believed, so that the request's client is the
    visitor and its URL https behind TLS termination; none by default."""
    trusted = [str(network) for network in forwarded_allow_ips]
    uvicorn.run(
        factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,  # our structlog pipeline formats uvicorn's lines too
        access_log=False,
        loop="uvloop",
        timeout_graceful_shutdown=15,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )
