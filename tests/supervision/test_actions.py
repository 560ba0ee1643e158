"""Supervision action services: who may act, from which state, what gets numbered,
logged and sent to whom."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from duban.notify.models import Message, MessageKind
from duban.org.access import access_for
from duban.org.models import Person, Role, RoleGrant
from duban.supervision.models import (
    Accountability,
    AccountabilityKind,
    Instruction,
    ItemLog,
    ItemState,
    LogKind,
    Notice,
    NoticeStatus,
    Status,
    Warning,
)
from duban.supervision.services import Refused
from duban.supervision.services import actions as services
from tests.markers import CONCURRENT

PERSONAS = ["leader", "office", "head", "liaison", "taskforce", "discipline", "staff", "outsider", "norole"]
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def recipients(kind) -> set[str]:
    return set(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def others(*allowed):
    return [p for p in PERSONAS if p not in allowed]


def issue(work, people, **kwargs):
    defaults = {
        "acting_user": people.office,
        "item": work.teaching,
        "requirement": "请于两周内完成方案论证并报送。",
        "respond_by": datetime.date(2026, 11, 16),
    }
    return services.notice_issue(**{**defaults, **kwargs})


# --- 催办 -------------------------------------------------------------------------


def test_office_urges_the_lead_unit(work, people):
    entry = services.item_urge(acting_user=people.office, item=work.teaching, text="请本周五前提交进展。")
    assert entry.kind == LogKind.URGED
    assert entry.actor == people.office
    assert entry.text == "请本周五前提交进展。"
    # Responsible person (钱联络, also the liaison) and the head of 教务处; nobody else.
    assert recipients(MessageKind.URGE) == {"head", "liaison"}
    message = Message.objects.filter(kind=MessageKind.URGE).first()
    assert message.title == "催办：本科教学质量提升工程"
    assert message.body == "请本周五前提交进展。"
    assert message.url == work.teaching.get_absolute_url()


@pytest.mark.parametrize("persona", others("office"))
def test_only_the_office_urges(persona, work, people):
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_URGE):
        services.item_urge(acting_user=getattr(people, persona), item=work.teaching, text="快")
    assert not ItemLog.objects.filter(kind=LogKind.URGED).exists()
    assert not Message.objects.exists()


def test_urge_needs_text_and_an_open_item(work, people):
    with pytest.raises(Refused, match=services.ERR_TEXT):
        services.item_urge(acting_user=people.office, item=work.teaching, text="  ")
    work.labs.completed_on = datetime.date(2026, 10, 30)
    with pytest.raises(Refused, match=services.ERR_ITEM_DONE):
        services.item_urge(acting_user=people.office, item=work.labs, text="快")


# --- 督办单 -----------------------------------------------------------------------


def test_notices_are_numbered_per_year(work, people):
    first = issue(work, people)
    second = issue(work, people, item=work.talent)
    assert (first.year, first.serial, first.number) == (2026, 1, "督办〔2026〕1号")
    assert (second.serial, second.number) == (2, "督办〔2026〕2号")
    with time_machine.travel(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=datetime.UTC), tick=False):
        next_year = issue(work, people, respond_by=datetime.date(2027, 1, 11))
    assert (next_year.year, next_year.serial, next_year.number) == (2027, 1, "督办〔2027〕1号")


def test_notice_numbering_retries_after_a_collision(work, people, monkeypatch):
    issue(work, people)
    stale = iter([1, 2])  # the first read is stale: another request took 1 meanwhile
    monkeypatch.setattr(services, "_next_serial", lambda year: next(stale))
    notice = issue(work, people, item=work.labs)
    assert notice.number == "督办〔2026〕2号"
    assert Notice.objects.count() == 2


def test_notice_defaults_logs_and_notifies(work, people):
    notice = issue(work, people)
    assert notice.addressee_unit == work.teaching.lead_unit
    assert notice.status == NoticeStatus.ISSUED
    assert notice.issued_by == people.office
    assert notice.title == "关于督办“本科教学质量提升工程”的通知"
    entry = ItemLog.objects.get(item=work.teaching, kind=LogKind.NOTICE_ISSUED)
    assert entry.data == {"notice": notice.pk}
    assert entry.text.startswith("督办〔2026〕1号")
    assert recipients(MessageKind.NOTICE) == {"head", "liaison"}
    message = Message.objects.get(recipient=people.head)
    assert "督办〔2026〕1号" in message.title
    assert "请于2026年11月16日前在督办平台回复办理情况。" in message.body


def test_notice_to_another_unit_tells_its_heads_and_the_responsible_person(work, people, org):
    notice = issue(work, people, addressee_unit=org.hr, title="关于协同推进的督办通知")
    assert notice.addressee_unit == org.hr
    assert notice.title == "关于协同推进的督办通知"
    assert recipients(MessageKind.NOTICE) == {"outsider", "liaison"}


@pytest.mark.parametrize("persona", others("office"))
def test_only_the_office_issues_notices(persona, work, people):
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_ISSUE_NOTICE):
        issue(work, people, acting_user=getattr(people, persona))
    assert not Notice.objects.exists()


def test_notice_checks_dates_text_and_state(work, people):
    with pytest.raises(Refused, match=services.ERR_RESPOND_BY_PAST):
        issue(work, people, respond_by=datetime.date(2026, 11, 1))
    with pytest.raises(Refused, match=services.ERR_REQUIREMENT):
        issue(work, people, requirement="")
    assert issue(work, people, respond_by=datetime.date(2026, 11, 2)).serial == 1  # today is fine
    work.labs.completed_on = datetime.date(2026, 10, 30)
    with pytest.raises(Refused, match=services.ERR_ITEM_DONE):
        issue(work, people, item=work.labs)


@pytest.mark.parametrize("persona", ["head", "liaison"])
def test_the_addressed_unit_answers(persona, work, people):
    notice = issue(work, people)
    Message.objects.all().delete()
    answered = services.notice_answer(acting_user=getattr(people, persona), notice=notice, response="方案已论证。")
    assert answered.status == NoticeStatus.ANSWERED
    assert answered.response == "方案已论证。"
    assert answered.responded_by == getattr(people, persona)
    assert answered.responded_at is not None
    assert ItemLog.objects.filter(item=work.teaching, kind=LogKind.NOTICE_ANSWERED, data={"notice": notice.pk}).exists()
    assert recipients(MessageKind.NOTICE) == {"office"}


@pytest.mark.parametrize("persona", others("head", "liaison"))
def test_nobody_else_answers(persona, work, people):
    notice = issue(work, people)
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_ANSWER):
        services.notice_answer(acting_user=getattr(people, persona), notice=notice, response="已办")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_the_lead_unit_of_another_item_cannot_answer(work, people):
    # 人事处 (the outsider's unit) leads 高层次人才引进 and co-owns the teaching item, but
    # the notice is addressed to 教务处.
    notice = issue(work, people)
    with pytest.raises(PermissionDenied):
        services.notice_answer(acting_user=people.outsider, notice=notice, response="已办")
    own = issue(work, people, item=work.talent)
    assert services.notice_answer(acting_user=people.outsider, notice=own, response="已办").status == "answered"
    with pytest.raises(PermissionDenied):
        services.notice_answer(acting_user=people.head, notice=own, response="已办")


def test_answer_needs_text_and_happens_once(work, people):
    notice = issue(work, people)
    with pytest.raises(Refused, match=services.ERR_RESPONSE):
        services.notice_answer(acting_user=people.head, notice=notice, response=" ")
    services.notice_answer(acting_user=people.head, notice=notice, response="已办")
    with pytest.raises(Refused, match=services.ERR_NOT_ISSUED):
        services.notice_answer(acting_user=people.liaison, notice=notice, response="再办")


def test_office_closes_an_answered_notice(work, people):
    notice = issue(work, people)
    with pytest.raises(Refused, match=services.ERR_NOT_ANSWERED):
        services.notice_close(acting_user=people.office, notice=notice)
    services.notice_answer(acting_user=people.head, notice=notice, response="已办")
    for persona in others("office"):
        with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_CLOSE):
            services.notice_close(acting_user=getattr(people, persona), notice=notice)
    closed = services.notice_close(acting_user=people.office, notice=notice, comment="同意办结")
    assert closed.status == NoticeStatus.CLOSED
    entry = ItemLog.objects.filter(item=work.teaching).first()
    assert entry.data == {"notice": notice.pk, "action": "notice_closed"}
    assert "同意办结" in entry.text
    with pytest.raises(Refused, match=services.ERR_NOT_ANSWERED):
        services.notice_close(acting_user=people.office, notice=closed)


@CONCURRENT
@pytest.mark.django_db(transaction=True)
def test_concurrent_notices_get_distinct_numbers(work, people):
    results, errors = [], []

    def run(item):
        try:
            barrier.wait()
            results.append(issue(work, people, item=item).serial)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    items = [work.teaching, work.labs, work.courses, work.talent] * 2
    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    barrier = threading.Barrier(len(threads))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 9))


# --- 告诫提醒 ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "discipline"])
def test_office_or_discipline_warns(persona, work, people, org):
    warning = services.warning_issue(
        acting_user=getattr(people, persona), item=work.teaching, text="进度严重滞后，限期整改。", person=people.liaison
    )
    assert warning.unit == org.academic
    assert warning.person == people.liaison
    assert warning.issued_by == getattr(people, persona)
    entry = ItemLog.objects.get(kind=LogKind.WARNING)
    assert entry.data == {"warning": warning.pk}
    assert "教务处（钱联络）" in entry.text
    assert recipients(MessageKind.WARNING) == {"head", "liaison"}


def test_warning_to_a_unit_only_tells_its_heads(work, people, org):
    services.warning_issue(acting_user=people.office, item=work.teaching, unit=org.hr, text="协办不力。")
    assert recipients(MessageKind.WARNING) == {"outsider"}


@pytest.mark.parametrize("persona", others("office", "discipline"))
def test_nobody_else_warns(persona, work, people):
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_WARN):
        services.warning_issue(acting_user=getattr(people, persona), item=work.teaching, text="x")
    assert not Warning.objects.exists()


def test_warning_needs_text(work, people):
    with pytest.raises(Refused, match=services.ERR_TEXT):
        services.warning_issue(acting_user=people.office, item=work.teaching, text="")


# --- 问责 -------------------------------------------------------------------------


def record(work, people, **kwargs):
    defaults = {
        "acting_user": people.discipline,
        "item": work.teaching,
        "kind": AccountabilityKind.TALK,
        "reason": "事项逾期且未按要求报告。",
        "decided_on": datetime.date(2026, 11, 1),
    }
    return services.accountability_record(**{**defaults, **kwargs})


@pytest.mark.parametrize("persona", ["discipline", "office"])
def test_discipline_or_office_records_accountability(persona, work, people, org, media):
    upload = SimpleUploadedFile("问责决定.pdf", PDF, content_type="application/pdf")
    entry = record(
        work,
        people,
        acting_user=getattr(people, persona),
        person=people.head,
        decision_title="关于对教务处约谈的决定",
        decision_number="纪发〔2026〕3号",
        decision_file=upload,
    )
    assert entry.unit == org.academic
    assert entry.recorded_by == getattr(people, persona)
    assert entry.decision_file.name.startswith("accountability/2026/")
    assert entry.decision_file.read() == PDF
    log = ItemLog.objects.get(kind=LogKind.ACCOUNTABILITY)
    assert log.data == {"accountability": entry.pk}
    assert log.text == "约谈"  # details stay in the restricted record
    assert recipients(MessageKind.WARNING) == {"head"}


@pytest.mark.parametrize("persona", others("discipline", "office"))
def test_nobody_else_records_accountability(persona, work, people):
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_HOLD_ACCOUNTABLE):
        record(work, people, acting_user=getattr(people, persona))
    assert not Accountability.objects.exists()


def test_accountability_checks_its_inputs(work, people):
    with pytest.raises(Refused, match=services.ERR_REASON):
        record(work, people, reason="")
    with pytest.raises(Refused, match=services.ERR_DECIDED_FUTURE):
        record(work, people, decided_on=datetime.date(2026, 11, 3))
    with pytest.raises(Refused, match=services.ERR_KIND):
        record(work, people, kind="fine")


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("decision.exe", b"MZ\x90\x00", services.ERR_FILE_TYPE),
        ("decision.txt", b"hello", services.ERR_FILE_TYPE),
        ("decision.pdf", PNG, services.ERR_FILE_CONTENT),  # renamed image
        ("decision.png", PDF, services.ERR_FILE_CONTENT),
        ("decision.docx", PDF, services.ERR_FILE_CONTENT),
        ("decision.doc", b"PK\x03\x04rest", services.ERR_FILE_CONTENT),
        ("decision.pdf", b"", services.ERR_FILE_EMPTY),
    ],
)
def test_decision_files_are_checked_by_extension_and_content(name, content, error, work, people, media):
    with pytest.raises(Refused, match=error):
        record(work, people, decision_file=SimpleUploadedFile(name, content))
    assert not Accountability.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", PDF),
        ("b.PNG", PNG),
        ("c.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        ("d.docx", b"PK\x03\x04" + b"\x00" * 16),
        ("e.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16),
    ],
)
def test_allowed_decision_files(name, content, work, people, media):
    assert record(work, people, decision_file=SimpleUploadedFile(name, content)).decision_file


def test_decision_files_have_a_size_limit(work, people, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"\x00" * (1024 * 1024))
    with pytest.raises(Refused, match=services.ERR_FILE_TOO_LARGE.format(limit=1)):
        record(work, people, decision_file=big)


# --- 领导批示 ---------------------------------------------------------------------


def test_leader_instructs(work, people):
    instruction = services.instruction_add(
        acting_user=people.leader, item=work.teaching, text="要加快进度，确保年底完成。"
    )
    assert instruction.leader == people.leader
    assert ItemLog.objects.get(kind=LogKind.INSTRUCTION).data == {"instruction": instruction.pk}
    assert recipients(MessageKind.INSTRUCTION) == {"liaison", "head", "office"}
    assert Message.objects.filter(kind=MessageKind.INSTRUCTION).first().title == "李校长批示：本科教学质量提升工程"


@pytest.mark.parametrize("persona", others("leader"))
def test_only_leaders_instruct(persona, work, people):
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_INSTRUCT):
        services.instruction_add(acting_user=getattr(people, persona), item=work.teaching, text="阅")
    assert not Instruction.objects.exists()


def test_a_leader_instructs_only_on_items_they_can_see(work, people, org):
    scoped = Person.objects.create_user(username="vice", name="陈副校长", unit=org.school, must_change_password=False)
    RoleGrant.objects.create(person=scoped, role=Role.LEADER, unit=org.party)
    with pytest.raises(PermissionDenied):
        services.instruction_add(acting_user=scoped, item=work.teaching, text="阅")


def test_instruction_needs_text(work, people):
    with pytest.raises(Refused, match=services.ERR_TEXT):
        services.instruction_add(acting_user=people.leader, item=work.teaching, text="")


# --- 通报 -------------------------------------------------------------------------


def set_states(work, **statuses):
    for name, status in statuses.items():
        ItemState.objects.filter(item=getattr(work, name)).update(status=status)


def test_lagging_units_worst_first(work, org):
    set_states(work, teaching=Status.BEHIND, labs=Status.BEHIND, courses=Status.ON_TRACK, talent=Status.OVERDUE)
    lagging = services.lagging_units(work.plan)
    assert [(lag.unit, lag.overdue, lag.behind) for lag in lagging] == [(org.hr, 1, 0), (org.academic, 0, 2)]
    assert lagging[1].total == 2
    set_states(work, courses=Status.OVERDUE, labs=Status.OVERDUE)
    assert [(lag.unit, lag.overdue, lag.behind) for lag in services.lagging_units(work.plan)] == [
        (org.academic, 2, 1),
        (org.hr, 1, 0),
    ]


def test_lagging_units_ignore_completed_and_healthy_items(work):
    set_states(work, teaching=Status.ON_TRACK, labs=Status.DUE_SOON, courses=Status.COMPLETED, talent=Status.ON_TRACK)
    assert services.lagging_units(work.plan) == []


def test_circular_names_the_lagging_units_by_default(work, people, org):
    set_states(work, teaching=Status.BEHIND, labs=Status.ON_TRACK, courses=Status.ON_TRACK, talent=Status.OVERDUE)
    circular = services.circular_issue(
        acting_user=people.office, plan=work.plan, title="关于重点工作推进情况的通报", body="现将情况通报如下。"
    )
    assert set(circular.units.all()) == {org.academic, org.hr}
    assert recipients(MessageKind.CIRCULAR) == {"head", "outsider"}


def test_circular_with_chosen_units(work, people, org):
    circular = services.circular_issue(
        acting_user=people.office,
        plan=work.plan,
        title="表扬通报",
        body="予以表扬。",
        units=[org.hr],
        number="督通〔2026〕1号",
    )
    assert list(circular.units.all()) == [org.hr]
    assert circular.number == "督通〔2026〕1号"
    assert recipients(MessageKind.CIRCULAR) == {"outsider"}


@pytest.mark.parametrize("persona", others("office"))
def test_only_the_office_circulates(persona, work, people):
    with pytest.raises(PermissionDenied, match=services.ERR_CANNOT_CIRCULATE):
        services.circular_issue(acting_user=getattr(people, persona), plan=work.plan, title="通报", body="正文")


def test_circular_needs_title_and_body(work, people):
    with pytest.raises(Refused, match=services.ERR_TITLE):
        services.circular_issue(acting_user=people.office, plan=work.plan, title="", body="正文")
    with pytest.raises(Refused, match=services.ERR_TEXT):
        services.circular_issue(acting_user=people.office, plan=work.plan, title="通报", body="")


# --- Rules for the pages ----------------------------------------------------------

EXPECTED_BUTTONS = {
    "leader": {"instruction", "see_accountability"},
    "office": {"urge", "notice", "warning", "accountability", "see_accountability"},
    "discipline": {"warning", "accountability", "see_accountability"},
    "head": {"see_accountability"},
    "liaison": set(),
    "taskforce": set(),
    "staff": set(),
    "outsider": set(),
    "norole": set(),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_item_action_rules(persona, work, people):
    rules = services.item_action_rules(access_for(getattr(people, persona)), work.teaching)
    shown = {key for key, value in rules.items() if value and key != "any"}
    assert shown == EXPECTED_BUTTONS[persona]
    assert rules["any"] == bool(shown - {"see_accountability"})


def test_no_urge_or_notice_on_a_completed_item(work, people):
    work.labs.completed_on = datetime.date(2026, 10, 30)
    rules = services.item_action_rules(access_for(people.office), work.labs)
    assert not rules["urge"] and not rules["notice"]
    assert rules["warning"] and rules["accountability"]


def test_who_sees_which_notices(work, people):
    to_academic = issue(work, people)
    to_hr = issue(work, people, item=work.talent)
    seen = {
        persona: set(services.notices_visible(access_for(getattr(people, persona)), Notice.objects.all()))
        for persona in PERSONAS + ["sys_admin"]
    }
    both = {to_academic, to_hr}
    assert seen["office"] == seen["discipline"] == seen["leader"] == both
    assert seen["head"] == seen["liaison"] == {to_academic}
    assert seen["outsider"] == {to_hr}
    assert seen["staff"] == seen["taskforce"] == seen["norole"] == seen["sys_admin"] == set()
