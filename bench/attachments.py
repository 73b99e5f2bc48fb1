"""What an attachment costs (#16): checking and re-encoding a phone photo against only decoding
it, storing it locally and on S3 against a raw file write, and a whole upload through intake
against a plain JSON report, with intake's resident memory while a 50 MB body is refused.

Real parts on loopback: a four-service stack (FerretDB, RabbitMQ), SeaweedFS's S3 for the S3
figures. Each figure is the median of 5 rounds; each ratio is to the floor of the same run.

    python -m bench.attachments      # writes bench/results/attachments.{json,md} (~2 minutes)
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from shared.attachments import content
from shared.attachments.settings import AttachmentSettings
from shared.attachments.store import LocalStore, S3Store
from harness.helpers import report_body
from harness import files
from harness.infra import ROOT, Isolation, port_open
from harness.stack import Stack

RESULTS = ROOT / "bench" / "results"
ROUNDS = 5
PHOTOS = 10
S3_PORT = int(os.environ.get("LAPOR_TEST_S3_PORT", "8333"))


def _median(f: Any) -> float:
    return statistics.median(f() for _ in range(ROUNDS))


def _timed(fn: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def checking(photo: bytes, folder: Path) -> dict[str, float]:
    path = folder / "photo"
    path.write_bytes(photo)
    limits = content.ImageLimits(50_000_000, 2048, 320)

    def decode_only() -> None:
        with Image.open(io.BytesIO(photo)) as im:
            im.load()

    floor = _median(lambda: _timed(decode_only, PHOTOS))
    full = _median(lambda: _timed(lambda: content.check(path, limits), PHOTOS))
    return {"decode_only_ms": round(floor, 2), "check_and_reencode_ms": round(full, 2), "ratio": round(full / floor, 2)}


async def storing(data: bytes, folder: Path) -> dict[str, Any]:
    def raw_write() -> None:
        with open(folder / f"raw-{uuid.uuid4().hex}", "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    floor = _median(lambda: _timed(raw_write, PHOTOS))
    local = LocalStore(folder / "store")

    async def rounds(store: Any) -> float:
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for _ in range(PHOTOS):
                await store.put(f"attachments/{uuid.uuid4().hex}/original", data, "image/jpeg")
            times.append((time.perf_counter() - start) / PHOTOS * 1000)
        return statistics.median(times)

    out: dict[str, Any] = {"raw_write_ms": round(floor, 2)}
    out["local_put_ms"] = round(await rounds(local), 2)
    out["local_ratio"] = round(out["local_put_ms"] / floor, 2)
    if port_open(S3_PORT):
        s3 = await S3Store(AttachmentSettings(environment="development", attachments_backend="s3",
                                              s3_endpoint_url=f"http://127.0.0.1:{S3_PORT}",
                                              s3_bucket=f"lapor-bench-{uuid.uuid4().hex[:8]}")).start()
        try:
            out["s3_put_ms"] = round(await rounds(s3), 2)
            out["s3_ratio"] = round(out["s3_put_ms"] / floor, 2)
        finally:
            await s3.close()
    else:
        out["s3_put_ms"] = None   # SeaweedFS not running: scripts/setup.sh starts it
    return out


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def through_intake(stack: Stack, photo: bytes) -> dict[str, Any]:
    intake = stack["intake"]
    async with httpx.AsyncClient(base_url=intake.url, timeout=120) as client:
        async def json_reports() -> float:
            start = time.perf_counter()
            for _ in range(PHOTOS):
                assert (await client.post("/v1/reports", json=report_body())).status_code == 201
            return (time.perf_counter() - start) / PHOTOS * 1000

        async def with_photo() -> float:
            body, headers = files.multipart([("p.jpg", photo)], {"report": report_body()})
            start = time.perf_counter()
            for _ in range(PHOTOS):
                assert (await client.post("/v1/reports", content=body, headers=headers)).status_code == 201
            return (time.perf_counter() - start) / PHOTOS * 1000

        await json_reports()
        await with_photo()    # warm: decoders loaded
        floor = statistics.median([await json_reports() for _ in range(ROUNDS)])
        full = statistics.median([await with_photo() for _ in range(ROUNDS)])
        created = (await client.post("/v1/reports", json=report_body())).json()
    assert intake.proc is not None
    pid = intake.proc.pid
    before = peak = _rss_kib(pid)

    async def sample(_: int) -> None:
        nonlocal peak
        peak = max(peak, _rss_kib(pid))

    head = (f'--{files.BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
            .encode() + b"\xff\xd8\xff\xe0")
    filler = os.urandom(256 * 1024)
    status, _, sent = await files.stream_upload(
        intake.port, f"/v1/reports/{created['tracking_id']}/attachments",
        {"Content-Type": f"multipart/form-data; boundary={files.BOUNDARY}", "X-Reporter-Token": created["reporter_token"]},
        [head, *([filler] * 200)], on_chunk=sample)
    return {"json_report_ms": round(floor, 2), "report_with_photo_ms": round(full, 2), "ratio": round(full / floor, 2),
            "oversized_status": status, "oversized_bytes_read_before_413": sent,
            "intake_rss_before_kib": before, "intake_rss_peak_kib": peak, "intake_rss_growth_kib": peak - before}


async def main() -> None:
    photo = files.photo_with_gps((4000, 3000))           # 12 megapixels, a phone's photo
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-"))
    results: dict[str, Any] = {"photo": {"pixels": "4000x3000", "bytes": len(photo)}}
    results["check"] = checking(photo, folder)
    stored = content.check(folder / "photo", content.ImageLimits(50_000_000, 2048, 320)).data or b""
    results["store"] = await storing(stored, folder)
    results["store"]["bytes"] = len(stored)
    iso = Isolation.create()
    stack = Stack(iso, folder / "logs").start()
    try:
        results["intake"] = await through_intake(stack, photo)
    finally:
        stack.stop()
        iso.drop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "attachments.json").write_text(json.dumps(results, indent=2) + "\n")
    c, s, i = results["check"], results["store"], results["intake"]
    lines = [
        "# Attachments: what a photo costs", "",
        f"A {results['photo']['pixels']} JPEG of {results['photo']['bytes']:,} bytes with EXIF (GPS, serial); median of "
        f"{ROUNDS} rounds; ratios to the floor of the same run.", "",
        "| step | figure | floor | ratio |", "|---|---|---|---|",
        f"| check, re-encode to 2048 px, thumbnail | {c['check_and_reencode_ms']} ms | decode only {c['decode_only_ms']} ms "
        f"| {c['ratio']}× |",
        f"| store locally ({s['bytes']:,} bytes) | {s['local_put_ms']} ms | raw write + fsync {s['raw_write_ms']} ms "
        f"| {s['local_ratio']}× |",
        f"| store on S3 (SeaweedFS) | {s['s3_put_ms']} ms | raw write + fsync {s['raw_write_ms']} ms "
        f"| {s.get('s3_ratio')}× |",
        f"| report with the photo through intake | {i['report_with_photo_ms']} ms | JSON report {i['json_report_ms']} ms "
        f"| {i['ratio']}× |", "",
        f"A 50 MB upload over the 10 MiB file limit: {i['oversized_status']} after {i['oversized_bytes_read_before_413']:,} "
        f"bytes sent; intake's resident memory {i['intake_rss_before_kib']:,} KiB before, "
        f"{i['intake_rss_peak_kib']:,} KiB at its peak (+{i['intake_rss_growth_kib']:,} KiB).", "",
    ]
    (RESULTS / "attachments.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
