"""The audit administrator's pages: who may see them, filters, the chain check and
record history."""

import datetime
import re

import pytest
import time_machine
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duban.audit.models import ChainHead, EventKind, SecurityEvent
from duban.audit.services import security_event_record
from duban.org import services as org_services
from duban.org.models import Role, RoleGrant
from tests.audit.helpers import raw, record_events

pytestmark = pytest.mark.django_db

URLS = [("get", "/audit/events/"), ("post", "/audit/events/verify/"), ("get", "/audit/history/")]
OTHERS = [
    "leader",
    "office",
    "head",
    "liaison",
    "taskforce",
    "discipline",
    "staff",
    "outsider",
    "sys_admin",
    "sec_admin",
    "norole",
]
TZ = timezone.get_default_timezone()


@pytest.fixture
def auditor(people, client_for):
    """The audit administrator's client, with an empty log (logging in records an event)."""
    client = client_for(people.audit_admin)
    SecurityEvent.objects.all().delete()
    ChainHead.objects.filter(id=1).update(last_seq=0, last_hash="", head_mac="")
    LogEntry.objects.all().delete()  # the fixture's people were created with history
    return client


def _text(response) -> str:
    return response.content.decode()


def _words(response) -> str:
    """The page's text without markup, as a reader sees it."""
    return re.sub(r"<[^>]+>", "", _text(response))


def _rows(response) -> int:
    body = re.search(r"<tbody>(.*?)</tbody>", _text(response), re.DOTALL)
    return body.group(1).count("<tr>") if body else 0


# --- Who may see the audit trail -----------------------------------------------------


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_is_sent_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", OTHERS)
@pytest.mark.parametrize(("method", "url"), URLS)
def test_everyone_but_the_audit_admin_is_refused(people, client_for, persona, method, url):
    response = getattr(client_for(getattr(people, persona)), method)(url)
    assert response.status_code == 403
    assert "无权访问" in _text(response)


@pytest.mark.parametrize(("method", "url"), URLS)
def test_audit_admin_may_read(people, client_for, method, url):
    response = getattr(client_for(people.audit_admin), method)(url, follow=True)
    assert response.status_code == 200


def test_pages_are_read_only(people, client_for):
    client = client_for(people.audit_admin)
    record_events(1)
    assert client.post("/audit/events/").status_code == 405
    assert client.post("/audit/history/").status_code == 405
    assert client.get("/audit/events/verify/").status_code == 405
    assert client.delete("/audit/events/").status_code == 405


def test_navigation_shows_audit_entries_only_to_the_audit_admin(people, client_for):
    assert "安全审计日志" in _text(client_for(people.audit_admin).get("/"))
    assert "安全审计日志" not in _text(client_for(people.sys_admin).get("/"))


# --- The security-event log -----------------------------------------------------------


def test_events_page_lists_newest_first_with_columns(people, auditor):
    security_event_record(
        kind=EventKind.ROLE_GRANTED, actor=people.sec_admin, target="staff", detail={"role": "liaison"}
    )
    security_event_record(kind=EventKind.LOGIN_FAILURE, actor_username="ghost", target="ghost")
    response = auditor.get("/audit/events/")
    text = _text(response)
    words = _words(response)
    for header in ("序号", "时间", "事件", "操作人", "对象", "IP", "详情"):
        assert f">{header}</th>" in text
    assert text.index("登录失败") < text.index("授予角色")  # newest first
    assert "角色：联络员" in words  # detail in words
    assert "共 2 条" in text
    assert "校验审计链" in text


def test_events_page_uses_chinese_dates(people, auditor):
    with time_machine.travel(datetime.datetime(2021, 3, 9, 14, 5, tzinfo=TZ), tick=False):
        security_event_record(kind=EventKind.LOGOUT, actor=people.staff, target="staff")
    security_event_record(kind=EventKind.LOGIN_SUCCESS, actor=people.staff, target="staff")
    text = _text(auditor.get("/audit/events/"))
    assert "2021年3月9日 14:05" in text  # another year: with the year
    now = timezone.localtime()
    assert f">{now.month}月{now.day}日 " in text  # this year: month and day


def test_event_detail_is_escaped(people, auditor):
    security_event_record(kind=EventKind.IMPORT, actor=people.sys_admin, detail={"file": "<script>alert(1)</script>"})
    security_event_record(kind=EventKind.LOGIN_FAILURE, actor_username="<b>x</b>", target="<b>x</b>")
    text = _text(auditor.get("/audit/events/"))
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>x</b>" not in text


