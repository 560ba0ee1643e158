"""Export for an external log system: JSON lines from the page and the command, and each
committed event forwarded to the "duban.security" logger. The audit administrator's own
readings are recorded."""

import contextlib
import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from duban.audit.models import ChainHead, EventKind, SecurityEvent
from duban.audit.services import security_event_record
from tests.audit.helpers import record_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(people, client_for):
    client = client_for(people.audit_admin)
    SecurityEvent.objects.all().delete()
    ChainHead.objects.filter(id=1).update(last_seq=0, last_hash="", head_mac="")
    return client


def _lines(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in body.splitlines()]


def test_the_page_exports_the_filtered_events_as_json_lines(people, auditor):
    record_events(3)
    security_event_record(kind=EventKind.ROLE_GRANTED, actor=people.sec_admin, target="liaison", detail={"role": "x"})
    response = auditor.get("/audit/events/export/", {"kind": EventKind.ROLE_GRANTED})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert response["Content-Disposition"].startswith('attachment; filename="security-events-')
    lines = _lines(response)
    assert [line["seq"] for line in lines] == [4]
    line = lines[0]
    assert line["kind"] == "role_granted" and line["kind_label"] == "授予角色"
    assert (line["actor"], line["target"], line["detail"]) == ("secadmin", "liaison", {"role": "x"})
    assert set(line) >= {"time", "prev_hash", "hash", "ip", "actor_id", "source"}


def test_an_unfiltered_export_is_oldest_first_and_linked(auditor):
    record_events(3)
    lines = _lines(auditor.get("/audit/events/export/"))
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(lines, lines[1:], strict=False))


def test_exporting_is_recorded_with_the_count(people, auditor):
    record_events(2)
    b"".join(auditor.get("/audit/events/export/").streaming_content)
    event = SecurityEvent.objects.order_by("-seq").first()
    assert (event.kind, event.actor_id, event.detail["count"]) == (EventKind.EXPORT, people.audit_admin.pk, 2)


def test_reading_the_log_and_the_history_is_recorded(people, auditor):
    auditor.get("/audit/events/", {"kind": "lockout", "page": "1"})
    auditor.get("/audit/history/")
    readings = list(SecurityEvent.objects.filter(kind=EventKind.AUDIT_VIEWED).order_by("seq"))
    assert [(e.target, e.actor_id) for e in readings] == [
        ("安全审计日志", people.audit_admin.pk),
        ("记录历史", people.audit_admin.pk),
    ]
    assert readings[0].detail == {"query": "kind=lockout&page=1"}
    assert readings[1].detail == {}
    # The reading shows on the next page view, labelled.
    page = auditor.get("/audit/events/").content.decode()
    assert "查阅审计记录" in page and "查询条件" in page


def test_others_can_neither_export_nor_leave_a_reading(people, client_for, auditor):
    for person in (people.office, people.sys_admin, people.sec_admin):
        assert client_for(person).get("/audit/events/export/").status_code == 403
    assert not SecurityEvent.objects.filter(kind__in=[EventKind.EXPORT, EventKind.AUDIT_VIEWED]).exists()


def test_the_command_exports_events_after_a_sequence_number(tmp_path):
    SecurityEvent.objects.all().delete()
    ChainHead.objects.filter(id=1).update(last_seq=0, last_hash="", head_mac="")
    record_events(5)
    out = StringIO()
    call_command("export_audit", "--after", "3", stdout=out)
    assert [json.loads(line)["seq"] for line in out.getvalue().splitlines()] == [4, 5]
    target = tmp_path / "events.jsonl"
    message = StringIO()
    call_command("export_audit", "-o", str(target), stdout=message)
    assert len(target.read_text(encoding="utf-8").splitlines()) == 5
    assert "已导出 5 条安全事件" in message.getvalue()


def test_committed_events_are_forwarded_to_the_security_logger(caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO, logger="duban.security"), django_capture_on_commit_callbacks(execute=True):
        event = security_event_record(kind=EventKind.LOCKOUT, actor_username="ana", target="ana")
    forwarded = [json.loads(r.getMessage()) for r in caplog.records if r.name == "duban.security"]
    assert forwarded == [
        {
            **forwarded[0],
            "seq": event.seq,
            "kind": "lockout",
            "kind_label": "账号锁定",
            "target": "ana",
            "hash": event.hash,
        }
    ]


def test_an_event_rolled_back_is_not_forwarded(caplog, django_capture_on_commit_callbacks):
    with (
        caplog.at_level(logging.INFO, logger="duban.security"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        security_event_record(kind=EventKind.LOCKOUT, actor_username="ana", target="ana")
        raise RuntimeError
    assert callbacks == []
    assert not [r for r in caplog.records if r.name == "duban.security"]
