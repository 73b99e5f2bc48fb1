"""What #17's guards cost: a webhook POST through the guarded pool (resolve, check every
address, connect to the checked one, read a bounded answer) against plain httpx, and a report's
sending limits (an hourly counter per client and per contact) against the raw database floor.

Both against real parts on loopback: an HTTP receiver in this process (asyncio), FerretDB.
Each figure is the median of 5 rounds; the ratio is to the floor measured in the same run.

    python -m bench.outbound      # writes bench/results/outbound.{json,md} (~1 minute)
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import statistics
import time
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.intake import limits
from services.intake.models import ReportIn
from services.intake.settings import IntakeSettings
from services.notifier.outbound import guarded_client, send_bounded
from shared.privacy import Vault
from harness.infra import ROOT, Isolation

RESULTS = ROOT / "bench" / "results"
POSTS = 400
REPORTS = 300
ROUNDS = 5


async def _receiver() -> tuple[asyncio.AbstractServer, int]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:   # keep-alive: one connection serves a round's requests
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _posts(client: httpx.AsyncClient, url: str, guarded: bool) -> float:
    body = json.dumps({"event_id": "x" * 32, "data": {"tracking_id": "ABCD-EFGHJ", "status": "assigned"}}).encode()
    start = time.perf_counter()
    for _ in range(POSTS):
        if guarded:
            status, _ = await send_bounded(client, client.build_request("POST", url, content=body), 1024)
        else:
            status = (await client.post(url, content=body)).status_code
        assert status == 200
    return (time.perf_counter() - start) / POSTS * 1000


async def webhook_figures() -> dict[str, Any]:
    server, port = await _receiver()
    url = f"http://localhost:{port}/hook"      # a name, so every new connection resolves it
    loopback = [ipaddress.ip_network("127.0.0.0/8")]
    plain, guarded, fresh = [], [], []
    try:
        for _ in range(ROUNDS):
            async with httpx.AsyncClient() as client:
                plain.append(await _posts(client, url, guarded=False))
            async with guarded_client(loopback, 4) as client:
                guarded.append(await _posts(client, url, guarded=True))
            # the worst case: a new connection (and so a resolution and a check) for every POST
            async with guarded_client(loopback, 4) as client:
                client.headers["Connection"] = "close"
                fresh.append(await _posts(client, url, guarded=True))
    finally:
        server.close()
        await server.wait_closed()
    floor = statistics.median(plain)
    return {"posts_per_round": POSTS, "plain_httpx_ms": round(floor, 3),
            "guarded_ms": round(statistics.median(guarded), 3),
            "guarded_new_connection_each_ms": round(statistics.median(fresh), 3),
            "guarded_vs_plain": round(statistics.median(guarded) / floor, 2),
            "guarded_new_connection_vs_plain": round(statistics.median(fresh) / floor, 2)}


async def limit_figures(iso: Isolation) -> dict[str, Any]:
    settings = IntakeSettings(**{**iso.settings().model_dump(), "service_name": "intake",
                                 "sms_callback_token": "bench-" + iso.lookup_key[:24],
                                 "reports_per_client_hour": 10**9, "reports_per_contact_hour": 10**9})
    vault = Vault(iso.data_key, iso.lookup_key)
    client: AsyncMongoClient[Any] = AsyncMongoClient(iso.mongo_url, tz_aware=True)
    db = client[iso.mongo_db]
    report = ReportIn(title="Jalan rusak", body="Jalan berlubang besar di depan pasar, membahayakan pengendara.",
                      reporter={"name": "Warga", "phone": "+6281255501234", "email": "warga@example.id"})
    floor, charged = [], []
    try:
        for r in range(ROUNDS):
            start = time.perf_counter()
            for i in range(REPORTS):   # the floor: the one insert a report needs anyway
                await db.bench_floor.insert_one({"_id": f"{r}-{i}", "title": report.title, "body": report.body})
            floor.append((time.perf_counter() - start) / REPORTS * 1000)
            start = time.perf_counter()
            for i in range(REPORTS):   # a client and two contacts: three counters
                await limits.charge(db, vault, settings, "web", report, f"203.0.113.{i % 250}")
            charged.append((time.perf_counter() - start) / REPORTS * 1000)
    finally:
        await client.close()
    base = statistics.median(floor)
    return {"reports_per_round": REPORTS, "insert_floor_ms": round(base, 3),
            "limits_client_and_two_contacts_ms": round(statistics.median(charged), 3),
            "limits_vs_insert_floor": round(statistics.median(charged) / base, 2)}


async def main() -> None:
    iso = Isolation.create()
    try:
        out = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rounds": ROUNDS,
               "webhook": await webhook_figures(), "limits": await limit_figures(iso)}
    finally:
        iso.drop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "outbound.json").write_text(json.dumps(out, indent=2) + "\n")
    w, lim = out["webhook"], out["limits"]
    (RESULTS / "outbound.md").write_text(f"""## What the sending guards cost ({out['at']})

Median of {ROUNDS} rounds on loopback; floors measured in the same run.

| measure | per item | ÷ floor |
|---|---|---|
| webhook POST, plain httpx (floor) | {w['plain_httpx_ms']} ms | 1.0 |
| webhook POST, guarded pool, bounded read | {w['guarded_ms']} ms | {w['guarded_vs_plain']} |
| the same, a new connection (resolve + check) every POST | {w['guarded_new_connection_each_ms']} ms | {w['guarded_new_connection_vs_plain']} |
| FerretDB insert of a report (floor) | {lim['insert_floor_ms']} ms | 1.0 |
| a report's sending limits: client + phone + e-mail counters | {lim['limits_client_and_two_contacts_ms']} ms | {lim['limits_vs_insert_floor']} |
""")
    print((RESULTS / "outbound.md").read_text())


if __name__ == "__main__":
    asyncio.run(main())
