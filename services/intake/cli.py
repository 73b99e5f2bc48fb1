"""Intake operator commands: integrators' API keys.

    python -m services.intake.cli keys create --integrator banjarmasin-app --regions 63.71 [--agencies a,b] [--rate 60]
    python -m services.intake.cli keys list
    python -m services.intake.cli keys revoke KEY_ID

The key is printed once at creation; only its hash is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from services.intake import integrators
from services.intake.settings import IntakeSettings
from shared.regions import is_region_code
from shared.storage.mongo import connect


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


async def _run(args: argparse.Namespace) -> int:
    client, db = connect(IntakeSettings())
    try:
        if args.action == "create":
            regions, agencies = _split(args.regions), _split(args.agencies)
            bad = [r for r in regions if not is_region_code(r)]
            if bad or not (regions or agencies):
                print(f"refused: give --regions (Kemendagri codes) and/or --agencies; unknown: {bad}", file=sys.stderr)
                return 2
            doc, key = await integrators.create_key(db, args.integrator, regions, agencies, args.rate, args.note or "",
                                                    args.contacts_verified)
            print(json.dumps({"key_id": doc["_id"], "integrator_id": args.integrator, "regions": regions,
                              "agencies": agencies, "rate_per_minute": args.rate, "api_key": key}))
        elif args.action == "list":
            for doc in await integrators.list_keys(db):
                print(json.dumps({"key_id": doc.pop("_id"), **doc}, default=str))
        elif args.action == "revoke":
            if not await integrators.revoke_key(db, args.key_id):
                print("no active key with this id", file=sys.stderr)
                return 1
            print(f"revoked {args.key_id}")
    finally:
        await client.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.intake.cli")
    keys = parser.add_subparsers(dest="group", required=True).add_parser("keys").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create")
    create.add_argument("--integrator", required=True)
    create.add_argument("--regions", help="comma-separated region codes the key may submit for")
    create.add_argument("--agencies", help="comma-separated agency ids the key may submit for")
    create.add_argument("--rate", type=int, default=60, help="requests a minute")
    create.add_argument("--contacts-verified", action="store_true",
                        help="the integrator proves its users' phone numbers and e-mails (one-time codes)")
    create.add_argument("--note")
    keys.add_parser("list")
    keys.add_parser("revoke").add_argument("key_id")
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
