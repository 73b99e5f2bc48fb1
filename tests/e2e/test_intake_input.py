"""Intake under hostile and repeated input: idempotency under concurrency, problem details,
oversized bodies, operator objects, unicode."""

from __future__ import annotations

import asyncio

import httpx

from harness.helpers import report_body
from harness.stack import Stack


async def test_fifty_concurrent_posts_with_one_idempotency_key_create_one_report(stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    body = report_body(title="Lampu jalan mati sebulan")
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as client:
        replies = await asyncio.gather(*(
            client.post("/v1/reports", json=body, headers={"Idempotency-Key": "lampu-jalan-42"}) for _ in range(50)))
        assert {r.status_code for r in replies} == {201}
        answers = {(r.json()["tracking_id"], r.json()["reporter_token"]) for r in replies}
        assert len(answers) == 1                      # everyone got the same report and token
        tid = answers.pop()[0]
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in replies) == 49
        assert await db.reports.count_documents({"title": "Lampu jalan mati sebulan"}) == 1

        other = await client.post("/v1/reports", json=report_body(title="Lain"), headers={"Idempotency-Key": "lampu-jalan-42"})
        assert other.status_code == 409
        assert other.json()["field"] == "Idempotency-Key"
        again = await client.post("/v1/reports", json=body, headers={"Idempotency-Key": "lampu-jalan-42"})
        assert again.status_code == 201 and again.json()["tracking_id"] == tid


async def test_invalid_input_gets_problem_details_naming_the_field(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        cases = {
            "region_code": report_body(region_code="63-03"),
            "reporter.phone": report_body(reporter={"phone": "12"}),
            "title": report_body(title=""),
            "category": report_body(category={"$ne": None}),
            "$where": {**report_body(), "$where": "sleep(1000)"},
        }
        for field, body in cases.items():
            r = await client.post("/v1/reports", json=body)
            assert r.status_code == 422, (field, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            problem = r.json()
            assert problem["field"] == field and field in problem["detail"]
            assert "Traceback" not in r.text
        broken = await client.post("/v1/reports", content=b'{"title": "x", ', headers={"content-type": "application/json"})
        assert broken.status_code == 422 and broken.headers["content-type"].startswith("application/problem+json")


async def test_oversized_and_deeply_nested_bodies_are_refused_and_nothing_is_lost(stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    before = await db.reports.count_documents({})
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        big = await client.post("/v1/reports", json=report_body(body="x" * 200_000))
        assert big.status_code == 413 and big.json()["title"] == "Payload too large"

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(100):
                yield b"x" * 1024

        streamed = await client.post("/v1/reports", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        nested = "[" * 5000 + "]" * 5000
        deep = await client.post("/v1/reports", content=nested.encode(), headers={"content-type": "application/json"})
        assert deep.status_code in (400, 413, 422)
        assert deep.headers["content-type"].startswith("application/problem+json")
        ok = await client.post("/v1/reports", json=report_body())
        assert ok.status_code == 201
    assert await db.reports.count_documents({}) == before + 1


async def test_unicode_and_emoji_are_kept_intact(stack: Stack) -> None:
    text = "Air PDAM keruh 🟤💧 sejak Senin — warga RT 03 terpaksa beli galon; 水 ça marche? ᬅᬓ᭄ᬱᬭ"
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        created = await client.post("/v1/reports", json=report_body(title="Air keruh 💧", body=text, category="water"))
        assert created.status_code == 201
        view = (await client.get(f"/v1/reports/{created.json()['tracking_id']}")).json()
        assert view["body"] == text and view["title"] == "Air keruh 💧"
