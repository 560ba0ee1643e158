"""Secrets of the ballot: codes, their keyed digests, receipts and the sealed pending ballots.

Keys are derived from the server's SECRET_KEY, which does not live in the database: someone
holding only the database can neither vote with a stored code nor read a pending ballot.
AES-GCM with a random nonce is used rather than Fernet because a Fernet token carries its
creation time in clear, and a time is exactly what must not be stored next to a ballot.
"""

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16  # 80 bits
RECEIPT_LENGTH = 12  # 60 bits


def _derive(purpose: bytes) -> bytes:
    return _derived(purpose, settings.SECRET_KEY)


@functools.lru_cache(maxsize=16)
def _derived(purpose: bytes, secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"duban-ballots", info=purpose).derive(secret.encode())


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    return _random(CODE_LENGTH)


def new_receipt() -> str:
    return _random(RECEIPT_LENGTH)


def normalise(text: str) -> str:
    """What a voter types: any case, spaces and dashes; O for 0 and I/L for 1 are forgiven."""
    text = (text or "").upper().replace("-", "").replace(" ", "").strip()
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def looks_valid(text: str, length: int = CODE_LENGTH) -> bool:
    return len(text) == length and all(c in ALPHABET for c in text)


def pretty(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def digest(text: str, purpose: bytes = b"code") -> str:
    return hmac.new(_derive(b"digest:" + purpose), normalise(text).encode(), hashlib.sha256).hexdigest()


def receipt_digest(receipt: str) -> str:
    return digest(receipt, b"receipt")


def fingerprint(receipt: str, marks: dict) -> str:
    """A short check value the voter sees at submission and again when verifying the receipt:
    equal values mean the counted ballot is the one they cast. Meaningless without the receipt."""
    body = json.dumps(marks, sort_keys=True, separators=(",", ":")).encode()
    mac = hmac.new(normalise(receipt).encode(), body, hashlib.sha256).digest()
    return base64.b32encode(mac[:5]).decode()


def seal(content: dict) -> bytes:
    nonce = os.urandom(12)
    body = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return nonce + AESGCM(_derive(b"pending")).encrypt(nonce, body, None)


def unseal(payload: bytes) -> dict:
    payload = bytes(payload)
    return json.loads(AESGCM(_derive(b"pending")).decrypt(payload[:12], payload[12:], None))
