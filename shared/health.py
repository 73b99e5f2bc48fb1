"""Liveness, readiness and metrics endpoints, the same in every service."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.problems import problem_response

health_router = APIRouter(tags=["health"])


@health_router.get("/health/live")
async def live() -> dict[str, str]:
    """The process answers; says nothing about its dependencies."""
    return {"status": "ok"}


@health_router.get("/health/ready", response_model=None)
async def ready(request: Request) -> dict[str, object] | Response:
    """Ready when the database answers a ping and the broker connection is open."""
    runtime = getattr(request.app.state, "runtime", None)
    checks = {"database": False, "broker": False}
    if runtime is not None:
        try:
            await asyncio.wait_for(runtime.db.command("ping"), timeout=2)
            checks["database"] = True
        except Exception:
            pass
        checks["broker"] = runtime.broker.is_ready
    if all(checks.values()):
        return {"status": "ready", "checks": checks}
    failing = ", ".join(k for k, ok in checks.items() if not ok)
    return problem_response(503, "Not ready", f"unreachable: {failing}", checks=checks)


@health_router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
