"""SLA operator commands.

    python -m services.sla.cli tell-deadlines     # every report with a running clock tells routing its deadline
    python -m services.sla.cli rebuild-board      # the command centre's day counts and open cases, from the facts

Run each once after upgrading to the version that brought it: ``tell-deadlines`` when inboxes
began to sort by time left (cases opened before had no deadline on them), ``rebuild-board``
when the command centre came (its counters start empty), and whenever its counts are in doubt.
Both are idempotent: ``rebuild-board`` recounts the day counters from scratch and open cases are
derived from the facts, so a rerun changes nothing. The events go into each report's outbox; the running SLA service's
sweeper publishes them (so this needs no broker), and routing keeps the later of two changes.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.sla.board import BoardRepository
from services.sla.clocks import current_clock, record_current_due
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


# the facts a step leaves, and the command-centre count it stands for
FACT_STEPS = (("received_at", "received"), ("verified_at", "verified"), ("assigned_at", "assigned"),
              ("first_response_at", "in_progress"), ("resolved_at", "resolved"))


async def rebuild_board(db: AsyncDatabase, repo: DeadlineRepository, settings: SlaSettings) -> int:
    """Count every report's past steps on their days and mirror the open ones; returns reports seen."""
    book = load_book(settings.policy_dir, settings.policy_version)
    board = BoardRepository(db)
    # counted from scratch: sealed days have no markers left to keep a recount from adding twice
    await board.daily.delete_many({})
    seen = 0
    async for facts in repo.reports.find({}, {"outbox": 0}):
        seen += 1
        for field, stat in FACT_STEPS:
            if facts.get(field):
                await board.count(facts["_id"], [stat], facts[field], facts)
        await board.mirror(facts["_id"], facts, current_clock(await repo.for_report(facts["_id"]), book))
    await board.seal_days_before((utcnow() - timedelta(days=settings.board_marker_days)).date().isoformat())
    return seen


async def _run(args: argparse.Namespace) -> int:
    settings = SlaSettings()
    client, db = connect(settings)
    repo = DeadlineRepository(db, settings.due_shards, leave_to_sweeper=True)
    try:
        if args.command == "rebuild-board":
            print(f"{await rebuild_board(db, repo, settings)} reports counted into the command centre's figures")
            return 0
        seen, written = await tell_deadlines(repo, settings)
        print(f"{seen} reports with a running clock; {written} deadline events queued for routing")
        return 0
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.sla.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tell-deadlines", help="tell routing the current deadline of every report with a running clock")
    sub.add_parser("rebuild-board", help="recount the command centre's day figures and open cases from the facts")
    raise SystemExit(asyncio.run(_run(parser.parse_args())))


if __name__ == "__main__":
    main()
