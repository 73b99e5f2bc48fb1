"""Staff sign-in and sign-out through the OpenID Connect provider (authorization code + PKCE)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.web.auth import SignInFailed
from services.web.context import Ctx
from services.web.pages.home import safe_next
from services.web.security import CSRF_FIELD, check_csrf, cookie
from services.web.sessions import COOKIE, LOGIN_COOKIE
from shared.observability.logging import get_logger

log = get_logger(__name__)
router = APIRouter()


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/staff/login")
async def login(request: Request, web: Ctx, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    target = safe_next(next or "/staff")
    if web.store.get(request.cookies.get(COOKIE)) is not None:
        return RedirectResponse(target, status_code=303)
    pending = web.store.start_login(target)
    url = await web.oidc.login_url(pending, f"{_base(request)}/auth/callback")
    response = RedirectResponse(url, status_code=303)
    # binds the answer to this browser: a callback carrying someone else's state is refused
    response.headers.append("set-cookie", cookie(LOGIN_COOKIE, pending.state, secure=web.settings.secure_cookies,
                                                 max_age=600))
    return response


@router.get("/auth/callback")
async def callback(request: Request, web: Ctx, code: Annotated[str | None, Query(max_length=4096)] = None,
                   state: Annotated[str | None, Query(max_length=200)] = None,
                   error: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    pending = web.store.finish_login(state or "") if state and state == request.cookies.get(LOGIN_COOKIE) else None
    if pending is None or error or not code:
        log.info("staff sign-in refused", reason=error or ("no pending login" if pending is None else "no code"))
        return web.render(request, "error.html", 400, kind="signin_failed")
    try:
        session = await web.oidc.finish(pending, code, f"{_base(request)}/auth/callback")
    except SignInFailed as exc:
        log.warning("staff sign-in failed", reason=str(exc))
        return web.render(request, "error.html", 403, kind="no_role")
    log.info("staff signed in", role=session.role, agency_id=session.agency_id)
    response = RedirectResponse(pending.next_url, status_code=303)
    response.headers.append("set-cookie", cookie(COOKIE, session.id, secure=web.settings.secure_cookies))
    response.headers.append("set-cookie", cookie(LOGIN_COOKIE, "", secure=web.settings.secure_cookies, max_age=0))
    return response


@router.post("/staff/logout")
async def logout(request: Request, web: Ctx) -> Response:
    data = await request.form()
    check_csrf(request, web.key, data.get(CSRF_FIELD))
    session = web.store.end(request.cookies.get(COOKIE) or "")
    after = f"{_base(request)}/staff/signed-out"
    provider = await web.oidc.logout_url(session, after) if session else None
    # a form may only post (and be redirected) within the site (CSP form-action 'self'): the
    # hop to the provider's end-session page starts from a plain GET of our own
    target = f"/staff/signing-out?k={web.store.keep_draft({'url': provider})}" if provider else after
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", cookie(COOKIE, "", secure=web.settings.secure_cookies, max_age=0))
    return response


@router.get("/staff/signing-out")
async def signing_out(request: Request, web: Ctx, k: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    url = web.store.take_draft(k).get("url")
    if not url:
        return RedirectResponse("/staff/signed-out", status_code=303)
    # a page of its own, not a redirect: the browser would count a redirect as part of the form's
    # navigation, which may not leave the site; this one moves on by itself (no script needed)
    return web.render(request, "error.html", kind="signing_out", provider_url=url)


@router.get("/staff/signed-out")
async def signed_out(request: Request, web: Ctx) -> Response:
    return web.render(request, "error.html", kind="signed_out")
