"""Staff sign-in with OpenID Connect: authorization code flow with PKCE (Authlib), tokens kept
server-side in the session, refreshed before they run out, sign-out at the provider too.

The provider's metadata is read on first use, so the portal starts (and serves citizens)
while the provider is away. The ID token is verified (signature by the provider's JWKS,
issuer, audience, expiry, nonce) before a session is made from its claims.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from authlib.integrations.httpx_client import AsyncOAuth2Client

from services.web.clients import ServiceDown
from services.web.sessions import PendingLogin, StaffSession, Store
from services.web.settings import WebSettings

STAFF_ROLES = ("coordinator", "officer", "oversight")


class SignInFailed(Exception):
    """The provider's answer could not be trusted or carried no staff role: no session."""


class OidcClient:
    def __init__(self, settings: WebSettings, store: Store, timeout: float = 10.0) -> None:
        self.settings, self.store, self.timeout = settings, store, timeout
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None

    def _client(self, redirect_uri: str | None = None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(self.settings.oidc_client_id, self.settings.oidc_client_secret.get_secret_value(),
                                 scope="openid profile email", redirect_uri=redirect_uri,
                                 code_challenge_method="S256", timeout=self.timeout)

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                async with httpx.AsyncClient(timeout=self.timeout) as http:
                    response = await http.get(url)
                    response.raise_for_status()
            except httpx.HTTPError as exc:
                raise ServiceDown("identity provider") from exc
            self._metadata = response.json()
            self._jwks = jwt.PyJWKClient(self._metadata["jwks_uri"], cache_keys=True)
        return self._metadata

    async def login_url(self, login: PendingLogin, redirect_uri: str) -> str:
        meta = await self.metadata()
        async with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(meta["authorization_endpoint"], state=login.state,
                                                     code_verifier=login.code_verifier, nonce=login.nonce)
        return str(url)

    async def finish(self, login: PendingLogin, code: str, redirect_uri: str) -> StaffSession:
        meta = await self.metadata()
        try:
            async with self._client(redirect_uri) as client:
                token = await client.fetch_token(meta["token_endpoint"], grant_type="authorization_code", code=code,
                                                 code_verifier=login.code_verifier)
        except httpx.TransportError as exc:
            raise ServiceDown("identity provider") from exc
        except Exception as exc:  # the provider refused the code (reused, expired, wrong verifier)
            raise SignInFailed(str(exc)) from exc
        claims = await self._verified_id_token(token.get("id_token"), login.nonce)
        role = claims.get("role")
        if role not in STAFF_ROLES or (role != "oversight" and not claims.get("agency_id")):
            raise SignInFailed("this account has no staff role in LAPOR!")
        now = time.time()
        name = claims.get("name") or " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
        return self.store.create(
            subject=str(claims["sub"]), name=name or claims.get("preferred_username") or "",
            role=str(role), agency_id=claims.get("agency_id"), position=claims.get("position"),
            access_token=token["access_token"], access_expires_at=now + float(token.get("expires_in", 60)),
            refresh_token=token.get("refresh_token"),
            refresh_expires_at=now + float(token.get("refresh_expires_in", token.get("expires_in", 60))),
            id_token=token.get("id_token"))

    async def _verified_id_token(self, id_token: str | None, nonce: str) -> dict[str, Any]:
        if not id_token or self._jwks is None:
            raise SignInFailed("no ID token")
        try:
            key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, id_token)).key
            claims = jwt.decode(id_token, key, algorithms=["RS256", "ES256", "PS256"],
                                audience=self.settings.oidc_client_id, issuer=self.settings.oidc_issuer,
                                options={"require": ["exp", "iss", "aud", "sub"]}, leeway=30)
        except jwt.PyJWTError as exc:
            raise SignInFailed(f"ID token refused: {type(exc).__name__}") from exc
        if claims.get("nonce") != nonce:
            raise SignInFailed("ID token nonce does not match")
        return claims

    async def fresh_token(self, session: StaffSession) -> str | None:
        """An access token valid for at least ``staff_token_margin_s``, refreshed if need be; None
        when the sign-in has run out (the user signs in again)."""
        margin = self.settings.staff_token_margin_s
        if session.access_expires_at - time.time() > margin:
            return session.access_token
        async with session.refreshing:
            if session.access_expires_at - time.time() > margin:
                return session.access_token
            if not session.refresh_token or session.refresh_expires_at <= time.time():
                return None
            meta = await self.metadata()
            try:
                async with self._client() as client:
                    token = await client.refresh_token(meta["token_endpoint"], refresh_token=session.refresh_token)
            except httpx.TransportError as exc:
                raise ServiceDown("identity provider") from exc
            except Exception:
                return None   # refused: the provider ended this session
            now = time.time()
            session.access_token = token["access_token"]
            session.access_expires_at = now + float(token.get("expires_in", 60))
            session.refresh_token = token.get("refresh_token", session.refresh_token)
            if token.get("refresh_expires_in"):
                session.refresh_expires_at = now + float(token["refresh_expires_in"])
            return session.access_token

    async def logout_url(self, session: StaffSession, after: str) -> str | None:
        """The provider's end-session address, so that signing out here signs out there too."""
        try:
            meta = await self.metadata()
        except ServiceDown:
            return None
        endpoint = meta.get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"post_logout_redirect_uri": after, "client_id": self.settings.oidc_client_id}
        if session.id_token:
            params["id_token_hint"] = session.id_token
        return f"{endpoint}?{urlencode(params)}"
