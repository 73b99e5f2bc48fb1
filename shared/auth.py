"""Authentication shared by the services.

The operator token guards operator endpoints (notifications log, webhooks, parked messages).
Officers, coordinators and oversight readers present bearer JWTs from the identity provider
(OIDC-compatible: issuer, audience, keys or JWKS configurable).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt

from fastapi import Depends, Header

from shared.observability.logging import get_logger
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime
from shared.settings import CommonSettings

log = get_logger(__name__)


async def require_operator(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header(max_length=512)] = None,
) -> None:
    expected = runtime.settings.operator_token.get_secret_value()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Problem(401, "Unauthorized", "an operator bearer token is required",
                      headers={"WWW-Authenticate": "Bearer"})


# ----------------------------------------------------------------------------- staff (JWT)

STAFF_ROLES = ("coordinator", "officer", "oversight")


@dataclass(frozen=True)
class Principal:
    """An officer, coordinator or oversight reader, from a verified bearer JWT."""

    subject: str
    role: str
    agency_id: str | None


class JwksKeys:
    """The identity provider's signing keys by ``kid``, fetched without blocking the event
    loop, bounded in time and cached. A token naming a key not in the cache (the provider
    rotated) fetches again, at most every ``min_refresh_s``; a provider that does not answer
    within ``timeout_s`` gives 503, not a frozen service."""

    def __init__(self, url: str, timeout_s: float = 3.0, ttl_s: float = 600.0, min_refresh_s: float = 30.0) -> None:
        self.url, self.timeout_s, self.ttl_s, self.min_refresh_s = url, timeout_s, ttl_s, min_refresh_s
        self._keys: dict[str, Any] = {}
        self._fetched = -1e9
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> Any:
        if kid in self._keys and time.monotonic() - self._fetched < self.ttl_s:
            return self._keys[kid]
        async with self._lock:   # one fetch at a time; the others use what it brought
            stale = time.monotonic() - self._fetched >= self.ttl_s
            if stale or (kid not in self._keys and time.monotonic() - self._fetched >= self.min_refresh_s):
                await self._fetch()
        if kid not in self._keys:
            raise Problem(401, "Unauthorized", "invalid or expired token",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return self._keys[kid]

    async def _fetch(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=httpx.Timeout(self.timeout_s)) as http:
                response = await asyncio.wait_for(http.get(self.url), self.timeout_s)   # a total bound
                response.raise_for_status()
                keys = response.json()["keys"]
        except (httpx.HTTPError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            log.warning("identity provider keys unavailable", error=type(exc).__name__)
            raise Problem(503, "Service unavailable", "the identity provider is not answering; try again shortly",
                          headers={"Retry-After": "5"}) from exc
        found = {}
        for jwk in keys:
            try:
                found[jwk.get("kid")] = jwt.PyJWK(jwk).key
            except jwt.PyJWTError:
                continue   # an algorithm we do not use (an encryption key, say)
        self._keys, self._fetched = found, time.monotonic()


_jwks: dict[str, JwksKeys] = {}


async def verify_jwt(token: str, settings: CommonSettings) -> Principal:
    """Signature, issuer, audience, expiry and algorithm are all checked (``alg: none`` never
    passes: only the configured algorithms are accepted). Raises Problem(401) otherwise, with
    the same words whatever was wrong: the reason is for the log, not for the caller."""
    try:
        if settings.jwt_jwks_url:
            keys = _jwks.setdefault(settings.jwt_jwks_url, JwksKeys(settings.jwt_jwks_url))
            key: Any = await keys.key(jwt.get_unverified_header(token).get("kid"))
        else:
            key = settings.jwt_key.get_secret_value()
        claims = jwt.decode(token, key, algorithms=settings.jwt_algorithms, audience=settings.jwt_audience,
                            issuer=settings.jwt_issuer, options={"require": ["exp", "iss", "aud", "sub"]})
    except jwt.PyJWTError as exc:
        log.info("bearer token refused", reason=type(exc).__name__)
        raise Problem(401, "Unauthorized", "invalid or expired token",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
    role = claims.get("role")
    if role not in STAFF_ROLES:
        raise Problem(403, "Forbidden", "the token carries no staff role", field="role")
    agency = claims.get("agency_id")
    if role in ("officer", "coordinator") and not agency:
        raise Problem(403, "Forbidden", "an officer's or coordinator's token names their agency", field="agency_id")
    return Principal(str(claims["sub"]), str(role), agency)


def mint_jwt(settings: CommonSettings, subject: str, role: str, agency_id: str | None, ttl_s: int = 8 * 3600,
             **extra: Any) -> str:
    """Development and tests only: production tokens come from the identity provider."""
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
              "iat": now, "exp": now + ttl_s, **({"agency_id": agency_id} if agency_id else {}), **extra}
    return jwt.encode(claims, settings.jwt_key.get_secret_value(), algorithm=settings.jwt_algorithms[0])


async def require_staff(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header(max_length=4096)] = None,
) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Unauthorized", "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    return await verify_jwt(token, runtime.settings)


async def require_reader(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    authorization: Annotated[str | None, Header(max_length=4096)] = None,
) -> Principal:
    """A staff JWT, or the operator token (an operator command reading figures for a report it
    sends, such as the monthly recap). The operator reads as the nation."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Unauthorized", "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    if hmac.compare_digest(token.encode(), runtime.settings.operator_token.get_secret_value().encode()):
        return Principal("operator", "operator", None)
    return await verify_jwt(token, runtime.settings)


def region_allowed(principal: Principal, agency_region: str | None, region: str) -> bool:
    """Oversight, operators and national bodies read every region; regional staff read their
    agency's region and what lies inside it. ``ID`` is the nation."""
    if principal.role in ("oversight", "operator") or not agency_region:
        return True
    return region != "ID" and (region == agency_region or region.startswith(agency_region + "."))
