"""Routing operator commands.

    python -m services.routing.cli load-directory data/directory/demo.yaml
    python -m services.routing.cli check-directory data/directory/demo.yaml
    python -m services.routing.cli token --role officer --agency kab-banjar.pupr --sub budi   (development)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from shared import directory
from services.routing.settings import RoutingSettings
from shared.auth import STAFF_ROLES, mint_jwt
from shared.storage.mongo import connect


async def _load(path: Path) -> int:
    loaded = directory.load_file(path)
    client, db = connect(RoutingSettings())
    try:
        count = await directory.store(db, loaded)
    finally:
        await client.close()
    print(f"loaded {count} agencies, {len(loaded.categories)} categories (version {loaded.version})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.routing.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("load-directory", "check-directory"):
        sub.add_parser(name).add_argument("path", type=Path)
    token = sub.add_parser("token", help="mint a staff JWT with the configured key (development and tests)")
    token.add_argument("--role", required=True, choices=STAFF_ROLES)
    token.add_argument("--agency")
    token.add_argument("--sub", default="dev-user")
    token.add_argument("--ttl", type=int, default=8 * 3600)
    args = parser.parse_args(argv)
    if args.command == "token":
        settings = RoutingSettings()
        if settings.environment == "production":
            print("refused: production tokens come from the identity provider", file=sys.stderr)
            return 2
        print(mint_jwt(settings, args.sub, args.role, args.agency, args.ttl))
        return 0
    try:
        if args.command == "check-directory":
            loaded = directory.load_file(args.path)
            print(f"ok: {len(loaded.agencies)} agencies, {len(loaded.categories)} categories")
            return 0
        return asyncio.run(_load(args.path))
    except directory.DirectoryError as exc:
        print("directory refused:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
