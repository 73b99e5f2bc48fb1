"""Neutralising free text from the public: unicode kept, markup and control characters not."""

from __future__ import annotations

import re
import unicodedata

_TAG = re.compile(r"<[^>\n]{0,500}>")
# C0/C1 controls and invisible format characters that hide or reorder text (bidi overrides),
# except tab and newline; emoji joiners (ZWJ, variation selectors) are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # before \r counts as a control
    value = _CONTROL.sub("", value)
    value = _TAG.sub("", value)
    return value.strip()


def clean_line(value: str) -> str:
    """One-line text (titles, names): whitespace runs folded to one space."""
    return re.sub(r"\s+", " ", clean_text(value))