def test_events_empty_state(people, auditor):
    text = _text(auditor.get("/audit/events/"))
    assert "db-empty" in text
    assert "还没有安全事件" in text


def test_events_filter_by_kind(people, auditor):
    record_events(3, kind=EventKind.LOGIN_SUCCESS, actor=people.staff)
    security_event_record(kind=EventKind.LOCKOUT, actor_username="liaison", target="liaison")
    response = auditor.get("/audit/events/", {"kind": "lockout"})
    assert _rows(response) == 1
    assert "共 1 条" in _text(response)
    assert 'value="lockout" selected' in _text(response)


def test_events_filter_by_username(people, auditor):
    security_event_record(kind=EventKind.LOGIN_SUCCESS, actor=people.staff, target="staff")
    security_event_record(kind=EventKind.PASSWORD_RESET, actor=people.sec_admin, target="liaison")
    security_event_record(kind=EventKind.LOGIN_FAILURE, actor_username="office", target="office")
    client = auditor
    assert _rows(client.get("/audit/events/", {"username": "staf"})) == 1
    assert _rows(client.get("/audit/events/", {"username": "liaison"})) == 1  # matches the object too
    assert _rows(client.get("/audit/events/", {"username": "secadmin"})) == 1
    assert _rows(client.get("/audit/events/", {"username": "nobody"})) == 0
    assert "没有符合筛选条件的安全事件" in _text(client.get("/audit/events/", {"username": "nobody"}))


def test_events_filter_by_date_range(people, auditor):
    for day in (1, 5, 10):
        with time_machine.travel(datetime.datetime(2030, 6, day, 23, 30, tzinfo=TZ), tick=False):
            security_event_record(kind=EventKind.LOGIN_SUCCESS, actor=people.staff, target=f"day{day}")
    client = auditor
    # Narrowed to logins: the auditor's own readings are events too (查阅审计记录).
    logins = {"kind": EventKind.LOGIN_SUCCESS}
    assert _rows(client.get("/audit/events/", {**logins, "from": "2030-06-05"})) == 2
    assert _rows(client.get("/audit/events/", {**logins, "to": "2030-06-05"})) == 2  # the whole day, local time
    assert _rows(client.get("/audit/events/", {**logins, "from": "2030-06-02", "to": "2030-06-09"})) == 1
    # A malformed date is ignored rather than an error.
    assert _rows(client.get("/audit/events/", {**logins, "from": "2030-13-45"})) == 3
    assert client.get("/audit/events/", {"kind": "nonsense"}).status_code == 200


def test_events_are_paginated(people, auditor):
    record_events(55)
    client = auditor
    first = client.get("/audit/events/")
    assert _rows(first) == 50
    assert "共 55 条" in _text(first)
    assert "第 1 / 2 页" in _text(first)
    second = client.get("/audit/events/", {"page": 2})
    # Reading the first page was recorded (查阅审计记录), so one more row has moved over.
    assert _rows(second) == 6


