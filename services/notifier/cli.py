"""Notifier operator commands: integrators' webhook subscriptions and replays.

    python -m services.notifier.cli webhooks add --integrator kab-banjar --url https://… --events report.assigned.v1
    python -m services.notifier.cli webhooks list [--integrator ID]
    python -m services.notifier.cli webhooks remove SUBSCRIPTION_ID
    python -m services.notifier.cli webhooks deliveries SUBSCRIPTION_ID [--since ISO] [--until ISO]
    python -m services.notifier.cli webhooks replay (--delivery ID | --subscription ID [--since ISO] [--until ISO])

Replays are queued here and sent by the running notifiers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from typing import Any

from services.notifier import subscriptions
from services.notifier.delivery import Dispatcher
from services.notifier.repository import NotificationRepository
from services.notifier.settings import NotifierSettings
from shared.privacy import Vault
from shared.storage.mongo import connect


def _print(obj: Any) -> None:
    print(json.dumps(obj, default=str, ensure_ascii=False))


async def _run(args: argparse.Namespace) -> int:
    settings = NotifierSettings()
    client, db = connect(settings)
    repo = NotificationRepository(db)
    vault = Vault(settings.data_key.get_secret_value(), settings.lookup_key.get_secret_value())
    try:
        if args.action == "add":
            try:
                doc, secret = await subscriptions.create(repo, vault, args.integrator, args.url, args.events.split(","),
                                                         settings.environment, settings.webhook_allow_networks)
            except subscriptions.SubscriptionError as exc:
                print(f"refused: {exc.field}: {exc}", file=sys.stderr)
                return 2
            _print({**subscriptions.public(doc), "secret": secret})
        elif args.action == "list":
            for doc in await repo.subscriptions_of(args.integrator):
                _print(subscriptions.public(doc))
        elif args.action == "remove":
            if not await repo.remove_subscription(args.subscription_id):
                print("no active subscription with this id", file=sys.stderr)
                return 1
            print(f"removed {args.subscription_id}")
        elif args.action == "deliveries":
            for doc in await repo.deliveries(args.subscription_id, args.since, args.until, 1000):
                _print(subscriptions.delivery_view(doc))
        elif args.action == "replay":
            dispatcher = Dispatcher(repo, vault, {}, settings)
            if args.delivery:
                original = await repo.get(args.delivery)
                if original is None or original.get("channel") != "webhook":
                    print("no webhook delivery with this id", file=sys.stderr)
                    return 1
                ids = [await subscriptions.replay(dispatcher, original, attempt_now=False)]
            else:
                ids = await subscriptions.replay_range(repo, dispatcher, args.subscription, args.since, args.until,
                                                       attempt_now=False)
            _print({"queued": ids})
    finally:
        await client.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.notifier.cli")
    top = parser.add_subparsers(dest="group", required=True)
    hooks = top.add_parser("webhooks").add_subparsers(dest="action", required=True)
    add = hooks.add_parser("add")
    add.add_argument("--integrator", required=True)
    add.add_argument("--url", required=True)
    add.add_argument("--events", required=True, help="comma-separated, e.g. report.assigned.v1,report.transitioned.v1")
    hooks.add_parser("list").add_argument("--integrator")
    hooks.add_parser("remove").add_argument("subscription_id")
    deliveries = hooks.add_parser("deliveries")
    deliveries.add_argument("subscription_id")
    replay = hooks.add_parser("replay")
    one = replay.add_mutually_exclusive_group(required=True)
    one.add_argument("--delivery")
    one.add_argument("--subscription")
    for p in (deliveries, replay):
        p.add_argument("--since", type=datetime.fromisoformat)
        p.add_argument("--until", type=datetime.fromisoformat)
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
