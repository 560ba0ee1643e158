"""Retention: security logs are kept AUDIT_RETENTION_DAYS (at least 180), then pruned;
the pruning is recorded, the kept chain still verifies, and moving the anchor by
hand to hide entries is detected."""

import datetime
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessFailureLog, AccessLog
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from duban.audit import guards
from duban.audit.models import ChainHead, EventKind, SecurityEvent
from duban.audit.retention import audit_prune
from tests.audit.helpers import raw, record_events, verify_fails, verify_ok

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
NOW = datetime.datetime(2031, 3, 1, 4, 0, tzinfo=TZ)


def _events_on(day: datetime.datetime, n: int):
    with time_machine.travel(day, tick=False):
        return record_events(n)


@pytest.fixture
def aged_log(db):
    """Three events a year old, two 200 days old, two 100 days old (kept)."""
    SecurityEvent.objects.all().delete()
    ChainHead.objects.update_or_create(id=1, defaults={"last_seq": 0, "last_hash": "", "head_mac": ""})
    _events_on(NOW - datetime.timedelta(days=365), 3)
    _events_on(NOW - datetime.timedelta(days=200), 2)
    _events_on(NOW - datetime.timedelta(days=100), 2)


def prune(at: datetime.datetime = NOW):
    with time_machine.travel(at, tick=False):
        return audit_prune()


def _login_record(model, days_ago: int, username="ana"):
    row = model.objects.create(username=username, ip_address="10.0.0.9", user_agent="t")
    model.objects.filter(pk=row.pk).update(attempt_time=NOW - datetime.timedelta(days=days_ago))
    return row


def test_events_older_than_the_retention_period_are_pruned_and_the_pruning_recorded(aged_log):
    result = prune()
    assert (result.events, result.through_seq) == (5, 5)
    kept = list(SecurityEvent.objects.order_by("seq").values_list("seq", "kind"))
    assert kept == [(6, EventKind.LOGIN_SUCCESS), (7, EventKind.LOGIN_SUCCESS), (8, EventKind.AUDIT_PRUNED)]
    record = SecurityEvent.objects.get(seq=8)
    assert record.detail["count"] == 5
    assert record.detail["through_seq"] == 5
    assert record.detail["retention_days"] == 180
    assert record.actor_username == "system"
    head = ChainHead.objects.get()
    assert (head.pruned_through_seq, head.last_seq) == (5, 8)
    assert "共 3 条记录" in verify_ok()


def test_pruning_is_idempotent_and_quiet_when_nothing_is_due(aged_log):
    prune()
    count = SecurityEvent.objects.count()
    again = prune()
    assert again.total == 0 and again.event is None
    assert SecurityEvent.objects.count() == count  # nothing pruned, nothing recorded
    verify_ok()


def test_dry_run_counts_without_deleting(aged_log):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("prune_audit", "--dry-run", stdout=out)
    assert "安全事件 5 条" in out.getvalue() and "未删除" in out.getvalue()
    assert SecurityEvent.objects.count() == 7


def test_the_command_prunes_and_names_the_record(aged_log):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("prune_audit", stdout=out)
    assert "已清理：安全事件 5 条" in out.getvalue()
    assert "第 8 条安全事件" in out.getvalue()


def test_the_retention_setting_is_honoured_but_never_below_180_days(aged_log, settings):
    settings.AUDIT_RETENTION_DAYS = 30  # refused by `manage.py check`; still kept 180 days
    assert prune().events == 5
    settings.AUDIT_RETENTION_DAYS = 400
    assert prune(NOW + datetime.timedelta(days=301)).events == 2


def test_a_too_short_retention_fails_the_system_check(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    settings.RECORD_HISTORY_RETENTION_DAYS = 30
    ids = {message.id for message in run_checks()}
    assert {"duban.E001", "duban.E002"} <= ids
    settings.AUDIT_RETENTION_DAYS = 180
    settings.RECORD_HISTORY_RETENTION_DAYS = 0
    ids = {message.id for message in run_checks()}
    assert not ids & {"duban.E001", "duban.E002"}


def test_login_records_are_pruned_with_the_events(aged_log):
    old = [_login_record(AccessLog, 200), _login_record(AccessFailureLog, 190)]
    recent = [_login_record(AccessLog, 10), _login_record(AccessFailureLog, 179)]
    result = prune()
    assert result.login_records == 2
    assert not AccessLog.objects.filter(pk=old[0].pk).exists()
    assert not AccessFailureLog.objects.filter(pk=old[1].pk).exists()
    assert AccessLog.objects.filter(pk=recent[0].pk).exists()
    assert AccessFailureLog.objects.filter(pk=recent[1].pk).exists()
    assert SecurityEvent.objects.get(kind=EventKind.AUDIT_PRUNED).detail["login_records"] == 2


def test_record_history_is_kept_unless_a_retention_is_configured(aged_log, people, settings):
    entry = LogEntry.objects.log_create(people.staff, action=LogEntry.Action.UPDATE, changes={"name": ["a", "b"]})
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=NOW - datetime.timedelta(days=400))
    prune()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    settings.RECORD_HISTORY_RETENTION_DAYS = 365
    result = prune()
    assert result.history_entries >= 1
    assert not LogEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_guard_lets_pruning_through_and_nothing_else(aged_log):
    guards.install(connection)
    try:
        prune()
        # Kept entries are still protected.
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("DELETE FROM audit_securityevent WHERE seq = %s", [6])
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("UPDATE audit_securityevent SET target = %s WHERE seq = %s", ["x", 7])
    finally:
        guards.remove(connection)
    assert SecurityEvent.objects.count() == 3
    verify_ok()


def test_moving_the_anchor_by_hand_to_hide_entries_is_detected(aged_log):
    prune()
    # Someone with database access moves the anchor past entry 6 and deletes it.
    hash6 = SecurityEvent.objects.get(seq=6).hash
    raw("UPDATE audit_chainhead SET pruned_through_seq = 6, pruned_through_hash = %s WHERE id = 1", [hash6])
    raw("DELETE FROM audit_securityevent WHERE seq = 6")
    assert "清理起点被篡改" in verify_fails()


def test_deleting_below_the_anchor_without_moving_it_is_still_detected(aged_log):
    prune()
    raw("DELETE FROM audit_securityevent WHERE seq = 6")
    assert "第 6 条记录缺失" in verify_fails()


def test_pruning_everything_leaves_a_verifiable_chain(db):
    SecurityEvent.objects.all().delete()
    ChainHead.objects.update_or_create(id=1, defaults={"last_seq": 0, "last_hash": "", "head_mac": ""})
    _events_on(NOW - datetime.timedelta(days=300), 4)
    prune()
    assert list(SecurityEvent.objects.values_list("seq", flat=True)) == [5]
    record_events(2)
    assert "共 3 条记录" in verify_ok()


def test_the_nightly_task_prunes(aged_log):
    from duban.audit.tasks import audit_retention

    with time_machine.travel(NOW, tick=False):
        assert audit_retention.call_local() == 5
        assert audit_retention.call_local() == 0