def test_events_page_query_count_does_not_grow(people, django_assert_max_num_queries, auditor):
    client = auditor
    record_events(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/audit/events/").status_code == 200
    record_events(40)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/audit/events/").status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        client.get("/audit/events/", {"kind": "login_success", "username": "user"})


# --- The chain check button ------------------------------------------------------------


def test_verify_button_reports_success(people, auditor):
    record_events(4)
    response = auditor.post("/audit/events/verify/", follow=True)
    assert response.redirect_chain[-1][0] == "/audit/events/"
    text = _text(response)
    assert "审计链完好，共 4 条记录。" in text
    assert "alert-success" in text


def test_verify_button_reports_tampering(people, auditor):
    record_events(4)
    raw("UPDATE audit_securityevent SET target = %s WHERE seq = %s", ["someone-else", 2])
    text = _text(auditor.post("/audit/events/verify/", follow=True))
    assert "审计链校验失败" in text
    assert "序号 2" in text
    assert "alert-danger" in text
    assert "审计链完好" not in text


def test_verify_button_reports_deleted_tail(people, auditor):
    record_events(4)
    raw("DELETE FROM audit_securityevent WHERE seq = %s", [4])
    text = _text(auditor.post("/audit/events/verify/", follow=True))
    assert "序号 4" in text
    assert "alert-danger" in text


def test_verify_changes_nothing_and_records_the_check(people, auditor):
    record_events(2)
    before = list(SecurityEvent.objects.order_by("seq").values_list("seq", "hash"))
    auditor.post("/audit/events/verify/")
    assert list(SecurityEvent.objects.order_by("seq").values_list("seq", "hash"))[:2] == before
    check = SecurityEvent.objects.get(seq=3)
    assert (check.kind, check.actor_id) == (EventKind.AUDIT_VERIFIED, people.audit_admin.pk)
    assert check.detail == {"result": "完好"}


# --- Record history ---------------------------------------------------------------------


def _rename(person, name, actor):
    with set_actor(actor):
        person.name = name
        org_services.person_save(acting_user=actor, person=person)


def test_history_shows_old_and_new_values(people, auditor):
    _rename(people.staff, "吴新名", people.sys_admin)
    response = auditor.get("/audit/history/")
    text, words = _text(response), _words(response)
    for header in ("时间", "操作人", "对象类型", "对象", "操作", "变更内容"):
        assert f">{header}</th>" in text
    assert "姓名：吴职工 → 吴新名" in words  # the model's verbose field name
    assert "系统管理员" in text  # the actor
    assert "修改" in text
    assert "吴新名（staff）" in text  # the object


def test_history_shows_foreign_keys_choices_and_booleans_in_words(org, people, auditor):
    with set_actor(people.sys_admin):
        people.staff.unit = org.hr
        people.staff.rank = "section"
        people.staff.is_active = False
        org_services.person_save(acting_user=people.sys_admin, person=people.staff)
    words = _words(auditor.get("/audit/history/", {"action": "1"}))
    assert "所在单位：教务处 → 人事处" in words
    assert "职级：科员 → 正科级" in words
    assert "账号启用：是 → 否" in words


def test_history_never_shows_passwords(people, auditor):
    with set_actor(people.sec_admin):
        people.staff.set_password("Another-Passw0rd")
        people.staff.save()
    text = _text(auditor.get("/audit/history/"))
    assert "pbkdf2" not in text and "md5$" not in text
    assert people.staff.password not in text


def test_history_filters(org, people, auditor):
    _rename(people.staff, "吴新名", people.sys_admin)
    with set_actor(people.sec_admin):
        RoleGrant.objects.create(person=people.norole, role=Role.DISCIPLINE, granted_by=people.sec_admin)
    client = auditor

    text = _text(client.get("/audit/history/"))
    assert 'value="org.unit"' in text and "单位" in text
    assert "角色授权" in text and "系统设置" in text

    persons = _text(client.get("/audit/history/", {"model": "org.person"}))
    assert "吴新名" in persons and "纪检" not in persons

    grants = _words(client.get("/audit/history/", {"model": "org.rolegrant", "action": "0"}))
    assert "冯无权" in grants and "吴职工 → 吴新名" not in grants
    assert "角色：纪检" in grants  # a created record lists its values
    assert "人员：冯无权（norole）" in grants  # foreign keys by name
    assert "创建" in grants

    assert "没有符合筛选条件的变更记录" in _text(
        client.get("/audit/history/", {"model": "org.rolegrant", "action": "2"})
    )

    by_actor = _text(client.get("/audit/history/", {"actor": "安全"}))
    assert "冯无权" in by_actor and "吴职工 → 吴新名" not in by_actor
    assert "吴职工 → 吴新名" in _text(client.get("/audit/history/", {"actor": "sysadmin"}))

    today = timezone.localdate()
    assert "吴新名" in _text(client.get("/audit/history/", {"from": today.isoformat(), "to": today.isoformat()}))
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "吴新名" not in _text(client.get("/audit/history/", {"from": tomorrow}))


def test_history_empty_state(people, auditor):
    text = _text(auditor.get("/audit/history/"))
    assert "还没有变更记录" in text
    assert "db-empty" in text


def _changes(org, people, persons, grantee):
    for i, person in enumerate(persons):
        _rename(person, f"改名{i}", people.sys_admin)
        with set_actor(people.sys_admin):
            person.unit = org.hr
            org_services.person_save(acting_user=people.sys_admin, person=person)
    with set_actor(people.sec_admin):
        RoleGrant.objects.create(person=grantee, role=Role.LIAISON, unit=org.hr, granted_by=people.sec_admin)


def test_history_query_count_does_not_grow(org, people, auditor):
    _changes(org, people, [people.staff], people.norole)
    with CaptureQueriesContext(connection) as few:
        assert auditor.get("/audit/history/").status_code == 200
    _changes(org, people, [people.liaison, people.head, people.office, people.leader], people.discipline)
    with CaptureQueriesContext(connection) as many:
        assert auditor.get("/audit/history/").status_code == 200
    assert len(many) == len(few)  # foreign keys are named with one query per related model, not per row
