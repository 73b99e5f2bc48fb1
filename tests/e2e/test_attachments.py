"""Attachments end to end: a phone photo loses its metadata, hostile files are refused, the
limits hold while the body streams, every reader sees exactly the files it may, a crash mid-
upload lists nothing, and the same on the local backend and on a real S3-compatible server."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from shared.auth import mint_jwt
from harness.helpers import report_body
from harness import files
from harness.stack import Stack, wait_until

S3_PORT = int(os.environ.get("LAPOR_TEST_S3_PORT", "8333"))
OTHER_AGENCY = "kota-banjarmasin.dinkes"
SPOOL = Path(tempfile.gettempdir())


def no_metadata(data: bytes) -> None:
    """Read the bytes: no EXIF block (APP1 "Exif"), no XMP, no comment, nothing the phone wrote."""
    assert data[:3] == b"\xff\xd8\xff"
    assert b"Exif\x00\x00" not in data and b"http://ns.adobe.com/xap" not in data
    assert files.SERIAL.encode() not in data and b"Budi" not in data and b"PhoneMaker" not in data
    assert b"<?php" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info


class Readers:
    """Each reader of a report, with the credentials it has."""

    def __init__(self, stack: Stack) -> None:
        self.settings = stack.iso.settings()
        self.intake = httpx.AsyncClient(base_url=stack["intake"].url, timeout=60)
        self.routing = httpx.AsyncClient(base_url=stack["routing"].url, timeout=60)

    def staff(self, role: str, agency: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_jwt(self.settings, 'user-' + role, role, agency)}"}

    async def submit(self, report: dict[str, Any], photos: list[tuple[str, bytes]]) -> httpx.Response:
        body, headers = files.multipart(photos, {"report": report})
        return await self.intake.post("/v1/reports", content=body, headers=headers)

    async def attach(self, tid: str, token: str, photos: list[tuple[str, bytes]]) -> httpx.Response:
        body, headers = files.multipart(photos)
        return await self.intake.post(f"/v1/reports/{tid}/attachments", content=body,
                                      headers={**headers, "X-Reporter-Token": token})

    async def close(self) -> None:
        await self.intake.aclose()
        await self.routing.aclose()


async def photo_journey(stack: Stack, db: Any) -> dict[str, Any]:
    """One report's files through every reader; returns what the test may check further."""
    r = Readers(stack)
    try:
        original = files.photo_with_gps()
        created = await r.submit(report_body(title="Jalan berlubang 🚧 di Martapura"), [("IMG_2041.jpg", original)])
        assert created.status_code == 201, created.text
        tid, token = created.json()["tracking_id"], created.json()["reporter_token"]
        mine = {"X-Reporter-Token": token}

        view = (await r.intake.get(f"/v1/reports/{tid}", headers=mine)).json()
        [photo] = view["attachments"]
        assert photo["kind"] == "image" and photo["by"] == "reporter" and photo["public"] is False
        served = await r.intake.get(photo["url"], headers=mine)
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        no_metadata(served.content)
        shown = Image.open(io.BytesIO(served.content))
        assert max(shown.size) <= 2048 and shown.size[1] > shown.size[0]   # the orientation applied, then dropped
        thumb = await r.intake.get(photo["thumbnail_url"], headers=mine)
        assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.content)).size) <= 320
        no_metadata(thumb.content)

        # the public: nothing until a coordinator lets the photo be public
        assert (await r.intake.get(photo["url"])).status_code == 404
        assert (await r.intake.get(f"/v1/reports/{tid}")).json()["attachments"] == []
        case = await wait_until(lambda: db.cases.find_one({"_id": tid, f"attachments.{photo['id']}": {"$exists": True},
                                                           "agency_id": {"$ne": None}}), message="case lists the photo")
        officer, other = r.staff("officer", case["agency_id"]), r.staff("officer", OTHER_AGENCY)
        coordinator = r.staff("coordinator", case["coordinator_id"])
        staff_copy = await r.routing.get(f"/v1/cases/{tid}/attachments/{photo['id']}", headers=officer)
        assert staff_copy.status_code == 200 and staff_copy.content == served.content
        assert (await r.routing.get(f"/v1/cases/{tid}/attachments/{photo['id']}", headers=other)).status_code == 404
        assert (await r.routing.post(f"/v1/cases/{tid}/attachments/{photo['id']}/visibility", json={"public": True},
                                     headers=officer)).status_code == 403
        made_public = await r.routing.post(f"/v1/cases/{tid}/attachments/{photo['id']}/visibility",
                                           json={"public": True}, headers=coordinator)
        assert made_public.status_code == 200, made_public.text
        await wait_until(lambda: db.reports.find_one({"_id": tid, f"attachments.{photo['id']}.visibility": "public"}),
                         message="intake shows the coordinator's decision")
        public = await r.intake.get(photo["url"])
        assert public.status_code == 200 and public.content == served.content
        open311 = (await r.intake.get(f"/open311/v2/requests/{tid}.json")).json()[0]
        assert open311["media_url"] == f"{stack['intake'].url}{photo['url']}"

        # the agency's "after" photo is public; its PDF is staff's only, as a download
        body, headers = files.multipart([("after.png", files.png())], {"purpose": "resolution"})
        after = await r.routing.post(f"/v1/cases/{tid}/attachments", content=body, headers={**headers, **officer})
        assert after.status_code == 201, after.text
        [after_photo] = after.json()["attachments"]
        assert after_photo["purpose"] == "resolution" and after_photo["visibility"] == "public"
        body, headers = files.multipart([("surat.pdf", files.pdf())])
        letter = (await r.routing.post(f"/v1/cases/{tid}/attachments", content=body,
                                       headers={**headers, **officer})).json()["attachments"][0]
        pdf = await r.routing.get(letter["url"], headers=r.staff("oversight", None))
        assert pdf.status_code == 200 and pdf.headers["content-disposition"].startswith("attachment;")
        assert pdf.content == files.pdf()
        await wait_until(lambda: db.reports.find_one({"_id": tid, f"attachments.{letter['id']}": {"$exists": True},
                                                      f"attachments.{after_photo['id']}": {"$exists": True}}),
                         message="intake lists the agency's files")
        public_view = (await r.intake.get(f"/v1/reports/{tid}")).json()
        assert sorted(a["id"] for a in public_view["attachments"]) == sorted([photo["id"], after_photo["id"]])
        assert (await r.intake.get(f"/v1/reports/{tid}/attachments/{letter['id']}")).status_code == 404
        assert (await r.intake.get(f"/v1/reports/{tid}/attachments/{letter['id']}", headers=mine)).status_code == 404
        return {"tid": tid, "photo": photo, "served": served.content}
    finally:
        await r.close()


