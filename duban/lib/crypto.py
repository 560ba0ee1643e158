"""Encryption at rest for sensitive settings (the SMTP password, webhook secrets).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key kept outside
the database: `SETTINGS_ENCRYPTION_KEY` in the environment, or `var/settings_key`,
created on first use. A database copy or backup alone therefore reveals nothing.
Several keys, comma-separated, allow rotation: the first encrypts, all decrypt, and
`manage.py rotate_settings_key` re-encrypts every stored value under the first.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class Unreadable(str):
    """What an encrypted value reads as when no configured key opens it (the key was
    lost or changed): empty, marked so that pages can say so, and keeping the stored
    token so that saving the row again does not destroy it (the right key may return)."""

    unreadable = True

    def __new__(cls, token: str):
        value = super().__new__(cls, "")
        value.token = token
        return value


def _fernet_key(secret: str) -> bytes:
    # Any string is accepted as key material; Fernet needs 32 url-safe base64 bytes.
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


@functools.cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.SETTINGS_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return cipher().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return Unreadable(token)


def rotate(token: str) -> str:
    """The same value under the current (first) key; an unreadable token is returned as is."""
    if not token:
        return ""
    try:
        return cipher().rotate(token.encode()).decode()
    except (InvalidToken, ValueError):
        return token


def is_unreadable(value) -> bool:
    return getattr(value, "unreadable", False)


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; the model attribute holds the plain text."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        if is_unreadable(value):
            return value.token
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
