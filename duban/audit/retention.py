"""Retention: security logs are kept for `AUDIT_RETENTION_DAYS` (at least 180, as 等保
2.0 requires), then removed by the nightly worker. Each removal is itself recorded.

The security-event chain is cut at a signed anchor: the chain head remembers the last
removed entry's sequence number and hash (`pruned_through_seq`, `pruned_through_hash`,
keyed `anchor_mac`), `verify_audit` starts its walk there, and the database guard lets
a DELETE through only at or below that anchor. The record history (django-auditlog) is
business history and is kept for good unless `RECORD_HISTORY_RETENTION_DAYS` is set.
"""

import datetime
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from duban.audit import chain
from duban.audit.models import ChainHead, EventKind, SecurityEvent
from duban.audit.services import security_event_record

MINIMUM_DAYS = 180


@dataclass
class PruneResult:
    cutoff: datetime.datetime
    events: int = 0
    through_seq: int = 0
    login_records: int = 0
    history_cutoff: datetime.datetime | None = None
    history_entries: int = 0
    event: SecurityEvent | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return self.events + self.login_records + self.history_entries

    def summary(self) -> str:
        text = (
            f"安全事件 {self.events} 条（{self.cutoff:%Y-%m-%d} 之前），"
            f"登录尝试记录 {self.login_records} 条，记录历史 {self.history_entries} 条"
        )
        return text


def retention_days() -> int:
    return max(int(settings.AUDIT_RETENTION_DAYS), MINIMUM_DAYS)


def history_retention_days() -> int | None:
    days = int(settings.RECORD_HISTORY_RETENTION_DAYS or 0)
    return max(days, MINIMUM_DAYS) if days > 0 else None


def _login_records(cutoff):
    return [model.objects.filter(attempt_time__lt=cutoff) for model in (AccessLog, AccessFailureLog, AccessAttempt)]


@transaction.atomic
def audit_prune(*, now: datetime.datetime | None = None, dry_run: bool = False) -> PruneResult:
    """Remove what is older than the retention period; idempotent (a second run finds
    nothing and records nothing). With `dry_run`, count only."""
    now = now or timezone.now()
    result = PruneResult(cutoff=now - datetime.timedelta(days=retention_days()))
    head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
    old = SecurityEvent.objects.filter(seq__gt=head.pruned_through_seq, created_at__lt=result.cutoff)
    last = old.order_by("-seq").values("seq", "hash").first()
    if last is not None:
        # Everything up to the newest expired entry goes, so the kept chain stays unbroken.
        result.through_seq = last["seq"]
        result.events = SecurityEvent.objects.filter(seq__lte=last["seq"]).count()
    result.login_records = sum(rows.count() for rows in _login_records(result.cutoff))
    history_days = history_retention_days()
    if history_days:
        result.history_cutoff = now - datetime.timedelta(days=history_days)
        result.history_entries = LogEntry.objects.filter(timestamp__lt=result.history_cutoff).count()
    if dry_run or not result.total:
        return result

    if last is not None:
        head.pruned_through_seq = last["seq"]
        head.pruned_through_hash = last["hash"]
        head.anchor_mac = chain.anchor_mac(last["seq"], last["hash"])
        head.save(update_fields=["pruned_through_seq", "pruned_through_hash", "anchor_mac"])
        SecurityEvent.objects.filter(seq__lte=last["seq"]).delete()
    for rows in _login_records(result.cutoff):
        rows.delete()
    if result.history_cutoff:
        LogEntry.objects.filter(timestamp__lt=result.history_cutoff).delete()
    result.event = security_event_record(
        kind=EventKind.AUDIT_PRUNED,
        actor_username="system",
        target="审计日志",
        detail={
            "retention_days": retention_days(),
            "cutoff": result.cutoff.isoformat(timespec="seconds"),
            "count": result.events,
            "through_seq": result.through_seq,
            "login_records": result.login_records,
            "history_entries": result.history_entries,
        },
    )
    return result
