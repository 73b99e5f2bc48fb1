"""Kemendagri region codes: shape, province, and the province's time zone.

Codes are ``PP`` (province), ``PP.RR`` (regency/city), ``PP.RR.DD`` (district) and
``PP.RR.DD.VVVV`` (village). Time zones follow Law 41/1987 zoning by province.
"""

from __future__ import annotations

import re

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")

_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def is_region_code(code: str) -> bool:
    return bool(REGION_CODE.match(code))


def province_of(code: str) -> str:
    return code[:2]


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def timezone_for(code: str | None) -> str:
    """IANA zone of a region; the capital's (WIB) when the region is unknown."""
    if not code:
        return "Asia/Jakarta"
    province = province_of(code)
    if province in _WIT:
        return "Asia/Jayapura"
    if province in _WITA:
        return "Asia/Makassar"
    return "Asia/Jakarta"
