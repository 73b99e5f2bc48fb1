"""Who is signed in: the staff session behind the opaque cookie, and a fresh access token for
each call to the case API. A session that has run out sends the user to sign in again, with
what they had typed kept for after."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.web.context import Ctx, WebContext
from services.web.sessions import COOKIE, StaffSession


class SignInRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def require_staff(request: Request, web: Ctx) -> StaffSession:
    session = web.store.get(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired(here(request) if request.method == "GET" else "/staff")
    return session


StaffDep = Annotated[StaffSession, Depends(require_staff)]


async def token_for(web: WebContext, session: StaffSession, request: Request, back_to: str | None = None,
                    draft: dict[str, Any] | None = None) -> str:
    """The access token to call the case API with; a sign-in that ran out ends the session and
    sends the user to the provider, coming back to ``back_to`` with ``draft`` restored."""
    token = await web.oidc.fresh_token(session)
    if token is not None:
        return token
    web.store.end(session.id)
    target = back_to or here(request)
    if draft:
        key = web.store.keep_draft(draft)
        target += ("&" if "?" in target else "?") + f"draft={key}"
    raise SignInRequired(target)
