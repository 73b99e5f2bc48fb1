"""Operator commands shared by all services.

    python -m shared.cli parked list notifier            # what is parked, with the error
    python -m shared.cli parked replay notifier          # send everything back to the queue
    python -m shared.cli parked replay notifier --event-id 71bef5...

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.cli")
    sub = parser.add_subparsers(dest="group", required=True)
    p = sub.add_parser("parked", help="inspect and replay parked messages")
    p.add_argument("action", choices=["list", "replay"])
    p.add_argument("consumer", choices=sorted(SUBSCRIPTIONS))
    p.add_argument("--event-id")
    p.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args(argv)
    return asyncio.run(parked(args.action, args.consumer, args.event_id, args.limit))


if __name__ == "__main__":
    sys.exit(main())
