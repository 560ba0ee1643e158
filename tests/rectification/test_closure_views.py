"""The measure page and the closure workflow through the views: request with files,
liaison review, office approval, send-backs, the queue, the checklist settings, the
建章立制 document and the re-check pages."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from duban.rectification.models import (
    ClosureRequest,
    ClosureState,
    ClosureStatus,
    EvidenceKind,
    EvidenceRequirement,
    MeasureType,
    Recheck,
    RecheckState,
    Relapse,
)
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.supervision.models import Attachment
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def measure_url(measure):
    return reverse("rectification:measure_detail", args=[measure.pk])


def post_request(client, measure, follow=False, **data):
    payload = {
        "statement": "已修订组织生活会流程并组织培训",
        "ev_statement": "全部支部已按新流程召开",
        "ev_proof": pdf(),
    }
    payload.update(data)
    return client.post(reverse("rectification:closure_request", args=[measure.pk]), payload, follow=follow)


# --- the measure page ------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, rect):
    for url in [
        measure_url(rect.deadline),
        reverse("rectification:closure_queue"),
        reverse("rectification:recheck_queue"),
        reverse("rectification:checklist_config"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("office", 200),
        ("head", 200),
        ("liaison", 200),
        ("taskforce", 200),
        ("discipline", 200),
        ("outsider", 404),  # 人事处: not their measure
        ("staff", 403),
        ("sys_admin", 403),
        ("norole", 403),
    ],
)
def test_measure_page_visibility(rect, people, client_for, persona, status):
    assert client_for(getattr(people, persona)).get(measure_url(rect.deadline)).status_code == status


def test_the_request_form_is_for_the_lead_unit_only(rect, people, client_for):
    liaison_page = client_for(people.liaison).get(measure_url(rect.deadline)).content.decode()
    assert "提交销号申请" in liaison_page and 'name="ev_proof"' in liaison_page and 'type="file"' in liaison_page
    for persona in ["leader", "office", "taskforce", "discipline"]:
        page = client_for(getattr(people, persona)).get(measure_url(rect.deadline)).content.decode()
        assert "提交销号申请" not in page, persona


@pytest.mark.parametrize("persona", ["leader", "office", "taskforce", "discipline", "staff", "outsider"])
def test_others_cannot_request_closure(rect, people, client_for, persona):
    response = post_request(client_for(getattr(people, persona)), rect.deadline)
    assert response.status_code in (403, 404)
    assert not ClosureRequest.objects.exists()


# --- the full flow ---------------------------------------------------------------------


def test_request_review_approve_through_the_views(rect, people, client_for):
    liaison, taskforce, office = (client_for(p) for p in (people.liaison, people.taskforce, people.office))
    response = post_request(liaison, rect.deadline)
    assert response.status_code == 302 and response["Location"] == measure_url(rect.deadline)
    closure = ClosureRequest.objects.get()
    assert closure.status == ClosureStatus.PENDING_REVIEW
    proof = closure.evidence.get(key="proof")
    assert proof.attachment.original_name == "佐证材料.pdf" and proof.attachment.item_id == rect.deadline.pk
    assert closure.evidence.get(key="statement").text == "全部支部已按新流程召开"

    # The office cannot approve before the liaison group has reviewed.
    response = office.post(reverse("rectification:closure_approve", args=[closure.pk]), {"decision": "pass"})
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.PENDING_REVIEW

    page = taskforce.get(measure_url(rect.deadline)).content.decode()
    assert "联络组审核" in page and reverse("supervision:attachment_download", args=[proof.attachment_id]) in page
    assert taskforce.get(reverse("supervision:attachment_download", args=[proof.attachment_id])).status_code == 200
    response = taskforce.post(
        reverse("rectification:closure_review", args=[closure.pk]), {"decision": "pass", "remark": "材料齐全"}
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.PENDING_APPROVAL and closure.reviewed_by == people.taskforce

    assert "同意销号" in office.get(measure_url(rect.deadline)).content.decode()
    response = office.post(reverse("rectification:closure_approve", args=[closure.pk]), {"decision": "pass"})
    assert response.status_code == 302
    closure.refresh_from_db()
    rect.deadline.refresh_from_db()
    assert closure.status == ClosureStatus.APPROVED and closure.approved_by == people.office
    assert rect.deadline.closure == ClosureState.CLOSED
    page = office.get(measure_url(rect.deadline)).content.decode()
    assert "已销号：王文书" in page and "销号后第 30 天" in page


def test_liaison_group_returns_with_a_reason(rect, people, client_for):
    post_request(client_for(people.liaison), rect.deadline)
    closure = ClosureRequest.objects.get()
    taskforce = client_for(people.taskforce)
    url = reverse("rectification:closure_review", args=[closure.pk])
    response = taskforce.post(url, {"decision": "return", "remark": ""}, follow=True)
    assert "退回必须填写理由" in response.content.decode()
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.PENDING_REVIEW
    taskforce.post(url, {"decision": "return", "remark": "缺少会议记录"})
    closure.refresh_from_db()
    rect.deadline.refresh_from_db()
    assert closure.status == ClosureStatus.RETURNED and closure.return_reason == "缺少会议记录"
    assert rect.deadline.closure == ClosureState.OPEN
    page = client_for(people.liaison).get(measure_url(rect.deadline)).content.decode()
    assert "缺少会议记录" in page and "提交销号申请" in page


def test_office_returns_at_approval(rect, people, client_for):
    post_request(client_for(people.liaison), rect.deadline)
    closure = ClosureRequest.objects.get()
    client_for(people.taskforce).post(reverse("rectification:closure_review", args=[closure.pk]), {"decision": "pass"})
    client_for(people.office).post(
        reverse("rectification:closure_approve", args=[closure.pk]), {"decision": "return", "remark": "效果待观察"}
    )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.RETURNED and closure.returned_by == people.office
    rect.deadline.refresh_from_db()
    assert rect.deadline.closure == ClosureState.OPEN


@pytest.mark.parametrize("persona", ["liaison", "head", "leader", "discipline", "office"])
def test_only_the_liaison_group_passes_a_review(rect, people, client_for, persona):
    post_request(client_for(people.liaison), rect.deadline)
    closure = ClosureRequest.objects.get()
    response = client_for(getattr(people, persona)).post(
        reverse("rectification:closure_review", args=[closure.pk]), {"decision": "pass"}
    )
    assert response.status_code == 403
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.PENDING_REVIEW


@pytest.mark.parametrize("persona", ["liaison", "head", "leader", "discipline", "taskforce"])
def test_only_the_office_approves(rect, people, client_for, persona):
    post_request(client_for(people.liaison), rect.deadline)
    closure = ClosureRequest.objects.get()
    closure_review(acting_user=people.taskforce, closure=closure)
    response = client_for(getattr(people, persona)).post(
        reverse("rectification:closure_approve", args=[closure.pk]), {"decision": "pass"}
    )
    assert response.status_code == 403
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.PENDING_APPROVAL


def test_outsider_gets_404_on_another_units_closure(rect, people, client_for):
    post_request(client_for(people.liaison), rect.deadline)
    closure = ClosureRequest.objects.get()
    url = reverse("rectification:closure_review", args=[closure.pk])
    assert client_for(people.outsider).post(url, {"decision": "pass"}).status_code == 404


def test_missing_evidence_keeps_the_statement(rect, people, client_for):
    response = post_request(client_for(people.liaison), rect.deadline, ev_proof="", statement="我写的说明")
    page = response.content.decode()
    assert response.status_code == 400 and "我写的说明" in page
    assert "佐证材料（会议记录、文件、照片等）" in page
    assert not ClosureRequest.objects.exists()


def test_a_rejected_file_type_is_refused(rect, people, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = post_request(client_for(people.liaison), rect.deadline, ev_proof=bad)
    assert response.status_code == 400
    assert not ClosureRequest.objects.exists() and not Attachment.objects.exists()


def test_a_second_request_while_pending_is_refused(rect, people, client_for):
    client = client_for(people.liaison)
    post_request(client, rect.deadline)
    response = post_request(client, rect.deadline, follow=True)
    assert "不能申请销号" in response.content.decode()
    assert ClosureRequest.objects.count() == 1


def test_a_unit_without_liaison_group_goes_straight_to_the_office(rect, people, client_for):
    response = client_for(people.outsider).post(
        reverse("rectification:closure_request", args=[rect.at_once.pk]),
        {"statement": "已纠正", "ev_statement": "已纠正"},
    )
    assert response.status_code == 302
    closure = ClosureRequest.objects.get()
    assert closure.status == ClosureStatus.PENDING_APPROVAL and closure.review_skipped


# --- 建章立制: the document ---------------------------------------------------------------


def test_institution_measure_needs_its_document_before_closure(rect, people, client_for):
    liaison = client_for(people.liaison)
    page = liaison.get(measure_url(rect.rule)).content.decode()
    assert "未登记" in page and "登记制度文件" in page
    response = liaison.post(
        reverse("rectification:closure_request", args=[rect.rule.pk]),
        {"statement": "已制定规范", "ev_execution": "已印发执行"},
    )
    assert response.status_code == 400 and "建章立制措施必须先登记制度文件" in response.content.decode()

    url = reverse("rectification:measure_document", args=[rect.rule.pk])
    response = liaison.post(url, {"title": "组织生活会工作规范", "number": "", "issued_on": "2026-10-20"})
    assert response.status_code == 400
    response = liaison.post(
        url,
        {
            "title": "组织生活会工作规范",
            "number": "党委发〔2026〕12号",
            "issued_on": "2026-10-20",
            "file": pdf("规范.pdf"),
        },
    )
    assert response.status_code == 302
    rect.rule.refresh_from_db()
    assert rect.rule.has_document and rect.rule.doc_number == "党委发〔2026〕12号"
    response = liaison.post(
        reverse("rectification:closure_request", args=[rect.rule.pk]),
        {"statement": "已制定规范", "ev_execution": "已印发执行"},
    )
    assert response.status_code == 302
    assert ClosureRequest.objects.get().evidence.get(key="document").attachment_id == rect.rule.doc_file_id


@pytest.mark.parametrize("persona", ["taskforce", "leader", "discipline"])
def test_others_cannot_record_the_document(rect, people, client_for, persona):
    response = client_for(getattr(people, persona)).post(
        reverse("rectification:measure_document", args=[rect.rule.pk]),
        {"title": "规范", "number": "1号", "issued_on": "2026-10-20", "file": pdf()},
    )
    assert response.status_code == 403


# --- the queue --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "head", "liaison", "discipline", "outsider", "staff", "norole"])
def test_closure_queue_is_for_the_liaison_group_and_the_office(rect, people, client_for, persona):
    assert client_for(getattr(people, persona)).get(reverse("rectification:closure_queue")).status_code == 403


def test_closure_queue_contents(rect, people, client_for):
    post_request(client_for(people.liaison), rect.deadline)
    client_for(people.outsider).post(
        reverse("rectification:closure_request", args=[rect.at_once.pk]),
        {"statement": "已纠正", "ev_statement": "已纠正"},
    )
    deadline_closure = ClosureRequest.objects.get(measure=rect.deadline)
    at_once_closure = ClosureRequest.objects.get(measure=rect.at_once)

    grid = client_for(people.taskforce).get(reverse("rectification:closure_queue"))
    assert grid.context["to_review"] == [deadline_closure] and grid.context["to_approve"] == []

    office = client_for(people.office).get(reverse("rectification:closure_queue"))
    assert office.context["to_approve"] == [at_once_closure]
    assert office.context["watching"] == [deadline_closure]
    page = office.content.decode()
    assert reverse("rectification:closure_approve", args=[at_once_closure.pk]) in page
    assert reverse("rectification:closure_review", args=[deadline_closure.pk]) not in page  # read-only

    # Passing from the queue comes back to the queue.
    response = client_for(people.taskforce).post(
        reverse("rectification:closure_review", args=[deadline_closure.pk]),
        {"decision": "pass", "next": reverse("rectification:closure_queue")},
    )
    assert response["Location"] == reverse("rectification:closure_queue")


# --- the checklist settings ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "head", "liaison", "taskforce", "discipline", "staff"])
def test_checklist_config_is_for_the_office(rect, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get(reverse("rectification:checklist_config")).status_code == 403
    assert client.post(reverse("rectification:checklist_config"), {}).status_code == 403


def formset(lines, measure_type=MeasureType.DEADLINE, extra=None):
    data = {"type": measure_type, "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}
    for i, line in enumerate(lines):
        for key, value in line.items():
            if value is True:
                value = "on"
            if value is False:
                continue
            data[f"lines-{i}-{key}"] = value
    data.update(extra or {})
    return data


def test_checklist_config_shows_defaults_then_saves_lines(rect, people, client_for):
    client = client_for(people.office)
    url = reverse("rectification:checklist_config")
    page = client.get(url, {"type": "deadline"}).content.decode()
    assert "系统默认" in page and "佐证材料（会议记录、文件、照片等）" in page
    response = client.post(
        url,
        formset(
            [
                {"key": "statement", "label": "整改完成情况说明", "kind": "text", "required": True, "order": "2"},
                {"key": "proof", "label": "佐证材料", "kind": "file", "required": False, "order": "3"},
                {"key": "", "label": "单位党组织意见", "kind": "file", "required": True, "order": "1"},
                {"key": "", "label": "", "kind": "text", "order": ""},  # blank row left out
            ]
        ),
    )
    assert response.status_code == 302
    rows = list(EvidenceRequirement.objects.filter(measure_type="deadline").values_list("label", "kind", "required"))
    assert rows == [("单位党组织意见", "file", True), ("整改完成情况说明", "text", True), ("佐证材料", "file", False)]
    # The measure page asks for the new line.
    page = client_for(people.liaison).get(measure_url(rect.deadline)).content.decode()
    assert "单位党组织意见" in page


def test_checklist_config_refuses_duplicates_and_resets(rect, people, client_for):
    client = client_for(people.office)
    url = reverse("rectification:checklist_config")
    response = client.post(
        url,
        formset(
            [
                {"label": "说明", "kind": "text", "required": True, "order": "1"},
                {"label": "说明", "kind": "file", "required": True, "order": "2"},
            ]
        ),
    )
    assert response.status_code == 200 and "要求“说明”重复了" in response.content.decode()
    assert not EvidenceRequirement.objects.exists()
    EvidenceRequirement.objects.create(measure_type="deadline", key="x", label="自定义", kind=EvidenceKind.TEXT)
    client.post(url, {"type": "deadline", "reset": "1"})
    assert not EvidenceRequirement.objects.exists()


# --- re-check pages ---------------------------------------------------------------------


def closed_deadline(rect, people):
    request = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已修订",
        evidence={"statement": "已召开", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request, today=rect.today)


@pytest.mark.parametrize("persona", ["leader", "head", "liaison", "discipline", "outsider", "staff"])
def test_recheck_queue_is_for_the_liaison_group_and_the_office(rect, people, client_for, persona):
    assert client_for(getattr(people, persona)).get(reverse("rectification:recheck_queue")).status_code == 403


def test_recheck_queue_and_record_hold(rect, people, client_for):
    closed_deadline(rect, people)
    first = Recheck.objects.get(measure=rect.deadline, offset_days=30)
    queue = client_for(people.taskforce).get(reverse("rectification:recheck_queue"))
    assert queue.context["due"] == [] and len(queue.context["upcoming"]) == 3
    url = reverse("rectification:recheck_record", args=[first.pk])
    # Not yet due: the form is not offered, a post is refused.
    assert "尚未到期" in client_for(people.taskforce).get(url).content.decode()
    client_for(people.taskforce).post(url, {"verdict": "held"})
    first.refresh_from_db()
    assert first.state == RecheckState.SCHEDULED
    with time_machine.travel(datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        taskforce = client_for(people.taskforce)
        queue = taskforce.get(reverse("rectification:recheck_queue"))
        assert [r.pk for r in queue.context["due"]] == [first.pk]
        assert client_for(people.liaison).get(url).status_code == 403
        assert client_for(people.outsider).get(url).status_code == 404
        response = taskforce.post(url, {"verdict": "held", "remark": "制度执行良好"})
        assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == RecheckState.HELD and first.checked_by == people.taskforce


def test_record_relapse_needs_a_description_and_reopens(rect, people, client_for):
    closed_deadline(rect, people)
    first = Recheck.objects.get(measure=rect.deadline, offset_days=30)
    url = reverse("rectification:recheck_record", args=[first.pk])
    with time_machine.travel(datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        office = client_for(people.office)
        response = office.post(url, {"verdict": "relapsed", "remark": ""})
        assert response.status_code == 200 and "请写明反弹的具体情况" in response.content.decode()
        response = office.post(url, {"verdict": "relapsed", "remark": "又出现记录不全"})
        assert response.status_code == 302
        rect.deadline.refresh_from_db()
        assert rect.deadline.closure == ClosureState.OPEN and rect.deadline.relapse_count == 1
        assert Relapse.objects.get().description == "又出现记录不全"
        page = client_for(people.office).get(measure_url(rect.deadline)).content.decode()
        assert "又出现记录不全" in page and "已取消" in page
        # The approval that the relapse undid says so in the closure history.
        assert "因反弹撤销销号" in page
