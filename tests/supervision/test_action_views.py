"""Pages of the supervision actions: who may open and post them, and what they do."""

import datetime
import io
import re
from urllib.parse import quote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from docx import Document

from duban.notify.models import Message, MessageKind
from duban.org.access import access_for
from duban.supervision.models import (
    Accountability,
    AccountabilityKind,
    Circular,
    Instruction,
    ItemState,
    Notice,
    NoticeStatus,
    Status,
    Warning,
)
from duban.supervision.services import actions as services

PERSONAS = [
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
    "audit_admin",
    "norole",
]
# Everyone with a role except the three administrators.
PLAN_READERS = {"leader", "office", "head", "liaison", "taskforce", "discipline", "staff", "outsider"}
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


@pytest.fixture
def notice(work, people):
    return services.notice_issue(
        acting_user=people.office,
        item=work.teaching,
        requirement="请于两周内完成方案论证。",
        respond_by=datetime.date(2026, 11, 16),
    )


@pytest.fixture
def circular(work, people):
    return services.circular_issue(acting_user=people.office, plan=work.plan, title="推进情况通报", body="现通报如下。")


def item_pages(work):
    """(url name, personas allowed) of the action pages on an item."""
    return [
        ("supervision:item_urge", {"office"}),
        ("supervision:notice_create", {"office"}),
        ("supervision:warning_create", {"office", "discipline"}),
        ("supervision:accountability_create", {"office", "discipline"}),
        ("supervision:instruction_create", {"leader"}),
    ]


def assert_csp_clean(html: str):
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)


# --- Permissions: every view × persona ---------------------------------------------