async def test_a_photo_loses_its_metadata_and_each_reader_sees_what_it_may(stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    seen = await photo_journey(stack, db)
    stored = next(p for p in stack.iso.attachments_dir.rglob("original") if p.parent.name == seen["photo"]["id"])
    assert stored.read_bytes() == seen["served"]          # what is stored is what is served: no EXIF on disk either
    no_metadata(stored.read_bytes())
    assert not list(stack.iso.attachments_dir.rglob("*.part"))


async def test_a_confidential_reports_photo_never_reaches_the_public(stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    r = Readers(stack)
    try:
        created = await r.submit(report_body(confidential=True, anonymous=True), [("x.jpg", files.photo_with_gps((900, 600)))])
        tid, token = created.json()["tracking_id"], created.json()["reporter_token"]
        [photo] = (await r.intake.get(f"/v1/reports/{tid}", headers={"X-Reporter-Token": token})).json()["attachments"]
        case = await wait_until(lambda: db.cases.find_one({"_id": tid, "agency_id": {"$ne": None}}), message="routed")
        coordinator = r.staff("coordinator", case["coordinator_id"])
        assert (await r.routing.post(f"/v1/cases/{tid}/attachments/{photo['id']}/visibility", json={"public": True},
                                     headers=coordinator)).status_code == 200
        await wait_until(lambda: db.reports.find_one({"_id": tid, f"attachments.{photo['id']}.visibility": "public"}),
                         message="decision reached intake")
        assert (await r.intake.get(photo["url"])).status_code == 404
        assert (await r.intake.get(f"{photo['url']}/thumbnail")).status_code == 404
        assert (await r.intake.get(f"/v1/reports/{tid}")).json()["attachments"] == []
        assert (await r.intake.get(f"/open311/v2/requests/{tid}.json")).json()[0]["media_url"] is None
        assert (await r.routing.get(photo["url"].replace("/v1/reports/", "/v1/cases/"),
                                    headers=r.staff("officer", case["agency_id"]))).status_code == 200
        # a guessed id is a 404 like any other
        assert (await r.intake.get(f"/v1/reports/{tid}/attachments/{uuid.uuid4().hex[:16]}",
                                   headers={"X-Reporter-Token": token})).status_code == 404
    finally:
        await r.close()


@pytest.mark.parametrize("name, data, status", [
    ("photo.jpg", files.php_named_jpg(), 415),
    ("cat.png", files.png_zip_polyglot(), 422),
    ("bomb.png", files.decompression_bomb(), 422),
    ("broken.jpg", files.truncated_jpeg(), 422),
])
async def test_hostile_files_are_refused_and_nothing_is_kept(stack, db_of, name, data, status) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    r = Readers(stack)
    try:
        refused = await r.submit(report_body(), [("ok.png", files.png()), (name, data)])
        assert refused.status_code == status and refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["field"] == "file[1]" and refused.json()["detail"]
        created = await r.intake.post("/v1/reports", json=report_body())
        tid, token = created.json()["tracking_id"], created.json()["reporter_token"]
        later = await r.attach(tid, token, [(name, data)])
        assert later.status_code == status and later.json()["field"] == "file", later.text
        doc = await db.reports.find_one({"_id": tid})
        assert doc["attachments"] == {} and doc["attachment_count"] == 0
    finally:
        await r.close()


async def test_malformed_uploads_get_clear_errors(stack) -> None:  # type: ignore[no-untyped-def]
    r = Readers(stack)
    try:
        created = await r.intake.post("/v1/reports", json=report_body())
        tid, token = created.json()["tracking_id"], created.json()["reporter_token"]
        mine = {"X-Reporter-Token": token}
        cases = {
            "not multipart": ({"Content-Type": "image/jpeg"}, files.png(), 415, "Content-Type"),
            "no files": (*reversed(files.multipart([], {})), 422, "file"),
            "empty file": (*reversed(files.multipart([("a.jpg", b"")])), 422, "file"),
            "an unknown part": (*reversed(files.multipart([], {"shell": "x"})), 422, "shell"),
            "cut off mid-part": ({"Content-Type": f"multipart/form-data; boundary={files.BOUNDARY}"},
                                 files.multipart([("a.png", files.png())])[0][:900], 422, "body"),
            "six files": (*reversed(files.multipart([(f"{i}.png", files.png((8, 8))) for i in range(6)])), 422, "file"),
        }
        for label, (headers, body, status, field) in cases.items():
            got = await r.intake.post(f"/v1/reports/{tid}/attachments", content=body, headers={**headers, **mine})
            assert (got.status_code, got.json().get("field")) == (status, field), (label, got.text)
        bad_report, headers = files.multipart([], {"report": {**report_body(), "title": "x"}})
        got = await r.intake.post("/v1/reports", content=bad_report, headers=headers)
        assert got.status_code == 422 and got.json()["field"] == "title"
        no_report, headers = files.multipart([("a.png", files.png())])
        got = await r.intake.post("/v1/reports", content=no_report, headers=headers)
        assert got.status_code == 422 and got.json()["field"] == "report"
        wrong = await r.attach(tid, "not-the-token", [("a.png", files.png())])
        assert wrong.status_code == 403
        doc = (await r.intake.get(f"/v1/reports/{tid}", headers=mine)).json()
        assert doc["attachments"] == []
    finally:
        await r.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError("no VmRSS")


async def test_an_oversized_upload_is_cut_off_while_the_body_streams(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    intake = stack["intake"]
    assert intake.proc is not None
    r = Readers(stack)
    try:
        created = await r.intake.post("/v1/reports", json=report_body())
        tid, token = created.json()["tracking_id"], created.json()["reporter_token"]
        warm = await r.attach(tid, token, [("warm.jpg", files.photo_with_gps((1600, 1200)))])  # decoders loaded
        assert warm.status_code == 201
        before = rss_kib(intake.proc.pid)
        peak = before
        filler = os.urandom(256 * 1024)
        head = (f'--{files.BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
                .encode() + b"\xff\xd8\xff\xe0")
        fifty_mib = [head, *([filler] * 200)]

        async def sample(_: int) -> None:
            nonlocal peak
            peak = max(peak, rss_kib(intake.proc.pid))  # type: ignore[union-attr]

        headers = {"Content-Type": f"multipart/form-data; boundary={files.BOUNDARY}", "X-Reporter-Token": token}
        status, body, sent = await files.stream_upload(intake.port, f"/v1/reports/{tid}/attachments", headers,
                                                       fifty_mib, on_chunk=sample)
        assert status == 413 and body["field"] == "file" and body["max_bytes"] == 10 * 1024 * 1024
        assert sent < 20 * 1024 * 1024, "the answer came once the file passed its limit, not after the whole body"
        # the 10 MiB it read went to disk: the process grew by far less than what it read
        assert (peak - before) < 8 * 1024, f"intake grew {(peak - before) / 1024:.1f} MiB during the upload"
        # declared too large: refused before a byte of the body is read
        status, body, sent = await files.stream_upload(intake.port, f"/v1/reports/{tid}/attachments", headers,
                                                       fifty_mib, content_length=50 * 1024 * 1024)
        assert status == 413 and body["field"] == "file"
        view = (await r.intake.get(f"/v1/reports/{tid}", headers={"X-Reporter-Token": token})).json()
        assert len(view["attachments"]) == 1       # the warm-up photo only; nothing of the refused ones
    finally:
        await r.close()


async def test_intake_killed_during_an_upload_lists_no_half_attachment(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    intake = stack["intake"]
    r = Readers(stack)
    spools_before = set(SPOOL.glob("lapor-upload-*"))
    try:
        created = await r.intake.post("/v1/reports", json=report_body())
        tid, token = created.json()["tracking_id"], created.json()["reporter_token"]
        document = files.pdf(4 * 1024 * 1024)
        body, headers = files.multipart([("surat.pdf", document)])
        pieces = [body[i:i + 64 * 1024] for i in range(0, len(body), 64 * 1024)]
        half = len(pieces) // 2

        async def partly_on_disk() -> bool:
            spools = [d for d in SPOOL.glob("lapor-upload-*") if d not in spools_before]
            return any(f.stat().st_size > 1024 * 1024 for d in spools for f in d.glob("*.upload"))

        async def kill_halfway(sent: int) -> None:
            if sent >= half * 64 * 1024 and intake.proc is not None and intake.proc.poll() is None:
                await wait_until(partly_on_disk, message="intake spooling the file")
                intake.kill()

        with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
            await files.stream_upload(intake.port, f"/v1/reports/{tid}/attachments",
                                      {**headers, "X-Reporter-Token": token}, pieces, on_chunk=kill_halfway)
        intake.start()
        intake.wait_ready()
        doc = await db.reports.find_one({"_id": tid})
        assert doc["attachments"] == {} and doc["attachment_count"] == 0
        view = (await r.intake.get(f"/v1/reports/{tid}", headers={"X-Reporter-Token": token})).json()
        assert view["attachments"] == []
        again = await r.attach(tid, token, [("surat.pdf", document)])
        assert again.status_code == 201, again.text
        doc = await db.reports.find_one({"_id": tid})
        assert doc["attachment_count"] == 1 and len(doc["attachments"]) == 1
    finally:
        await r.close()
        for left in set(SPOOL.glob("lapor-upload-*")) - spools_before:   # the killed process's spool
            shutil.rmtree(left, ignore_errors=True)


async def test_the_same_journey_on_a_real_s3_compatible_server(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    from aiobotocore.session import get_session

    bucket = f"lapor-test-{uuid.uuid4().hex[:12]}"
    env = {"LAPOR_ATTACHMENTS_BACKEND": "s3", "LAPOR_S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
           "LAPOR_S3_BUCKET": bucket, "LAPOR_S3_ACCESS_KEY": "lapor-test", "LAPOR_S3_SECRET_KEY": "lapor-test-secret"}
    stack: Stack = make_stack(**env)
    db = db_of(stack)
    seen = await photo_journey(stack, db)
    assert not stack.iso.attachments_dir.exists()      # nothing went to the local folder
    async with get_session().create_client("s3", endpoint_url=env["LAPOR_S3_ENDPOINT_URL"], region_name="us-east-1",
                                           aws_access_key_id="lapor-test",
                                           aws_secret_access_key="lapor-test-secret") as s3:
        stored = await s3.get_object(Bucket=bucket, Key=f"attachments/{seen['photo']['id']}/original")
        async with stored["Body"] as stream:
            data = await stream.read()
        assert data == seen["served"]
        no_metadata(data)
        listed = await s3.list_objects_v2(Bucket=bucket)
        # two photos (each with its thumbnail) and a PDF
        assert len(listed["Contents"]) == 5


VAGUE = "Mohon perhatian bapak dan ibu sekalian atas keadaan di lingkungan kami, terima kasih"


async def test_integrators_attach_to_their_own_reports_and_hear_of_files_by_webhook(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.test_integrators import _key
    from tests.e2e.test_notifier import _subscribe
    from harness.peers import HttpPeer

    receiver = HttpPeer(status=200, answer=b"ok").start()
    stack: Stack = make_stack()
    db = db_of(stack)
    r = Readers(stack)
    try:
        bjm, plk = _key(stack, "banjarmasin-app", "63.71"), _key(stack, "palangkaraya-app", "62.71")
        await _subscribe(stack, f"{receiver.url}/hook", ["report.attachment_added.v1"])
        mine, other = {"X-Api-Key": bjm["api_key"]}, {"X-Api-Key": plk["api_key"]}
        created = await r.intake.post("/v1/integrator/reports", headers=mine,
                                      json=report_body(region_code="63.71", category=None, title="Perlu perhatian",
                                                       body=VAGUE, confidential=False))
        tid = created.json()["tracking_id"]
        body, headers = files.multipart([("foto.jpg", files.photo_with_gps((1200, 900)))])
        assert (await r.intake.post(f"/v1/integrator/reports/{tid}/attachments", content=body,
                                    headers={**headers, **other})).status_code == 404
        added = await r.intake.post(f"/v1/integrator/reports/{tid}/attachments", content=body,
                                    headers={**headers, **mine})
        assert added.status_code == 201, added.text
        [photo] = added.json()["attachments"]
        assert photo["url"] == f"/v1/integrator/reports/{tid}/attachments/{photo['id']}"
        fetched = await r.intake.get(photo["url"], headers=mine)
        assert fetched.status_code == 200
        no_metadata(fetched.content)
        assert (await r.intake.get(photo["url"], headers=other)).status_code == 404
        assert (await r.intake.get(f"/v1/reports/{tid}/attachments/{photo['id']}")).status_code == 404

        # the webhook: that a photo came, in the public shape (no hash, no size, no bytes)
        await wait_until(lambda: _arrived(receiver), timeout=60, message="attachment webhook")
        sent = [req for req in receiver.requests if b"report.attachment_added" in req.body]
        doc = json.loads(sent[0].body)
        assert doc["data"]["attachment_id"] == photo["id"] and doc["data"]["kind"] == "image"
        assert doc["data"]["by"] == "reporter" and "sha256" not in sent[0].body.decode() and "size" not in doc["data"]

        # a coordinator lets the photo be public as they verify the report
        case = await wait_until(lambda: db.cases.find_one({"_id": tid, f"attachments.{photo['id']}": {"$exists": True}}),
                                message="case lists the integrator's photo")
        if case["status"] == "assigned":      # the classifier routed it: the agency hands it back to verify
            bounced = await r.routing.post(f"/v1/cases/{tid}/bounce", json={"reason": "bukan wewenang kami"},
                                           headers=r.staff("officer", case["agency_id"]))
            assert bounced.status_code == 200, bounced.text
            case = await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "received"}), message="bounced")
        coordinator = r.staff("coordinator", case["coordinator_id"])
        wrong = await r.routing.post(f"/v1/cases/{tid}/verify", headers=coordinator,
                                     json={"agency_id": "kota-banjarmasin.pupr", "public_attachments": ["nope"]})
        assert wrong.status_code == 422 and wrong.json()["field"] == "public_attachments"
        verified = await r.routing.post(f"/v1/cases/{tid}/verify", headers=coordinator,
                                        json={"agency_id": "kota-banjarmasin.pupr", "public_attachments": [photo["id"]]})
        assert verified.status_code == 200, verified.text
        assert verified.json()["attachments"][0]["visibility"] == "public"
        await wait_until(lambda: db.reports.find_one({"_id": tid, f"attachments.{photo['id']}.visibility": "public"}),
                         message="intake shows the photo public")
        public = await r.intake.get(f"/v1/reports/{tid}/attachments/{photo['id']}")
        assert public.status_code == 200 and public.content == fetched.content
    finally:
        await r.close()
        receiver.stop()


async def _arrived(receiver: Any) -> bool:
    return any(b"report.attachment_added" in req.body for req in receiver.requests)
