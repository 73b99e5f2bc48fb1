"""Bearer tokens checked against a real JWKS endpoint that is slow, silent or rotating: the
key fetch never freezes a service, is bounded, and a refusal says nothing of why."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.infra import free_port
from harness.stack import Stack

ISSUER = "https://idp.example.test/realms/lapor"


class Jwks:
    """A JWKS endpoint on 127.0.0.1 that answers only when its gate is open."""

    def __init__(self) -> None:
        self.port = free_port()
        self.gate = asyncio.Event()
        self.asked = asyncio.Event()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/certs"

    def body(self) -> bytes:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return json.dumps({"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}).encode()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        self.asked.set()
        await self.gate.wait()
        body = self.body()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    def token(self, ttl_s: int = 600, **claims: Any) -> str:
        now = int(time.time())
        payload = {"sub": "o1", "role": "officer", "agency_id": "kota-banjarmasin.pupr", "iss": ISSUER, "aud": "lapor",
                   "iat": now, "exp": now + ttl_s, **claims}
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture
async def jwks() -> AsyncIterator[Jwks]:
    idp = Jwks()
    idp.server = await asyncio.start_server(idp._serve, "127.0.0.1", idp.port)
    yield idp
    idp.gate.set()
    idp.server.close()


async def test_a_slow_identity_provider_does_not_freeze_the_service(make_stack, jwks: Jwks) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_JWT_JWKS_URL=jwks.url, LAPOR_JWT_ALGORITHMS='["RS256"]', LAPOR_JWT_ISSUER=ISSUER)
    routing = stack["routing"].url
    async with httpx.AsyncClient(timeout=20) as http:
        inbox = asyncio.create_task(http.get(f"{routing}/v1/cases", headers={"Authorization": f"Bearer {jwks.token()}"}))
        await asyncio.wait_for(jwks.asked.wait(), 10)              # routing is fetching the keys now
        live = await http.get(f"{routing}/health/live", timeout=5)  # and still answers everything else
        assert live.status_code == 200 and not jwks.gate.is_set()
        jwks.gate.set()
        assert (await inbox).status_code == 200
        # a wrong signature, an expired token, garbage: one answer, no reason given away
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = jwt.encode({"sub": "x", "role": "oversight", "iss": ISSUER, "aud": "lapor", "exp": int(time.time()) + 60},
                            other, algorithm="RS256", headers={"kid": jwks.kid})
        for token in (forged, jwks.token(ttl_s=-60), "not.a.token"):
            r = await http.get(f"{routing}/v1/cases", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
            assert r.json()["detail"] == "invalid or expired token", r.text


async def test_a_silent_identity_provider_gets_a_bounded_503(make_stack, jwks: Jwks) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_JWT_JWKS_URL=jwks.url, LAPOR_JWT_ALGORITHMS='["RS256"]', LAPOR_JWT_ISSUER=ISSUER)
    # the client waits 20 s; the fetch's own bound (3 s) answers well before
    async with httpx.AsyncClient(timeout=20) as http:
        r = await http.get(f"{stack['routing'].url}/v1/cases", headers={"Authorization": f"Bearer {jwks.token()}"})
    assert r.status_code == 503 and r.headers.get("Retry-After") and "problem+json" in r.headers["content-type"]

