"""Tracking IDs: short, read aloud and typed on a phone without confusion.

Eight random characters from an alphabet without 0/O and 1/I, plus a Luhn mod-32 check
character (python-stdnum), so a mistyped ID is refused instead of showing another report.
Shown and accepted as ``XXXX-XXXXC``; case, spaces and hyphens are ignored on input.
"""

from __future__ import annotations

import secrets

from stdnum import luhn

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_BODY = 8


def new_tracking_id() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY))
    return format_tracking_id(body + luhn.calc_check_digit(body, alphabet=ALPHABET))


def format_tracking_id(compact: str) -> str:
    return f"{compact[:4]}-{compact[4:]}"


def normalize_tracking_id(value: str) -> str | None:
    """The canonical form of a typed ID, or None when it is not a valid tracking ID."""
    compact = "".join(ch for ch in value.upper() if ch not in " -\t")
    compact = compact.replace("O", "0").replace("I", "1")  # common misreads: refused below
    if len(compact) != _BODY + 1 or any(ch not in ALPHABET for ch in compact):
        return None
    try:
        luhn.validate(compact, alphabet=ALPHABET)
    except Exception:
        return None
    return format_tracking_id(compact)
