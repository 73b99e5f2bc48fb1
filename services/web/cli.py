"""Operator commands of the web portal.

    python -m services.web.cli send-recaps [--month 2026-11] [--heads data/directory/region-heads.yaml]
                                           [--only-on-first-working-day] [--dry-run DIR]

``send-recaps`` renders each region's monthly recap (the PDF of ``/recap/{region}/{month}``)
and mails it to the region's head through the notifier; the notifier sends each (region,
month) once, however often the command runs. Run it daily from cron with
``--only-on-first-working-day``: it then sends only on the month's first working day, for the
month before. It needs ``LAPOR_OPERATOR_TOKEN``, ``LAPOR_SLA_URL`` and ``LAPOR_NOTIFIER_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field

from services.web import recap as sheet
from services.web.clients import RoutingClient, SlaClient
from services.web.context import make_templates
from services.web.settings import WebSettings
from shared.calendar import default_calendar
from shared.regions import region_name

HEADS = Path("data/directory/region-heads.yaml")


class Head(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str = Field(pattern=r"^\d{2}(\.\d{2})?$")
    name: str
    title: str = "Kepala Daerah"
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def load_heads(path: Path) -> list[Head]:
    return [Head(**h) for h in (yaml.safe_load(path.read_text()) or {}).get("heads", [])]


def month_before(day: date) -> str:
    first = day.replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m")


def first_working_day(day: date) -> bool:
    calendar = default_calendar()
    first = day.replace(day=1)
    while not calendar.is_working_day(first):
        first += timedelta(days=1)
    return day == first


async def send_recaps(settings: WebSettings, heads: list[Head], month: str, dry_run: Path | None) -> int:
    if settings.operator_token is None:
        print("set LAPOR_OPERATOR_TOKEN: the recap is read and mailed with the operator token", file=sys.stderr)
        return 2
    token = settings.operator_token.get_secret_value()
    sla = SlaClient(settings.sla_url, settings.api_timeout_s)
    routing = RoutingClient(settings.routing_url, settings.api_timeout_s)
    env = make_templates().env
    failures = 0
    try:
        directory = await routing.directory()
        async with httpx.AsyncClient(base_url=settings.notifier_url, timeout=settings.api_timeout_s) as notifier:
            for head in heads:
                recap = await sla.recap(token, head.region, month)
                pdf = await sheet.render_pdf(env, recap, "id", directory)
                place = region_name(head.region) or head.region
                filename = f"lapor-rekap-{head.region}-{month}.pdf"
                if dry_run:
                    (dry_run / filename).write_bytes(pdf)
                    print(f"{head.region} {month}: {len(pdf)} bytes written to {dry_run / filename}")
                    continue
                body = {
                    "key": f"recap:{head.region}:{month}", "to": head.email,
                    "subject": f"Rekap bulanan LAPOR! {place}, {sheet.month_name(month, 'id')}",
                    "text": (f"Yth. {head.title} {head.name},\n\nTerlampir rekap bulanan pengaduan pelayanan publik "
                             f"LAPOR! untuk {place}, {sheet.month_name(month, 'id')}.\n\nSalam,\nSP4N-LAPOR!"),
                    "attachment": {"filename": filename, "content_type": "application/pdf",
                                   "data_base64": base64.b64encode(pdf).decode()},
                }
                r = await notifier.post("/v1/notifications/email", json=body,
                                        headers={"Authorization": f"Bearer {token}"})
                if r.status_code != 202:
                    failures += 1
                    print(f"{head.region} {month}: the notifier refused ({r.status_code}): {r.text[:200]}", file=sys.stderr)
                    continue
                print(f"{head.region} {month}: {r.json()['status']} ({len(pdf)} bytes)")
    finally:
        await sla.close()
        await routing.close()
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.web.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    send = sub.add_parser("send-recaps", help="mail each region's head the monthly recap (PDF) through the notifier")
    send.add_argument("--month", help="YYYY-MM (default: the month before today, WIB)")
    send.add_argument("--heads", type=Path, default=HEADS, help="YAML list of region heads")
    send.add_argument("--only-on-first-working-day", action="store_true",
                      help="do nothing unless today (WIB) is the month's first working day")
    send.add_argument("--dry-run", type=Path, metavar="DIR", help="write the PDFs into DIR instead of mailing them")
    args = parser.parse_args()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    if args.only_on_first_working_day and not first_working_day(today):
        print(f"{today} is not the month's first working day: nothing sent")
        raise SystemExit(0)
    month = args.month or month_before(today)
    raise SystemExit(asyncio.run(send_recaps(WebSettings(), load_heads(args.heads), month, args.dry_run)))


if __name__ == "__main__":
    main()