def test_anonymous_is_sent_to_login(work, notice, circular, client):
    urls = [reverse(name, args=[work.teaching.pk]) for name, _ in item_pages(work)]
    urls += [
        reverse("supervision:notice_list"),
        reverse("supervision:notice_detail", args=[notice.pk]),
        reverse("supervision:notice_docx", args=[notice.pk]),
        reverse("supervision:circular_list", args=[work.plan.pk]),
        reverse("supervision:circular_create", args=[work.plan.pk]),
        reverse("supervision:circular_detail", args=[circular.pk]),
        reverse("supervision:circular_docx", args=[circular.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url
    for name in ("notice_answer", "notice_close"):
        response = client.post(reverse(f"supervision:{name}", args=[notice.pk]), {"response": "x"})
        assert response.url.startswith(reverse("accounts:login"))
    assert Notice.objects.get().status == NoticeStatus.ISSUED


@pytest.mark.parametrize("persona", PERSONAS)
def test_item_action_pages(persona, work, people, client_for):
    client = client_for(getattr(people, persona))
    for name, allowed in item_pages(work):
        url = reverse(name, args=[work.teaching.pk])
        response = client.get(url)
        assert response.status_code == (200 if persona in allowed else 403), url
        if persona in allowed:
            assert_csp_clean(response.content.decode())
        else:
            assert client.post(url, {"text": "x", "requirement": "x"}).status_code == 403, url
    assert not Message.objects.exists()
    assert not Notice.objects.exists() and not Warning.objects.exists() and not Instruction.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_notice_pages(persona, work, people, notice, client_for):
    client = client_for(getattr(people, persona))
    readers = {"office", "discipline", "leader", "head", "liaison"}
    expected = 200 if persona in readers else 403
    assert client.get(reverse("supervision:notice_detail", args=[notice.pk])).status_code == expected
    assert client.get(reverse("supervision:notice_docx", args=[notice.pk])).status_code == expected
    assert client.get(reverse("supervision:notice_list")).status_code == (200 if persona in PLAN_READERS else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_notice_answer_only_by_the_addressed_unit(persona, work, people, notice, client_for):
    client = client_for(getattr(people, persona))
    response = client.post(reverse("supervision:notice_answer", args=[notice.pk]), {"response": "已完成论证。"})
    notice.refresh_from_db()
    if persona in ("head", "liaison"):
        assert response.status_code == 302
        assert notice.status == NoticeStatus.ANSWERED
    else:
        assert response.status_code == 403
        assert notice.status == NoticeStatus.ISSUED


@pytest.mark.parametrize("persona", PERSONAS)
def test_notice_close_only_by_the_office(persona, work, people, notice, client_for):
    services.notice_answer(acting_user=people.head, notice=notice, response="已完成。")
    client = client_for(getattr(people, persona))
    response = client.post(reverse("supervision:notice_close", args=[notice.pk]), {"comment": ""})
    notice.refresh_from_db()
    assert response.status_code == (302 if persona == "office" else 403)
    assert notice.status == (NoticeStatus.CLOSED if persona == "office" else NoticeStatus.ANSWERED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_circular_pages(persona, work, people, circular, client_for):
    client = client_for(getattr(people, persona))
    readable = 200 if persona in PLAN_READERS else 403
    assert client.get(reverse("supervision:circular_list", args=[work.plan.pk])).status_code == readable
    assert client.get(reverse("supervision:circular_detail", args=[circular.pk])).status_code == readable
    assert client.get(reverse("supervision:circular_docx", args=[circular.pk])).status_code == readable
    url = reverse("supervision:circular_create", args=[work.plan.pk])
    assert client.get(url).status_code == (200 if persona == "office" else 403)
    if persona != "office":
        assert client.post(url, {"title": "x", "body": "x"}).status_code == 403
        assert Circular.objects.count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_accountability_file_download(persona, work, people, media, client_for):
    record = services.accountability_record(
        acting_user=people.discipline,
        item=work.teaching,
        kind=AccountabilityKind.TALK,
        reason="逾期。",
        decided_on=datetime.date(2026, 11, 1),
        decision_file=SimpleUploadedFile("约谈决定.pdf", PDF),
    )
    response = client_for(getattr(people, persona)).get(reverse("supervision:accountability_file", args=[record.pk]))
    allowed = {"office", "discipline", "leader", "head"}
    assert response.status_code == (200 if persona in allowed else 403)
    if persona in allowed:
        assert b"".join(response.streaming_content) == PDF
        assert quote("约谈决定") in response["Content-Disposition"]


# --- What the pages do -----------------------------------------------------------


def test_office_urges_from_the_page(work, people, client_for):
    client = client_for(people.office)
    url = reverse("supervision:item_urge", args=[work.teaching.pk])
    page = client.get(url).content.decode()
    assert "本科教学质量提升工程" in page and "当前状态为“滞后”" in page
    response = client.post(url, {"text": "请本周五前报送进展。"})
    assert response.status_code == 302 and response.url == work.teaching.get_absolute_url()
    assert set(Message.objects.filter(kind=MessageKind.URGE).values_list("recipient__username", flat=True)) == {
        "head",
        "liaison",
    }
    response = client.post(url, {"text": ""})
    assert response.status_code == 200
    assert "请修改以下问题后再提交" in response.content.decode()


def test_office_issues_a_notice_from_the_page(work, people, org, client_for):
    client = client_for(people.office)
    url = reverse("supervision:notice_create", args=[work.teaching.pk])
    page = client.get(url).content.decode()
    assert 'value="2026-11-09"' in page  # a week to answer by default
    assert "data-confirm=" in page
    form = {
        "title": "关于加快推进本科教学质量提升工程的督办通知",
        "addressee_unit": org.academic.pk,
        "requirement": "请于两周内完成方案论证。",
        "respond_by": "2026-11-01",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert services.ERR_RESPOND_BY_PAST in response.content.decode()
    assert not Notice.objects.exists()
    response = client.post(url, {**form, "respond_by": "2026-11-16"})
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("supervision:notice_detail", args=[notice.pk])
    assert notice.number == "督办〔2026〕1号"
    page = client.get(response.url).content.decode()
    assert "督办〔2026〕1号" in page
    assert reverse("supervision:notice_docx", args=[notice.pk]) in page
    assert_csp_clean(page)


def test_answer_form_for_the_unit_and_close_button_for_the_office(work, people, notice, client_for):
    url = reverse("supervision:notice_detail", args=[notice.pk])
    answer_url = reverse("supervision:notice_answer", args=[notice.pk])
    close_url = reverse("supervision:notice_close", args=[notice.pk])
    head_page = client_for(people.head).get(url).content.decode()
    assert answer_url in head_page and close_url not in head_page
    office_page = client_for(people.office).get(url).content.decode()
    assert answer_url not in office_page and close_url not in office_page
    # An empty answer is refused beside the field; the notice stays open.
    response = client_for(people.head).post(answer_url, {"response": ""})
    assert response.status_code == 200
    assert "请修改以下问题后再提交" in response.content.decode()
    response = client_for(people.head).post(answer_url, {"response": "方案已完成论证。"})
    assert response.status_code == 302
    office_page = client_for(people.office).get(url).content.decode()
    assert "方案已完成论证。" in office_page and close_url in office_page
    assert "data-confirm=" in office_page
    # A second answer is refused with a message, not an error page.
    response = client_for(people.liaison).post(answer_url, {"response": "再答"}, follow=True)
    assert services.ERR_NOT_ISSUED in response.content.decode()
    response = client_for(people.office).post(close_url, {"comment": "同意"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED


def test_another_lead_unit_cannot_answer_a_notice_not_addressed_to_it(work, people, notice, client_for):
    # 人事处 leads its own item and co-owns this one; the notice is addressed to 教务处.
    own = services.notice_issue(
        acting_user=people.office, item=work.talent, requirement="请加快引进。", respond_by=datetime.date(2026, 11, 20)
    )
    client = client_for(people.outsider)
    assert client.post(reverse("supervision:notice_answer", args=[notice.pk]), {"response": "x"}).status_code == 403
    assert client.post(reverse("supervision:notice_answer", args=[own.pk]), {"response": "已引进"}).status_code == 302
    notice.refresh_from_db()
    own.refresh_from_db()
    assert (notice.status, own.status) == (NoticeStatus.ISSUED, NoticeStatus.ANSWERED)


def test_notice_docx_download(work, people, notice, client_for):
    response = client_for(people.head).get(reverse("supervision:notice_docx", args=[notice.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="notice-2026-1.docx"')
    assert "filename*=UTF-8''" + quote("督办〔2026〕1号 本科教学质量提升工程.docx", safe="") in disposition
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "督办〔2026〕1号" in text


def test_notice_list_filters_counts_and_scopes(work, people, notice, client_for):
    services.notice_issue(
        acting_user=people.office, item=work.talent, requirement="请加快。", respond_by=datetime.date(2026, 11, 20)
    )
    services.notice_answer(acting_user=people.head, notice=notice, response="已办")
    url = reverse("supervision:notice_list")
    office = client_for(people.office)
    page = office.get(url).content.decode()
    assert "共 2 份督办单" in page
    assert "督办〔2026〕1号" in page and "督办〔2026〕2号" in page
    page = office.get(url, {"status": "answered"}).content.decode()
    assert "共 1 份督办单" in page and "督办〔2026〕2号" not in page
    page = office.get(url, {"status": "closed"}).content.decode()
    assert "没有符合条件的督办单" in page
    page = office.get(url, {"plan": work.plan.pk, "sort": "number"}).content.decode()
    assert page.index("督办〔2026〕1号") < page.index("督办〔2026〕2号")
    assert_csp_clean(page)
    # Units see the notices addressed to them.
    head_page = client_for(people.head).get(url).content.decode()
    assert "督办〔2026〕1号" in head_page and "督办〔2026〕2号" not in head_page
    staff_page = client_for(people.staff).get(url).content.decode()
    assert "还没有发给您单位的督办单" in staff_page


def test_notice_list_marks_overdue_answers(work, people, notice, client_for):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        page = client_for(people.office).get(reverse("supervision:notice_list")).content.decode()
    assert "逾期未回复" in page


def test_warning_from_the_page(work, people, org, client_for):
    url = reverse("supervision:warning_create", args=[work.teaching.pk])
    response = client_for(people.discipline).post(
        url, {"unit": org.academic.pk, "person": people.liaison.pk, "text": "进度滞后，予以告诫。"}
    )
    assert response.status_code == 302
    warning = Warning.objects.get()
    assert (warning.unit, warning.person, warning.issued_by) == (org.academic, people.liaison, people.discipline)


def test_accountability_from_the_page(work, people, org, media, client_for):
    client = client_for(people.discipline)
    url = reverse("supervision:accountability_create", args=[work.teaching.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    form = {
        "unit": org.academic.pk,
        "person": people.head.pk,
        "kind": AccountabilityKind.ADMONITION,
        "reason": "事项严重滞后。",
        "decided_on": "2026-11-01",
        "decision_title": "关于对赵处长诫勉谈话的决定",
        "decision_number": "纪发〔2026〕5号",
    }
    response = client.post(url, {**form, "decision_file": SimpleUploadedFile("决定.pdf", b"\x89PNG\r\n\x1a\nxx")})
    assert response.status_code == 200
    assert services.ERR_FILE_CONTENT in response.content.decode()
    assert not Accountability.objects.exists()
    response = client.post(url, {**form, "decided_on": "2026-12-01"})
    assert services.ERR_DECIDED_FUTURE in response.content.decode()
    response = client.post(url, {**form, "decision_file": SimpleUploadedFile("决定.pdf", PDF)})
    assert response.status_code == 302
    record = Accountability.objects.get()
    assert (record.kind, record.person, record.decision_number) == ("admonition", people.head, "纪发〔2026〕5号")
    assert record.decision_file.read() == PDF


def test_instruction_from_the_page(work, people, client_for):
    url = reverse("supervision:instruction_create", args=[work.teaching.pk])
    response = client_for(people.leader).post(url, {"text": "请加快推进。"})
    assert response.status_code == 302
    assert Instruction.objects.get().text == "请加快推进。"


def test_circular_form_preselects_lagging_units(work, people, org, client_for):
    ItemState.objects.filter(item=work.talent).update(status=Status.OVERDUE)
    ItemState.objects.filter(item__in=[work.labs, work.courses]).update(status=Status.ON_TRACK)
    client = client_for(people.office)
    url = reverse("supervision:circular_create", args=[work.plan.pk])
    page = client.get(url).content.decode()
    checked = set(re.findall(r'<input type="checkbox" name="units" value="(\d+)"[^>]*checked', page))
    assert checked == {str(org.hr.pk), str(org.academic.pk)}
    assert page.index("人事处（逾期 1，滞后 0）") < page.index("教务处（逾期 0，滞后 1）")
    assert "逾期1项" in page  # the default body lists the units
    assert_csp_clean(page)
    response = client.post(url, {"title": "关于推进情况的通报", "body": "现通报如下。", "units": [org.hr.pk]})
    circular = Circular.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("supervision:circular_detail", args=[circular.pk])
    assert list(circular.units.all()) == [org.hr]
    assert Message.objects.filter(kind=MessageKind.CIRCULAR, recipient=people.outsider).exists()
    list_page = client.get(reverse("supervision:circular_list", args=[work.plan.pk])).content.decode()
    assert "关于推进情况的通报" in list_page
    assert reverse("supervision:circular_docx", args=[circular.pk]) in list_page
    docx = client.get(reverse("supervision:circular_docx", args=[circular.pk]))
    assert "关于推进情况的通报" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)


# --- The includes for the item page ------------------------------------------------


def render_include(name, work, person, rf):
    request = rf.get("/")
    request.user = person
    actions = services.item_action_rules(access_for(person), work.teaching)
    return render_to_string(f"supervision/actions/{name}", {"item": work.teaching, "actions": actions}, request=request)


def test_item_actions_include_shows_allowed_buttons(work, people, rf):
    office = render_include("_item_actions.html", work, people.office, rf)
    for name in ("item_urge", "notice_create", "warning_create", "accountability_create"):
        assert reverse(f"supervision:{name}", args=[work.teaching.pk]) in office
    assert reverse("supervision:instruction_create", args=[work.teaching.pk]) not in office
    leader = render_include("_item_actions.html", work, people.leader, rf)
    assert reverse("supervision:instruction_create", args=[work.teaching.pk]) in leader
    assert reverse("supervision:item_urge", args=[work.teaching.pk]) not in leader
    assert render_include("_item_actions.html", work, people.staff, rf).strip() == ""


def test_item_records_include(work, people, notice, media, rf):
    services.instruction_add(acting_user=people.leader, item=work.teaching, text="抓紧落实。")
    services.warning_issue(acting_user=people.office, item=work.teaching, text="限期整改。")
    services.accountability_record(
        acting_user=people.discipline,
        item=work.teaching,
        kind=AccountabilityKind.TALK,
        reason="逾期未报。",
        decided_on=datetime.date(2026, 11, 1),
        decision_file=SimpleUploadedFile("决定.pdf", PDF),
    )
    html = render_include("_item_records.html", work, people.office, rf)
    assert "督办〔2026〕1号" in html and "抓紧落实。" in html and "限期整改。" in html
    assert "逾期未报。" in html
    assert reverse("supervision:accountability_file", args=[Accountability.objects.get().pk]) in html
    assert_csp_clean(html)
    staff = render_include("_item_records.html", work, people.staff, rf)
    assert "抓紧落实。" in staff and "逾期未报。" not in staff
