"""The monthly recap for a regional head: one page of HTML, printable on A4, and the same page
as a PDF (WeasyPrint). Its numbers are SLA's recap (``/v1/sla/recap``), which is built from the
compliance figures; nothing here computes a figure of its own.

The PDF renderer fetches nothing: the stylesheet is inlined, the charts are inline SVG, and
every other URL is refused, so a recap never makes a request outside the platform.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from weasyprint import HTML

from services.web import charts, i18n
from services.web.clients import Directory, Recap
from services.web.pages.command_centre import category_namer
from shared.regions import region_name, timezone_for

CSS = Path(__file__).parent / "static" / "css" / "recap.css"
TEMPLATE = "recap.html"


def month_name(month: str, lang: str) -> str:
    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM y", locale=lang)


def values(recap: Recap, lang: str, directory: Directory | None, pdf: bool) -> dict[str, Any]:
    """What the recap template is drawn from, charts included."""
    i18n.use(lang)
    national = (recap.national or {}).get("on_time_pct")
    agencies = recap.agencies
    return {
        "recap": recap, "lang": lang, "pdf": pdf, "css": CSS.read_text() if pdf else None,
        "place": region_name(recap.region) or recap.region, "zone": timezone_for(recap.region), "month_label": month_name(recap.month, lang),
        "category_name": category_namer(directory), "national_pct": national,
        "trend_svg": charts.series([(m["month"], [m["received"]]) for m in recap.trend],
                                   title=i18n.t(lang, "Reports received per month"),
                                   names=[i18n.t(lang, "Received")], width=640, height=180),
        "agency_svg": charts.hbars([(a["name"] or a["key"], a["on_time_pct"]) for a in agencies[:15]], unit=" %",
                                   max_value=100, norm=national, norm_label=i18n.t(lang, "national"),
                                   title=i18n.t(lang, "First follow-up on time per agency, against the national norm"),
                                   width=640),
    }


def render_html(env: jinja2.Environment, recap: Recap, lang: str, directory: Directory | None, pdf: bool) -> str:
    template = env.get_template(TEMPLATE)
    return template.render(**values(recap, lang, directory, pdf))


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the recap fetches nothing ({url[:40]})")


def to_pdf(html: str) -> bytes:
    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)


async def render_pdf(env: jinja2.Environment, recap: Recap, lang: str, directory: Directory | None) -> bytes:
    html = render_html(env, recap, lang, directory, pdf=True)
    return await asyncio.to_thread(to_pdf, html)   # a second of CPU: off the event loop
