"""Writing to and checking the security-event chain."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from duban.audit import chain, export
from duban.audit.models import ChainHead, EventKind, SecurityEvent


def client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:45]


@transaction.atomic
def security_event_record(
    *,
    kind: EventKind,
    actor=None,
    actor_username: str = "",
    target: str = "",
    request=None,
    detail: dict | None = None,
) -> SecurityEvent:
    """Append one event. The chain head is locked for the duration, so two writers
    never link to the same predecessor."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    if actor_id and not actor_username:
        actor_username = actor.get_username()
    fields = {
        "seq": head.last_seq + 1,
        "created_at": timezone.now(),
        "kind": str(kind),
        "actor_id": actor_id,
        "actor_username": actor_username[:150],
        "target": target[:200],
        "ip": client_ip(request),
        "detail": detail or {},
        "prev_hash": head.last_hash or chain.GENESIS,
    }
    digest = chain.entry_hash(**fields)
    event = SecurityEvent.objects.create(hash=digest, **fields)
    head.last_seq = event.seq
    head.last_hash = digest
    head.head_mac = chain.head_mac(event.seq, digest)
    head.save(update_fields=["last_seq", "last_hash", "head_mac"])
    transaction.on_commit(lambda: export.forward(event))
    return event


@dataclass
class ChainProblem:
    seq: int
    message: str


def security_chain_verify() -> ChainProblem | None:
    """Walk the chain in order; return the first problem, or None when intact.
    After retention pruning the walk starts at the signed anchor instead of the genesis."""
    head = ChainHead.objects.filter(id=1).first()
    anchor_seq = head.pruned_through_seq if head is not None else 0
    if anchor_seq:
        if head.anchor_mac != chain.anchor_mac(anchor_seq, head.pruned_through_hash):
            return ChainProblem(anchor_seq, "审计链的清理起点被篡改")
        expected_prev = head.pruned_through_hash
    else:
        expected_prev = chain.GENESIS
    expected_seq = anchor_seq + 1
    fields = ("seq", "created_at", "kind", "actor_id", "actor_username", "target", "ip", "detail", "prev_hash")
    rows = SecurityEvent.objects.filter(seq__gt=anchor_seq).order_by("seq")
    for row in rows.values(*fields, "hash").iterator(chunk_size=2000):
        if row["seq"] != expected_seq:
            return ChainProblem(expected_seq, f"第 {expected_seq} 条记录缺失（被删除）")
        if row["prev_hash"] != expected_prev:
            return ChainProblem(row["seq"], f"第 {row['seq']} 条记录与前一条的链接不符")
        digest = chain.entry_hash(**{name: row[name] for name in fields})
        if digest != row["hash"]:
            return ChainProblem(row["seq"], f"第 {row['seq']} 条记录内容被篡改")
        expected_prev = row["hash"]
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            return ChainProblem(last_seq, "审计链头缺失")
        return None
    if head.head_mac and head.head_mac != chain.head_mac(head.last_seq, head.last_hash):
        return ChainProblem(head.last_seq, "审计链头被篡改")
    if head.last_seq != last_seq or (last_seq and head.last_hash != expected_prev):
        return ChainProblem(last_seq + 1, f"第 {last_seq + 1} 条及之后的记录缺失（被删除）")
    return None
