"""Protecting reporters: contact data encrypted at rest, keyed hashes for look-ups, masking.

``data_key`` may hold several comma-separated Fernet keys: the first encrypts, all decrypt,
so keys can be rotated without re-encrypting old records first.
"""

from __future__ import annotations

import hashlib
import re
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Vault:
    def __init__(self, data_key: str, lookup_key: str) -> None:
        keys = [k.strip() for k in data_key.split(",") if k.strip()]
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        self._lookup_key = lookup_key.encode()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:  # a key was removed before its records were rotated
            raise ValueError("cannot decrypt: unknown key") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a value under the current primary key."""
        return self._fernet.rotate(token.encode()).decode()

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()


def new_secret_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Reporter tokens are high-entropy, so a plain hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def mask_phone(phone: str) -> str:
    return phone[:5] + "*" * max(len(phone) - 8, 0) + phone[-3:] if len(phone) > 8 else "***"


def mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# an Indonesian number as people and gateways write it: +62 / 62 / 0, then 7 to 13 digits
_PHONE = re.compile(r"(?<![\w+])(?:\+?62|0)(?:[ .-]?\d){7,13}(?!\w)")


def scrub(text: str) -> str:
    """A provider's message with every e-mail address and phone number in it masked: what may
    be stored with a notification or logged (an SMTP refusal quotes its recipient)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    return _PHONE.sub(lambda m: mask_phone(re.sub(r"[\s().-]", "", m.group())), text)
