"""The SLA worker: finds ladder steps that are due and takes each exactly once.

Each tick walks the due buckets from the cursor to the current minute, reading them by
``_id``. A worker leases a bucket before it works on it (a guarded update with an expiry),
so workers share the load instead of racing; a worker that dies mid-bucket leaves a lease
that expires, and another one takes the bucket over. Exactly-once does not rest on the
lease: each step is an insert keyed by deadline and step (its event rides in that
document's outbox), and the deadline only moves to its next step by a guarded update.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from opentelemetry.trace import SpanKind

from services.sla import ladder
from services.sla.policy import PolicyBook
from services.sla.repository import DeadlineRepository, minute_key, minute_of
from services.sla.settings import SlaSettings
from shared.events import SlaAutoCloseDue, SlaBreached, SlaEscalated, SlaReminder, SlaStep, make_event, utcnow
from shared.observability.logging import get_logger
from shared.observability.metrics import SLA_DUE_LAG, SLA_STEPS
from shared.observability.tracing import tracer

log = get_logger(__name__)

PAYLOAD_OF_STEP: dict[str, type[SlaStep]] = {
    ladder.REMINDER: SlaReminder,
    ladder.BREACH: SlaBreached,
    ladder.PERSISTENT: SlaEscalated,
    ladder.AUTO_CLOSE: SlaAutoCloseDue,
}
# minutes walked in one tick: after a long outage the worker catches up over several ticks
MAX_MINUTES_PER_TICK = 1440
RENEW_EVERY = 50  # items between lease renewals while draining a large bucket


class DueWatcher:
    def __init__(self, repo: DeadlineRepository, book: PolicyBook, settings: SlaSettings) -> None:
        self.repo = repo      # it hands the steps' events to the relay
        self.book = book
        self.settings = settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database restarting: try again next tick
                log.warning("sla tick failed", error=repr(exc))
            await asyncio.sleep(self.settings.watch_interval_s)

    async def due_buckets(self, now: datetime) -> tuple[str, list[tuple[str, list[dict[str, Any]]]]]:
        """The cursor and the buckets from it to now, by minute: what is due, by ``_id`` only."""
        margin = timedelta(seconds=self.settings.watch_margin_s)
        cursor = await self.repo.cursor(now - margin)
        horizon = minute_key(now)
        minutes, minute = [], minute_of(cursor)
        while minute_key(minute) <= horizon and len(minutes) < MAX_MINUTES_PER_TICK:
            key = minute_key(minute)
            found = [b for b in await asyncio.gather(*(self.repo.bucket(bid) for bid in self.repo.bucket_ids(key))) if b]
            minutes.append((key, found))
            minute += timedelta(minutes=1)
        return cursor, minutes

    async def tick(self, now: datetime | None = None) -> int:
        """One pass; returns the steps this worker took."""
        now = now or utcnow()
        cursor, minutes = await self.due_buckets(now)
        safe = minute_key(now - timedelta(seconds=self.settings.watch_margin_s))
        taken, contiguous_clear, seen = 0, True, cursor
        for key, buckets in minutes:
            clear = True
            for bucket in buckets:
                if bucket["lease_until"] > now:
                    clear = False  # another worker has it
                    continue
                leased = await self.repo.lease_bucket(bucket["_id"], self.owner, now, self.settings.watch_lease_s)
                if leased is None:
                    clear = False
                    continue
                drained, n = await self.drain(leased, now)
                taken += n
                if not await self.repo.finish_bucket(leased, self.owner, drained):
                    clear = False
            contiguous_clear = contiguous_clear and clear
            if contiguous_clear and key < safe:
                nxt = minute_key(minute_of(key) + timedelta(minutes=1))
                if await self.repo.move_cursor(seen, nxt):
                    seen = nxt
        return taken

    async def drain(self, bucket: dict[str, Any], now: datetime) -> tuple[bool, int]:
        """Take every due step the bucket points at; drained when nothing in it waits."""
        drained, taken = True, 0
        for i, deadline_id in enumerate(bucket.get("items", [])):
            if i and i % RENEW_EVERY == 0:
                await self.repo.lease_bucket_renew(bucket["_id"], self.owner, utcnow(), self.settings.watch_lease_s)
            doc = await self.repo.get(deadline_id)
            if doc is None or doc.get("status") != "open" or doc.get("next_at") is None:
                continue  # met, paused or closed since: a stale pointer
            if doc["next_at"] > now:
                if minute_key(doc["next_at"]) <= bucket["minute"]:
                    drained = False  # due later this very minute
                continue  # otherwise rescheduled into a later bucket
            taken += await self.take(doc, now)
        return drained, taken

    async def take(self, doc: dict[str, Any], now: datetime) -> int:
        """Take the deadline's current step, then point it at the next one."""
        version = doc["policy_version"]
        policy, calendar = self.book.get(version), self.book.calendar(version)
        all_steps = ladder.steps(doc["stage"], doc["started_at"], doc["due_at"], doc["timezone"], policy, calendar)
        step = next((s for s in all_steps if s.name == doc["next_step"]), None)
        done = [s["step"] for s in doc.get("steps", [])]
        if step is None:
            return 0
        send = ladder.worth_sending(step, all_steps, now)
        with tracer().start_as_current_span(
            f"sla {step.name}", kind=SpanKind.INTERNAL,
            attributes={"lapor.tracking_id": doc["tracking_id"], "lapor.stage": doc["stage"], "lapor.step": step.name,
                        "lapor.sent": send},
        ):
            if send:
                payload = PAYLOAD_OF_STEP[step.name](
                    tracking_id=doc["tracking_id"], stage=doc["stage"], step=step.name, due_at=doc["due_at"],
                    started_at=doc["started_at"], agency_id=doc.get("agency_id"), region_code=doc.get("region_code"),
                    category=doc.get("category"), report_class=doc.get("report_class", "standard"),
                    policy_version=version, overdue_hours=ladder.overdue_hours(doc["due_at"], now), at=now,
                )
                event = make_event(payload, correlation_id=doc["tracking_id"], producer="sla")
                step_id = f"{doc['_id']}:{step.name}"
                await self.repo.record_step({"_id": step_id, "tracking_id": doc["tracking_id"], "stage": doc["stage"],
                                             "step": step.name, "at": now, "due_at": step.at, "worker": self.owner,
                                             "event_id": event.event_id}, [event])
            nxt = ladder.next_step(all_steps, [*done, step.name])
            advanced = await self.repo.advance(doc["_id"], step.name, nxt.name if nxt else None, nxt.at if nxt else None,
                                               {"step": step.name, "at": now, "sent": send, "worker": self.owner})
        if not advanced:
            return 0  # another worker took it after our lease ran out
        if nxt is not None:
            await self.repo.schedule(doc["_id"], nxt.at, now)
        if step.name == ladder.BREACH and doc["stage"] == "first_follow_up":
            # counts against the agency's on-time figure even before it ever answers
            await self.repo.set_facts(doc["tracking_id"], {"fu_due": 1}, first={"fu_on_time": 0})
        SLA_STEPS.labels(doc["stage"], step.name).inc()
        SLA_DUE_LAG.observe(max((now - step.at).total_seconds(), 0))
        log.info("sla step taken", tracking_id=doc["tracking_id"], stage=doc["stage"], step=step.name, sent=send)
        return 1
