"""Operator commands shared by all services.

    python -m shared.cli parked list notifier            # what is parked, with the error
    python -m shared.cli parked replay notifier          # send everything back to the queue
    python -m shared.cli parked replay notifier --event-id 71bef5...
    python -m shared.cli rotate-data-key                  # re-encrypt every *_enc field, in every collection and
                                                          # outbox, with the first key (keep the old key until
                                                          # the queues are drained: events in flight hold it)

Connection settings come from the same ``LAPOR_*`` variables as the services.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import aio_pika

from shared.messaging.broker import Broker
from shared.messaging.topology import SUBSCRIPTIONS, queue_names
from shared.settings import CommonSettings


def _describe(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    headers = message.headers or {}
    try:
        body = json.loads(message.body)
        event = {"event_id": body.get("event_id"), "type": body.get("type"), "version": body.get("version"),
                 "correlation_id": body.get("correlation_id")}
    except ValueError:
        event = {"event_id": None, "type": None}
    return {**event, "attempts": headers.get("x-attempt"), "error": headers.get("x-error"),
            "parked_at": headers.get("x-parked-at"),
            "deaths": [str(d.get("reason")) for d in headers.get("x-death", []) or [] if isinstance(d, dict)]}


async def parked(action: str, consumer: str, event_id: str | None, limit: int) -> int:
    settings = CommonSettings(service_name="lapor-cli")
    broker = Broker(settings)
    await broker.connect(attempts=3)
    names = queue_names(consumer)
    assert broker.connection is not None
    channel = await broker.connection.channel()
    queue = await channel.declare_queue(names.parked, passive=True)
    held: list[aio_pika.abc.AbstractIncomingMessage] = []
    replayed = 0
    try:
        for _ in range(limit):
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            info = _describe(message)
            if action == "list":
                print(json.dumps(info, default=str))
                held.append(message)
            elif event_id is None or info["event_id"] == event_id:
                headers = {k: v for k, v in (message.headers or {}).items()
                           if k not in ("x-error", "x-attempt", "x-death", "x-parked-at", "x-first-death-reason",
                                        "x-first-death-queue", "x-first-death-exchange", "x-last-death-reason",
                                        "x-last-death-queue", "x-last-death-exchange", "x-delivery-count")}
                headers["x-replayed"] = True
                await broker.send_to_queue(names.main, message.body, headers)
                await message.ack()
                replayed += 1
                print(json.dumps({"replayed": info["event_id"], "type": info["type"]}))
            else:
                held.append(message)
    finally:
        for message in held:  # back into the parking queue, untouched
            await message.nack(requeue=True)
        await broker.close()
    if action == "replay":
        print(f"replayed {replayed} message(s) to {names.main}", file=sys.stderr)
    else:
        print(f"{len(held)} parked message(s) in {names.parked}", file=sys.stderr)
    return 0


# Every collection is walked: a secret stored where no list names it (the idempotency records'
# tokens, an event still waiting in an outbox) would otherwise stay under the old key.
def _rotate(value: Any, vault: Any, key: str = "") -> tuple[Any, int]:
    """The value with every *_enc string re-encrypted, and how many there were."""
    if isinstance(value, dict):
        out, n = {}, 0
        for k, v in value.items():
            out[k], m = _rotate(v, vault, k)
            n += m
        return out, n
    if isinstance(value, list):
        pairs = [_rotate(v, vault, key) for v in value]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    if key.endswith("_enc") and isinstance(value, str) and value:
        return vault.rotate(value), 1
    return value, 0


async def _rotate_document(collection: Any, doc: dict[str, Any], vault: Any) -> int:
    """Re-encrypt one document's secrets, its outbox's events included. The update is guarded
    on the outbox as read: a relay that published (and removed) an event meanwhile must not see
    it come back, so a lost race re-reads the document and tries again."""
    for _ in range(5):
        rotated, n = _rotate({k: v for k, v in doc.items() if k != "_id"}, vault)
        if not n:
            return 0
        guard = {"_id": doc["_id"], "outbox": doc.get("outbox")} if "outbox" in doc else {"_id": doc["_id"]}
        if (await collection.update_one(guard, {"$set": rotated})).matched_count:
            return n
        fresh = await collection.find_one({"_id": doc["_id"]})
        if fresh is None:
            return 0
        doc = fresh
    raise RuntimeError(f"{collection.name} {doc['_id']}: its outbox kept changing; run the rotation again")


async def rotate_data_key(batch_report: int = 1000) -> int:
    """After putting a new key first in LAPOR_DATA_KEY (old ones after it): re-encrypt every
    stored secret with the new key, one document update at a time; then the old key can go."""
    from shared.privacy import Vault
    from shared.storage.mongo import connect

    settings = CommonSettings(service_name="lapor-cli")
    vault = Vault(settings.data_key.get_secret_value(), settings.lookup_key.get_secret_value())
    client, db = connect(settings)
    total = 0
    try:
        for name in sorted(await db.list_collection_names()):
            docs = values = 0
            async for doc in db[name].find({}):
                changed = await _rotate_document(db[name], doc, vault)
                if changed:
                    docs, values = docs + 1, values + changed
            total += values
            print(json.dumps({"collection": name, "documents": docs, "values": values}))
    finally:
        await client.close()
    print(f"re-encrypted {total} value(s) with the first data key", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.cli")
    sub = parser.add_subparsers(dest="group", required=True)
    p = sub.add_parser("parked", help="inspect and replay parked messages")
    p.add_argument("action", choices=["list", "replay"])
    p.add_argument("consumer", choices=sorted(SUBSCRIPTIONS))
    p.add_argument("--event-id")
    p.add_argument("--limit", type=int, default=1000)
    sub.add_parser("rotate-data-key", help="re-encrypt stored secrets with the first LAPOR_DATA_KEY")
    args = parser.parse_args(argv)
    if args.group == "rotate-data-key":
        return asyncio.run(rotate_data_key())
    return asyncio.run(parked(args.action, args.consumer, args.event_id, args.limit))


if __name__ == "__main__":
    sys.exit(main())
