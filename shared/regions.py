"""Kemendagri region codes: known codes, names, province, and the province's time zone.

Codes are ``PP`` (province), ``PP.RR`` (regency/city), ``PP.RR.DD`` (district) and
``PP.RR.DD.VVVV`` (village). The list is data (``data/regions``, see its SOURCE.md); a
village code is accepted when its district is known. Time zones follow the zoning of the
provinces (WIB, WITA, WIT).
"""

from __future__ import annotations

import csv
import gzip
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "regions"

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")

_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


@lru_cache(maxsize=1)
def known_regions() -> dict[str, str]:
    """Code -> name of every province, regency/city and district (villages: ``children_of``)."""
    names: dict[str, str] = {}
    for name in ("provinces", "regencies", "districts"):
        with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as f:
            names.update({row["code"]: row["name"] for row in csv.DictReader(f)})
    return names


@lru_cache(maxsize=1)
def _villages() -> dict[str, list[tuple[str, str]]]:
    """District code -> its villages (kelurahan/desa) as (code, name); read once, on first use."""
    by_district: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(DATA / "villages.csv.gz", "rt", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_district.setdefault(row["district_code"], []).append((row["code"], row["name"]))
    return by_district


@lru_cache(maxsize=2048)
def children_of(code: str | None) -> tuple[tuple[str, str], ...]:
    """The regions one level below ``code`` (provinces for None), as (code, name) by name.
    Cached: every region list of the submit form asks for it again."""
    if code is None:
        items = [(c, n) for c, n in known_regions().items() if "." not in c]
    elif code.count(".") == 2:
        items = list(_villages().get(code, []))
    else:
        depth = code.count(".") + 1
        items = [(c, n) for c, n in known_regions().items() if c.count(".") == depth and c.startswith(code + ".")]
    return tuple(sorted(items, key=lambda item: item[1]))


def village_name(code: str) -> str | None:
    return next((n for c, n in _villages().get(code.rsplit(".", 1)[0], []) if c == code), None)


def is_region_code(code: str) -> bool:
    """Well formed and on the Kemendagri list (a village by its district)."""
    if not REGION_CODE.match(code):
        return False
    known = known_regions()
    return code in known or (code.count(".") == 3 and code.rsplit(".", 1)[0] in known)


def region_name(code: str | None) -> str | None:
    if code and code.count(".") == 3:
        return village_name(code)
    return known_regions().get(code or "")


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
