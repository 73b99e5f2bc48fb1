"""Confirming a phone number or e-mail address: the link an acknowledgement ends with.

The link only shows a question; confirming takes a press of the button (a POST), so a mail
scanner or a link preview that opens the link confirms nothing. What it unlocks: messages
about every report that gives this contact, not only one a day (services.notifier.contacts).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.context import Ctx
from services.web.security import CSRF_FIELD, check_csrf

router = APIRouter()


def _code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


@router.get("/k/{code}")
async def ask(request: Request, web: Ctx, code: str) -> Response:
    return web.render(request, "contact.html", state="ask", code=_code(code))


@router.post("/k/{code}")
async def confirm(request: Request, web: Ctx, code: str) -> Response:
    data = await request.form()
    check_csrf(request, web.key, data.get(CSRF_FIELD))
    channel = await web.notifier.confirm_contact(_code(code))     # ServiceDown: the "down" page, 503
    if channel is None:
        return web.render(request, "contact.html", 404, state="unknown", code=_code(code))
    return web.render(request, "contact.html", state="done", channel=channel, code=_code(code))
