"""Staff sessions, held by the portal: the browser keeps only an opaque random ID in an
HttpOnly cookie; the provider's tokens never reach it.

Kept in this process's memory, bounded and expiring. One replica (or sticky sessions at the
load balancer) until a shared store is chosen; a restart signs staff out, nothing else.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

COOKIE = "lapor_staff"
LOGIN_COOKIE = "lapor_login"


@dataclass
class StaffSession:
    id: str
    subject: str
    name: str
    role: str
    agency_id: str | None
    position: str | None
    access_token: str
    access_expires_at: float
    refresh_token: str | None
    refresh_expires_at: float
    id_token: str | None
    last_seen: float = field(default_factory=time.monotonic)
    # one refresh at a time per session: a refresh token is spent by its use
    refreshing: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"


@dataclass
class PendingLogin:
    state: str
    code_verifier: str
    nonce: str
    next_url: str
    created: float = field(default_factory=time.monotonic)


class Store:
    """Sessions, logins under way and forms kept across a sign-in, each bounded and expiring."""

    def __init__(self, idle_s: float, max_sessions: int = 20_000) -> None:
        self.idle_s, self.max_sessions = idle_s, max_sessions
        self._sessions: OrderedDict[str, StaffSession] = OrderedDict()
        self._logins: OrderedDict[str, PendingLogin] = OrderedDict()
        self._drafts: OrderedDict[str, dict[str, Any]] = OrderedDict()

    # sessions
    def create(self, **values: Any) -> StaffSession:
        session = StaffSession(id=secrets.token_urlsafe(32), **values)
        self._sessions[session.id] = session
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str | None) -> StaffSession | None:
        session = self._sessions.get(session_id or "")
        if session is None:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.idle_s:
            self.end(session.id)
            return None
        session.last_seen = now
        self._sessions.move_to_end(session.id)
        return session

    def end(self, session_id: str) -> StaffSession | None:
        return self._sessions.pop(session_id, None)

    # logins under way (state -> PKCE verifier, nonce, where to go back to)
    def start_login(self, next_url: str) -> PendingLogin:
        login = PendingLogin(secrets.token_urlsafe(24), secrets.token_urlsafe(48), secrets.token_urlsafe(16), next_url)
        self._logins[login.state] = login
        self._expire(self._logins, 600)
        return login

    def finish_login(self, state: str) -> PendingLogin | None:
        self._expire(self._logins, 600)
        return self._logins.pop(state, None)

    # what a user had typed when their sign-in ran out, handed back once after signing in again
    def keep_draft(self, fields: dict[str, Any]) -> str:
        key = secrets.token_urlsafe(16)
        self._drafts[key] = {"at": time.monotonic(), "fields": fields}
        self._expire(self._drafts, 3600, at=lambda d: d["at"])
        return key

    def take_draft(self, key: str | None) -> dict[str, Any]:
        draft = self._drafts.pop(key or "", None)
        return draft["fields"] if draft else {}

    @staticmethod
    def _expire(items: OrderedDict[str, Any], max_age: float, at: Any = None) -> None:
        now = time.monotonic()
        while items:
            first = next(iter(items.values()))
            created = at(first) if at else first.created
            if now - created <= max_age and len(items) <= 10_000:
                break
            items.popitem(last=False)
