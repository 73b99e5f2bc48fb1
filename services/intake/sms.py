"""Reading an SMS to 1708: ``KEYWORD text``, ``INFO <tracking id>``, ``BALAS <tracking id> text``.

Case and spacing do not matter; commands have Indonesian and English aliases; a first word
that is not a directory keyword is part of the complaint, which then goes to the national
coordinator. Pure functions: the callback in ``api/sms.py`` does the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.directory import Directory
from shared.tracking import normalize_tracking_id
from shared.text import clean_text

INFO_WORDS = {"INFO", "CEK", "STATUS", "LACAK"}
REPLY_WORDS = {"BALAS", "REPLY", "JAWAB"}
MIN_REPORT_CHARS = 10
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"^[A-Z][A-Z0-9\-]{1,29}$")


@dataclass(frozen=True)
class SmsCommand:
    kind: Literal["report", "info", "reply", "help"]
    keyword: str | None = None
    tracking_id: str | None = None
    text: str = ""


def parse(raw: str, keywords: set[str]) -> SmsCommand:
    text = _SPACE.sub(" ", clean_text(raw or "")).strip()
    if not text:
        return SmsCommand("help")
    first, _, rest = text.partition(" ")
    word = first.upper().rstrip(":.,#")
    if word in INFO_WORDS:
        tid, _ = _leading_tracking_id(rest)
        return SmsCommand("info", tracking_id=tid) if tid else SmsCommand("help")
    if word in REPLY_WORDS:
        tid, message = _leading_tracking_id(rest)
        if tid and len(message) >= 2:
            return SmsCommand("reply", tracking_id=tid, text=message)
        return SmsCommand("help")
    if _WORD.match(word) and word in keywords:
        body = rest.strip()
        if len(body) < MIN_REPORT_CHARS:
            return SmsCommand("help", keyword=word)
        return SmsCommand("report", keyword=word, text=body)
    # no keyword (or an unknown one): the whole message is the complaint, for the coordinator
    if len(text) < MIN_REPORT_CHARS:
        return SmsCommand("help")
    return SmsCommand("report", text=text)


def region_of_keyword(directory: Directory, keyword: str | None) -> str | None:
    """An SMS has no region field: its keyword's agency (BANJAR: Kabupaten Banjar) tells it, so
    routing, the SLA's time zone and the command centre place the report; none without one."""
    agency = directory.agencies.get(directory.by_keyword.get(keyword or "", ""))
    return agency.region_code if agency else None


def _leading_tracking_id(rest: str) -> tuple[str | None, str]:
    """A tracking ID at the start, typed as one word or split in two (``ABCD EFGH2``)."""
    words = rest.strip().split(" ")
    for n in (1, 2):
        tid = normalize_tracking_id("".join(words[:n]))
        if tid:
            return tid, " ".join(words[n:]).strip()
    return None, ""


def title_of(text: str, limit: int = 80) -> str:
    """A title from the first words of the message."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut or text[:limit]).rstrip(" ,.;:") + "..."
