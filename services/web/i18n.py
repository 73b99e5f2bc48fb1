"""Indonesian (default) and English: message catalogues, the visitor's choice, dates.

Message ids are English; ``locale/id/LC_MESSAGES/messages.po`` is the Indonesian catalogue
(Babel's PO format, extracted with ``pybabel extract -F babel.cfg``). It is compiled in memory
at start-up, so there is no build step and no compiled file in the tree.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("id", "en")
DEFAULT = "id"
COOKIE = "lapor_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

_current: ContextVar[str] = ContextVar("lang", default=DEFAULT)


@lru_cache(maxsize=None)
def catalog(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()  # English: the message ids themselves
    with po.open("rb") as f:
        messages = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, messages)
    buf.seek(0)
    return Translations(buf)


def pick(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT


def use(lang: str) -> None:
    """The language templates render in from here on (this request's context)."""
    _current.set(lang)


def current() -> str:
    return _current.get()


def gettext_(message: str) -> str:
    return catalog(_current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return catalog(_current.get()).ngettext(singular, plural, n)


def t(lang: str, message: str) -> str:
    """Translate outside a template (form errors, page titles)."""
    return catalog(lang).gettext(message)


def zone_name(tz: str) -> str:
    return ZONE_NAMES.get(tz, tz)


def when(moment: datetime | None, tz: str = "Asia/Jakarta", lang: str | None = None) -> str:
    """'3 Desember 2026 14.05 WITA': the reporter's zone, the page's language."""
    if moment is None:
        return ""
    lang = lang or _current.get()
    text = format_datetime(moment, "d MMMM y, HH:mm", tzinfo=ZoneInfo(tz), locale=lang)
    return f"{text} {zone_name(tz)}"


def day(moment: datetime | None, tz: str = "Asia/Jakarta", lang: str | None = None) -> str:
    if moment is None:
        return ""
    return format_date(moment.astimezone(ZoneInfo(tz)).date(), "d MMMM y", locale=lang or _current.get())


def number(value: float | int | None, digits: int = 1) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English; a dash for no figure."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0" + ("." + "#" * digits if digits else ""), locale=_current.get())


def clock(moment: datetime | str | None, tz: str = "Asia/Jakarta") -> str:
    """HH:MM in the zone given, for "data from 14:05"."""
    if moment is None:
        return "–"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return format_datetime(moment.astimezone(ZoneInfo(tz)), "HH:mm", locale=_current.get())
