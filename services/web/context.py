"""What every page handler needs, built once at start-up and reached through ``Annotated``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from services.web import i18n, labels
from services.web.clients import CaseClient, IntakeClient, NotifierClient, RoutingClient, SlaClient
from services.web.auth import OidcClient
from services.web.security import csrf_token
from services.web.sessions import COOKIE as STAFF_COOKIE, Store
from services.web.settings import WebSettings
from shared.regions import region_name

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class WebContext:
    settings: WebSettings
    intake: IntakeClient
    routing: RoutingClient
    sla: SlaClient
    templates: Jinja2Blocks
    cases: CaseClient
    store: Store
    oidc: OidcClient
    notifier: NotifierClient

    @property
    def key(self) -> bytes:
        return self.settings.web_session_key.get_secret_value().encode()

    def lang(self, request: Request) -> str:
        return i18n.pick(request.cookies.get(i18n.COOKIE))

    def render(self, request: Request, name: str, status: int = 200, *, block: str | None = None,
               headers: dict[str, str] | None = None, **values: Any) -> Response:
        """A page (or one block of it, for htmx) in the visitor's language, with its CSRF token."""
        lang = self.lang(request)
        i18n.use(lang)
        staff = self.store.get(request.cookies.get(STAFF_COOKIE))
        context = {"lang": lang, "csrf": csrf_token(request, self.key), "settings": self.settings, "staff": staff,
                   "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""), **values}
        if block is not None:
            return self.templates.TemplateResponse(request, name, context, status_code=status, headers=headers,
                                                   block_name=block)
        return self.templates.TemplateResponse(request, name, context, status_code=status, headers=headers)


def make_templates() -> Jinja2Blocks:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    templates = Jinja2Blocks(env=env)
    # the i18n extension adds this installer to the environment at run time
    install: Callable[..., None] = getattr(env, "install_gettext_callables")
    install(i18n.gettext_, i18n.ngettext_, newstyle=True)
    env.filters["when"] = i18n.when
    env.filters["day"] = i18n.day
    env.filters["number"] = i18n.number
    env.filters["clock"] = i18n.clock
    env.globals["region_name"] = region_name
    env.filters["fromiso"] = lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    env.globals["zone_name"] = i18n.zone_name
    env.globals["labels"] = labels
    return templates


def get_context(request: Request) -> WebContext:
    return request.app.state.web


Ctx = Annotated[WebContext, Depends(get_context)]
