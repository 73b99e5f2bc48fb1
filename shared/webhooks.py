"""Signing of integrator webhooks, and its check for receivers.

Header ``X-Lapor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
A receiver recomputes the HMAC over the raw body and refuses a timestamp outside its
tolerance, so a captured delivery cannot be replayed later. The same scheme as Stripe's,
which integrators' frameworks already know how to check.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Lapor-Signature"
TOLERANCE_S = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, tolerance_s: int = TOLERANCE_S, now: float | None = None) -> bool:
    """True only for a well-formed header, a matching HMAC and a fresh timestamp."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)
