"""Exactly-once delivery of one notification, with retries that do not hold up anything else.

A notification's identity is a hash of (event, kind, channel, recipient), so redelivered
events and any number of notifier replicas converge on one record. The record is written
with a retry pointer before the first attempt; sending needs a lease on the record (a
guarded update); the record turns ``sent`` after the provider's answer and the pointer goes.
A failed attempt (provider down, circuit open) leaves the notification ``queued`` with its
pointer moved to the next attempt (exponential back-off, full jitter) and the event is done:
a channel that is down never blocks the others, and its backlog drains from the pointers
once it recovers. After the retry horizon the notification is ``failed``.

The one window left is a crash after the provider accepted and before ``sent`` is written:
the lease then expires and the message is sent again; no provider protocol closes that
window, so the lease is kept longer than any provider call may take.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends

from aiolimiter import AsyncLimiter
from opentelemetry.trace import SpanKind
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from services.notifier import templates
from services.notifier.channels.base import Outgoing, Provider, SendError, Undeliverable
from services.notifier.contacts import REPORTER_KINDS, ContactGate
from services.notifier.repository import NotificationRepository
from services.notifier.settings import NotifierSettings
from shared.events import EPOCH, utcnow
from shared.observability.logging import get_logger
from shared.observability.metrics import END_TO_END_SECONDS, NOTIFICATIONS
from shared.observability.tracing import tracer
from shared.privacy import Vault, scrub
from shared.runtime import Runtime, part_dependency, part_of

log = get_logger(__name__)


def notification_id(event_id: str, kind: str, channel: str, recipient_hash: str) -> str:
    return hashlib.sha256(f"{event_id}|{kind}|{channel}|{recipient_hash}".encode()).hexdigest()[:32]


@dataclass
class Request:
    event_id: str
    kind: str
    tracking_id: str | None
    channel: str
    address_enc: str
    address_hash: str
    language: str
    values: dict[str, str]
    source_occurred_at: datetime | None = None
    body: str | None = None             # a ready text (webhooks: the JSON document), else a template
    extra: dict[str, Any] = field(default_factory=dict)
    subject: str | None = None          # with a ready text: its e-mail subject
    proven: bool = False                # the reporter showed the address is theirs (contacts.py)


def backoff(attempts: int, base_s: float, cap_s: float, rng: random.Random = random.Random()) -> float:
    """Exponential back-off with full jitter: uniform in [0, min(cap, base * 2^(n-1))]."""
    return rng.uniform(0, min(cap_s, base_s * 2 ** max(attempts - 1, 0)))


class Dispatcher:
    def __init__(self, repo: NotificationRepository, vault: Vault, providers: dict[str, Provider],
                 settings: NotifierSettings) -> None:
        self.repo = repo
        self.vault = vault
        self.providers = providers
        self.settings = settings
        self.gate = ContactGate(repo.notifications.database, vault)
        self.breakers = AsyncCircuitBreakerFactory(default_threshold=settings.breaker_threshold,
                                                   default_ttl=settings.breaker_cooldown_s)
        rates = {"sms": settings.rate_sms_per_s, "email": settings.rate_email_per_s, "webhook": settings.rate_webhook_per_s,
                 "chat": settings.rate_webhook_per_s}
        self.trial_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.limiters = {ch: AsyncLimiter(max(rate, 1.0), 1.0) if rate >= 1 else AsyncLimiter(1, 1 / rate)
                         for ch, rate in rates.items()}
        self.channels = tuple(rates)
        # a queued send wakes the retry worker, so it goes out without waiting a round
        self.wakeup = asyncio.Event()

    async def deliver(self, req: Request, attempt_now: bool = True) -> str:
        """Record once, then try at once; returns the notification's status after this try.

        ``attempt_now=False`` only queues it (operator commands): a running notifier sends it.
        """
        nid = notification_id(req.event_id, req.kind, req.channel, req.address_hash)
        if req.body is not None:
            text, subject = req.body, req.subject
        else:
            text = templates.render(req.kind, req.language, req.channel, **req.values)
            subject = templates.subject(req.kind, req.language, **req.values) if req.channel in ("email", "chat") else None
        now = utcnow()
        held, code = await self._gate(req, now)
        if code is not None:
            text = templates.with_confirmation(text, req.language, req.channel,
                                               f"{self.settings.portal_url.rstrip('/')}/k/{code}", req.tracking_id or "")
        doc = {
            "_id": nid, "event_id": req.event_id, "kind": req.kind, "tracking_id": req.tracking_id,
            "channel": req.channel, "recipient_hash": req.address_hash, "recipient_enc": req.address_enc,
            "language": req.language, "text": text, "subject": subject,
            "status": "held" if held else "queued", "attempts": 0, "lease_until": EPOCH, "created_at": now,
            "source_occurred_at": req.source_occurred_at, **req.extra,
        }
        if req.channel == "sms":
            doc["sms"] = templates.sms_segments(text)
        key = lane_key(req.channel, req.address_hash)
        if not held:
            # its retry pointer goes with it: whatever happens next, the retry worker sees it again
            doc.update(retry_at=now, retry_key=key)
        if attempt_now and not held:   # created already claimed for the first try: one write less than claiming after
            doc.update(lease_until=now + timedelta(seconds=self.settings.send_lease_s), attempts=1,
                       retry_at=now + timedelta(seconds=self.settings.send_lease_s))
        current, created = await self.repo.record(doc)
        if created and held:
            NOTIFICATIONS.labels(req.channel, req.kind, "held").inc()
            log.info("notification held: contact not confirmed", notification_id=nid, channel=req.channel,
                     tracking_id=req.tracking_id)
        if current["status"] != "queued":
            return str(current["status"])
        if not created:    # a redelivery of one stored before: point at it again, it may have lost its pointer
            await self.repo.point(nid, now if not attempt_now else now + timedelta(seconds=self.settings.send_lease_s),
                                  key)
        if not attempt_now:
            self.wakeup.set()
            return "queued"
        return await self.attempt(nid, claimed=current if created else None)

    async def _gate(self, req: Request, now: datetime) -> tuple[bool, str | None]:
        """(held, confirmation code): what ``contacts`` decides for a message to a reporter."""
        if req.kind not in REPORTER_KINDS or req.channel not in ("sms", "email"):
            return False, None
        if req.proven:
            if req.kind == "ack":
                await self.gate.prove(req.address_hash, "sms" if req.channel == "sms" else "integrator")
            return False, None
        if await self.gate.proven(req.address_hash):
            return False, None
        if not await self.gate.allows(req.address_hash, req.tracking_id, now):
            return True, None
        return False, await self.gate.code_for(req.address_hash, req.channel, now) if req.kind == "ack" else None

    async def release_held(self, address_hash: str) -> int:
        """A contact was confirmed: its held messages become due. Only pointers are written here;
        the attempt turns a held message of a proved contact into a queued one (so a crash
        between the two leaves nothing held for good)."""
        held = await self.repo.held_for(address_hash)
        for doc in held:
            await self.repo.point(doc["_id"], utcnow(), lane_key(doc["channel"], address_hash))
            self.wakeup.set()
        return len(held)

    async def attempt(self, nid: str, claimed: dict[str, Any] | None = None) -> str:
        """One try under the lease; on failure the pointer moves to the next attempt.
        ``claimed``: the document as created by this process, lease included."""
        claimed = claimed or await self.repo.claim(nid, self.settings.send_lease_s)
        if claimed is None:
            current = await self.repo.get(nid)
            if current is not None and current["status"] == "held" and await self.gate.proven(current["recipient_hash"]):
                if await self.repo.unhold(nid):          # released by a confirmation: now an ordinary send
                    return await self.attempt(nid)
            if current is None or current["status"] != "queued":
                await self.repo.unpoint(nid)             # final (or still held): the pointer is stale
                return str(current["status"]) if current else "missing"
            if current["lease_until"] > utcnow():        # another send holds the lease: look again when it ends
                await self.repo.postpone(nid, current["lease_until"])
            return "queued"
        channel = claimed["channel"]
        provider = self.providers[channel]
        # a circuit per channel, and per subscription for webhooks: one integrator's dead
        # receiver opens its own circuit, not everyone's
        key = lane_key(channel, claimed["recipient_hash"])
        breaker = await self.breakers.get_breaker(key)
        address = claimed["recipient_hash"] if channel == "webhook" else self.vault.decrypt(claimed["recipient_enc"])
        outgoing = Outgoing(nid, channel, address, claimed["text"], claimed.get("subject"), claimed)
        # while the circuit is not closed, one trial at a time: the rest wait for its verdict
        trial = breaker.context.state != "closed"
        if trial and self.trial_locks[key].locked():
            return await self._failed_attempt(claimed, f"circuit open for {channel}")
        try:
            with tracer().start_as_current_span(
                f"notification send {channel}", kind=SpanKind.CLIENT,
                attributes={"lapor.channel": channel, "lapor.kind": claimed["kind"], "lapor.provider": provider.name,
                            "lapor.tracking_id": claimed.get("tracking_id") or "", "lapor.notification_id": nid,
                            "lapor.attempt": claimed["attempts"]},
            ):
                async with self.limiters[channel], (self.trial_locks[key] if trial else nullcontext()):
                    async with breaker:
                        # the whole attempt, however slowly the far side drips its answer
                        async with asyncio.timeout(self.settings.delivery_deadline_s):
                            answer = await provider.send(outgoing)
        except TimeoutError:
            return await self._failed_attempt(claimed, f"no answer within {self.settings.delivery_deadline_s:g} s")
        except (SendError, OpenedState) as exc:
            error = f"circuit open for {channel}" if isinstance(exc, OpenedState) else str(exc)
            return await self._failed_attempt(claimed, error, final=isinstance(exc, Undeliverable))
        sent_at = utcnow()
        await self.repo.mark(nid, "sent", scrub(answer), sent_at)     # its pointer leaves with it
        NOTIFICATIONS.labels(channel, claimed["kind"], "sent").inc()
        if claimed["kind"] == "ack" and claimed.get("source_occurred_at") is not None:
            END_TO_END_SECONDS.labels(channel).observe((sent_at - claimed["source_occurred_at"]).total_seconds())
        return "sent"

    async def _failed_attempt(self, claimed: dict[str, Any], error: str, final: bool = False) -> str:
        # one place for every channel: a provider's words may quote the recipient
        nid, now, error = claimed["_id"], utcnow(), scrub(error)
        NOTIFICATIONS.labels(claimed["channel"], claimed["kind"], "failed_attempt").inc()
        first_failure = claimed.get("first_failure_at") or now
        if final or (now - first_failure).total_seconds() >= self.settings.retry_horizon_s:
            await self.repo.fail(nid, error, now)     # its pointer leaves with it
            NOTIFICATIONS.labels(claimed["channel"], claimed["kind"], "failed").inc()
            log.warning("notification failed for good", notification_id=nid, channel=claimed["channel"], error=error)
            return "failed"
        delay = backoff(claimed["attempts"], self.settings.retry_base_s, self.settings.retry_max_delay_s)
        next_at = now + timedelta(seconds=delay)
        await self.repo.release(nid, error, next_at, first_failure,
                                lane_key(claimed["channel"], claimed["recipient_hash"]))
        log.info("notification send failed; retry scheduled", notification_id=nid, channel=claimed["channel"],
                 attempt=claimed["attempts"], retry_in_s=round(delay, 2), error=error)
        return "queued"


class RetryWorker:
    """Takes notifications whose next attempt is due, in every notifier process.

    A lane per channel, each with its own bound on sends at once, and within a lane a bound
    per recipient key (a webhook subscription): a slow or hostile receiver holds its own few
    slots until its deadline, while SMS, e-mail and other integrators' deliveries keep moving.
    One query a round serves every lane that has room, leaving out full lanes and full keys,
    so a backlog in one never hides another's; the worker never waits for a whole batch, it
    refills as soon as a send ends.
    """

    def __init__(self, dispatcher: Dispatcher, repo: NotificationRepository, every: float,
                 per_lane: int, per_key: int) -> None:
        self.dispatcher = dispatcher
        self.repo = repo
        self.every = every
        self.per_lane = per_lane
        self.per_key = per_key

    async def run(self) -> None:
        running: dict[str, tuple[str, str, asyncio.Task[str]]] = {}   # notification -> (channel, key, its send)
        wakeup = self.dispatcher.wakeup

        def done(_: asyncio.Task[str]) -> None:
            wakeup.set()                                              # a slot is free

        try:
            while True:
                wakeup.clear()        # before reading: a wake-up during this round makes another round
                try:
                    for nid in [n for n, (_, _, task) in running.items() if task.done()]:
                        running.pop(nid)
                    per_lane = Counter(channel for channel, _, _ in running.values())
                    per_key = Counter(key for _, key, _ in running.values())
                    room = {ch: self.per_lane - per_lane[ch] for ch in self.dispatcher.channels}
                    lanes = [ch for ch, n in room.items() if n > 0]
                    wanted = sum(room[ch] for ch in lanes)
                    due = await self.repo.due_pointers(lanes, utcnow(), wanted, busy=list(running),
                                                       full_keys=[k for k, n in per_key.items() if n >= self.per_key]) \
                        if lanes else []
                    random.shuffle(due)      # replicas that read the same pointers spread over them
                    for pointer in due:
                        channel = pointer.get("channel") or ""
                        key = pointer.get("key") or channel
                        if room.get(channel, 0) <= 0 or per_key[key] >= self.per_key:
                            continue
                        room[channel] -= 1
                        per_key[key] += 1
                        task = asyncio.create_task(self._attempt(pointer["_id"]))
                        task.add_done_callback(done)
                        running[pointer["_id"]] = (channel, key, task)
                    if due and len(due) == wanted:
                        continue     # a backlog: keep going without a pause
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # database restarting: next round
                    log.warning("notification retry round failed", error=repr(exc))
                try:
                    await asyncio.wait_for(wakeup.wait(), self.every)
                except TimeoutError:
                    pass
        finally:
            for _, _, task in running.values():
                task.cancel()

    async def _attempt(self, nid: str) -> str:
        try:
            return await self.dispatcher.attempt(nid)
        except Exception as exc:   # the database went away mid-send: the pointer is still there
            log.warning("notification attempt failed", notification_id=nid, error=repr(exc))
            return "queued"


def lane_key(channel: str, recipient_hash: str) -> str:
    """What a circuit and a lane's per-recipient bound are kept for: the subscription for a
    webhook, the channel for the rest (one gateway, one mail server)."""
    return f"webhook:{recipient_hash}" if channel == "webhook" else channel


def dispatcher_of(runtime: Runtime) -> Dispatcher:
    """The notifier's dispatcher (Runtime.parts), made at start-up before the handlers."""
    return part_of(runtime, Dispatcher)


DispatcherDep = Annotated[Dispatcher, Depends(part_dependency(Dispatcher))]
