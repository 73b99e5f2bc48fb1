"""Authentication shared by the services.

The operator token guards operator endpoints (notifications log, webhooks, parked messages).
Officers, coordinators and oversight readers present bearer JWTs from the identity provider
(OIDC-compatible: issuer, audience, keys or JWKS configurable).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Annotated, Any

import jwt

from fastapi import Depends, Header

from shared.problems import Problem
from shared.runtime import Runtime, get_runtime
from shared.settings import CommonSettings


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


_jwks_clients: dict[str, Any] = {}


def verify_jwt(token: str, settings: CommonSettings) -> Principal:
    """Signature, issuer, audience, expiry and algorithm are all checked (``alg: none`` never
    passes: only the configured algorithms are accepted). Raises Problem(401) otherwise."""
    try:
        if settings.jwt_jwks_url:
            client = _jwks_clients.setdefault(settings.jwt_jwks_url, jwt.PyJWKClient(settings.jwt_jwks_url))
            key: Any = client.get_signing_key_from_jwt(token).key
        else:
            key = settings.jwt_key.get_secret_value()
        claims = jwt.decode(token, key, algorithms=settings.jwt_algorithms, audience=settings.jwt_audience,
                            issuer=settings.jwt_issuer, options={"require": ["exp", "iss", "aud", "sub"]})
    except jwt.PyJWTError as exc:
        raise Problem(401, "Unauthorized", f"invalid token: {type(exc).__name__}",
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
    return verify_jwt(token, runtime.settings)


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
    return verify_jwt(token, runtime.settings)


def region_allowed(principal: Principal, agency_region: str | None, region: str) -> bool:
    """Oversight, operators and national bodies read every region; regional staff read their
    agency's region and what lies inside it. ``ID`` is the nation."""
    if principal.role in ("oversight", "operator") or not agency_region:
        return True
    return region != "ID" and (region == agency_region or region.startswith(agency_region + "."))
