"""SLA operator commands.

    python -m services.sla.cli tell-deadlines     # every report with a running clock tells routing its deadline

Run once after upgrading to a version whose inboxes sort by time left: cases opened before it
have no deadline on them. The events go into each report's outbox; the running SLA service's
sweeper publishes them (so this needs no broker), and routing keeps the later of two changes.
"""

from __future__ import annotations

import argparse
import asyncio

from services.sla.clocks import record_current_due
from services.sla.policy import load_book
from services.sla.repository import DeadlineRepository
from services.sla.settings import SlaSettings
from shared.events import utcnow
from shared.storage.mongo import connect


async def tell_deadlines(repo: DeadlineRepository, settings: SlaSettings) -> tuple[int, int]:
    """(reports looked at, events written)."""
    book = load_book(settings.policy_dir, settings.policy_version)
    seen = written = 0
    for tid in await repo.reports_with_running_clocks():
        seen += 1
        written += len(await record_current_due(repo, book, tid, utcnow(), settings.service_name))
    return seen, written


async def _run(args: argparse.Namespace) -> int:
    settings = SlaSettings()
    client, db = connect(settings)
    try:
        seen, written = await tell_deadlines(DeadlineRepository(db, settings.due_shards), settings)
        print(f"{seen} reports with a running clock; {written} deadline events queued for routing")
        return 0
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.sla.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tell-deadlines", help="tell routing the current deadline of every report with a running clock")
    raise SystemExit(asyncio.run(_run(parser.parse_args())))


if __name__ == "__main__":
    main()
