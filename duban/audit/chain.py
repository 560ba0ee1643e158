"""Keyed hashing for the security-event chain (HMAC-SHA256 over a canonical form)."""

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def canonical(*, seq, created_at, kind, actor_id, actor_username, target, ip, detail, prev_hash) -> bytes:
    payload = {
        "seq": seq,
        "created_at": created_at.isoformat(timespec="microseconds"),
        "kind": kind,
        "actor_id": actor_id,
        "actor_username": actor_username,
        "target": target,
        "ip": ip,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(**fields) -> str:
    return hmac.new(_key(), canonical(**fields), hashlib.sha256).hexdigest()


def head_mac(last_seq: int, last_hash: str) -> str:
    return hmac.new(_key(), f"head:{last_seq}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def anchor_mac(pruned_through_seq: int, pruned_through_hash: str) -> str:
    return hmac.new(_key(), f"anchor:{pruned_through_seq}:{pruned_through_hash}".encode(), hashlib.sha256).hexdigest()
