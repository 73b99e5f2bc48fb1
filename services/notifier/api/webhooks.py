"""Webhook subscriptions, their delivery log and replays (operator bearer token)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from services.notifier import subscriptions
from services.notifier.delivery import DispatcherDep
from services.notifier.repository import NotificationRepository
from services.notifier.settings import NotifierSettingsDep
from shared.auth import require_operator
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], dependencies=[Depends(require_operator)])
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    integrator_id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]{1,63}$")
    url: str = Field(max_length=2048)
    events: list[str] = Field(min_length=1, max_length=10)


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subscription_id: str = Field(max_length=64)
    since: datetime | None = None
    until: datetime | None = None


@router.post("/subscriptions", status_code=201)
async def create(body: SubscriptionIn, runtime: RuntimeDep, settings: NotifierSettingsDep) -> dict[str, Any]:
    # a refused URL or event list raises subscriptions.SubscriptionError: answered as a 422 naming the field
    doc, secret = await subscriptions.create(NotificationRepository(runtime.db), runtime.vault, body.integrator_id,
                                             body.url, body.events, settings.environment,
                                             settings.webhook_allow_networks)
    # the secret is shown here once; only its encrypted form is kept
    return {**subscriptions.public(doc), "secret": secret}


@router.get("/subscriptions")
async def list_all(runtime: RuntimeDep, integrator_id: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    docs = await NotificationRepository(runtime.db).subscriptions_of(integrator_id)
    return {"items": [subscriptions.public(d) for d in docs]}


@router.delete("/subscriptions/{subscription_id}", status_code=204)
async def remove(subscription_id: str, runtime: RuntimeDep) -> None:
    if not await NotificationRepository(runtime.db).remove_subscription(subscription_id):
        raise Problem(404, "Not found", "no active subscription with this id")


@router.get("/deliveries")
async def deliveries(runtime: RuntimeDep, subscription_id: Annotated[str, Query(max_length=64)],
                     since: datetime | None = None, until: datetime | None = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    docs = await NotificationRepository(runtime.db).deliveries(subscription_id, since, until, limit)
    return {"items": [subscriptions.delivery_view(d) for d in docs]}


@router.post("/deliveries/{delivery_id}/replay", status_code=202)
async def replay_one(delivery_id: str, runtime: RuntimeDep, dispatcher: DispatcherDep) -> dict[str, Any]:
    original = await NotificationRepository(runtime.db).get(delivery_id)
    if original is None or original.get("channel") != "webhook":
        raise Problem(404, "Not found", "no webhook delivery with this id")
    return {"replays": [await subscriptions.replay(dispatcher, original)]}


@router.post("/replay", status_code=202)
async def replay_range(body: ReplayIn, runtime: RuntimeDep, dispatcher: DispatcherDep) -> dict[str, Any]:
    ids = await subscriptions.replay_range(NotificationRepository(runtime.db), dispatcher, body.subscription_id,
                                           body.since, body.until)
    return {"replays": ids}
