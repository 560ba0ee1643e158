"""对账销号: request → liaison review → office approval, send-backs, and the checklist."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from duban.notify.models import Message
from duban.rectification.models import (
    ClosureState,
    ClosureStatus,
    EvidenceKind,
    EvidenceRequirement,
    MeasureType,
    Recheck,
    RecheckState,
)
from duban.rectification.services import Refused
from duban.rectification.services.closure import (
    closure_approve,
    closure_request,
    closure_return,
    closure_review,
)
from duban.rectification.services.findings import measure_document_save
from duban.supervision.models import ItemState, Status
from duban.supervision.services.items import item_complete
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def request_deadline(rect, people):
    return closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已修订组织生活会流程并组织培训",
        evidence={"statement": "全部支部已按新流程召开组织生活会", "proof": pdf()},
    )


def test_full_closure_through_liaison_review_and_office_approval(rect, people):
    request = request_deadline(rect, people)
    rect.deadline.refresh_from_db()
    assert request.status == ClosureStatus.PENDING_REVIEW
    assert rect.deadline.closure == ClosureState.REQUESTED
    assert {e.key for e in request.evidence.all()} == {"statement", "proof"}
    assert Message.objects.filter(recipient=people.taskforce, title__contains="销号申请待审核").exists()

    closure_review(acting_user=people.taskforce, closure=request, remark="材料齐全")
    rect.deadline.refresh_from_db()
    assert rect.deadline.closure == ClosureState.REVIEWED
    assert Message.objects.filter(recipient=people.office, title__contains="销号申请待审批").exists()

    closure_approve(acting_user=people.office, closure=request, remark="同意销号", today=rect.today)
    rect.deadline.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ClosureStatus.APPROVED and request.approved_by == people.office
    assert rect.deadline.closure == ClosureState.CLOSED
    assert rect.deadline.closed_on == rect.today and rect.deadline.closed_by == people.office
    assert rect.deadline.item.completed_on == rect.today
    assert ItemState.objects.get(item=rect.deadline.item).status == Status.COMPLETED
    due = list(Recheck.objects.filter(measure=rect.deadline).values_list("offset_days", "due_on", "state"))
    assert due == [
        (30, rect.today + datetime.timedelta(days=30), RecheckState.SCHEDULED),
        (90, rect.today + datetime.timedelta(days=90), RecheckState.SCHEDULED),
        (180, rect.today + datetime.timedelta(days=180), RecheckState.SCHEDULED),
    ]
    # The finding still has an open measure (建章立制).
    rect.f1.refresh_from_db()
    assert rect.f1.closed_on is None


def test_unit_without_liaison_group_goes_straight_to_the_office(rect, people):
    request = closure_request(
        acting_user=people.outsider,
        measure=rect.at_once,
        statement="已立即纠正",
        evidence={"statement": "已重新履行程序"},
    )
    assert request.status == ClosureStatus.PENDING_APPROVAL and request.review_skipped
    closure_approve(acting_user=people.office, closure=request, today=rect.today)
    rect.at_once.refresh_from_db()
    assert rect.at_once.closure == ClosureState.CLOSED


def test_finding_closes_when_all_its_measures_close(rect, people):
    for measure, person, evidence in (
        (rect.at_once, people.outsider, {"statement": "已纠正"}),
        (rect.ongoing, people.liaison, {"mechanism": "已建立全程纪实制度", "proof": pdf()}),
    ):
        request = closure_request(acting_user=person, measure=measure, statement="完成", evidence=evidence)
        if request.status == ClosureStatus.PENDING_REVIEW:
            closure_review(acting_user=people.taskforce, closure=request)
        closure_approve(acting_user=people.office, closure=request, today=rect.today)
    rect.f2.refresh_from_db()
    assert rect.f2.closed_on == rect.today


def test_send_back_by_liaison_group_and_by_office(rect, people):
    request = request_deadline(rect, people)
    with pytest.raises(Refused, match="退回必须填写理由"):
        closure_return(acting_user=people.taskforce, closure=request, reason=" ")
    closure_return(acting_user=people.taskforce, closure=request, reason="缺少会议记录")
    rect.deadline.refresh_from_db()
    assert rect.deadline.closure == ClosureState.OPEN
    assert Message.objects.filter(recipient=people.liaison, title__contains="被退回").exists()

    again = request_deadline(rect, people)
    closure_review(acting_user=people.taskforce, closure=again)
    with pytest.raises(PermissionDenied):
        closure_return(acting_user=people.taskforce, closure=again, reason="再看看")
    closure_return(acting_user=people.office, closure=again, reason="佐证材料不清晰")
    again.refresh_from_db()
    assert again.status == ClosureStatus.RETURNED and again.returned_by == people.office


def test_guards_on_who_and_from_which_state(rect, people):
    with pytest.raises(PermissionDenied):
        closure_request(acting_user=people.staff, measure=rect.deadline, statement="x", evidence={})
    with pytest.raises(PermissionDenied):
        closure_request(acting_user=people.outsider, measure=rect.deadline, statement="x", evidence={})
    request = request_deadline(rect, people)
    with pytest.raises(Refused, match="不能申请销号"):
        request_deadline(rect, people)
    with pytest.raises(PermissionDenied):
        closure_review(acting_user=people.office, closure=request)
    with pytest.raises(Refused, match="待督查办审批"):
        closure_approve(acting_user=people.office, closure=request)
    closure_review(acting_user=people.taskforce, closure=request)
    with pytest.raises(Refused, match="待联络组审核"):
        closure_review(acting_user=people.taskforce, closure=request)
    with pytest.raises(PermissionDenied):
        closure_approve(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request)
    with pytest.raises(Refused, match="已处理"):
        closure_return(acting_user=people.office, closure=request, reason="x")


def test_checklist_requires_every_required_line(rect, people):
    with pytest.raises(Refused, match="佐证材料"):
        closure_request(
            acting_user=people.liaison, measure=rect.deadline, statement="完成", evidence={"statement": "说明"}
        )
    with pytest.raises(Refused, match="请填写完成情况"):
        closure_request(acting_user=people.liaison, measure=rect.deadline, statement="", evidence={})
    rect.deadline.refresh_from_db()
    assert rect.deadline.closure == ClosureState.OPEN
    assert not rect.deadline.closures.exists()


def test_office_configured_checklist_replaces_the_defaults(rect, people):
    EvidenceRequirement.objects.create(
        measure_type=MeasureType.DEADLINE, key="minutes", label="支部会议记录", kind=EvidenceKind.FILE
    )
    with pytest.raises(Refused, match="支部会议记录"):
        closure_request(acting_user=people.liaison, measure=rect.deadline, statement="完成", evidence={})
    request = closure_request(
        acting_user=people.liaison, measure=rect.deadline, statement="完成", evidence={"minutes": pdf("记录.pdf")}
    )
    assert [e.label for e in request.evidence.all()] == ["支部会议记录"]


def test_institution_measure_cannot_close_without_its_document(rect, people):
    evidence = {"execution": "已宣传执行"}
    with pytest.raises(Refused, match="必须先登记制度文件"):
        closure_request(acting_user=people.liaison, measure=rect.rule, statement="已制定", evidence=evidence)
    # Even when the office's checklist forgets the document line.
    EvidenceRequirement.objects.create(
        measure_type=MeasureType.INSTITUTION, key="execution", label="执行情况", kind=EvidenceKind.TEXT
    )
    with pytest.raises(Refused, match="必须先登记制度文件"):
        closure_request(acting_user=people.liaison, measure=rect.rule, statement="已制定", evidence=evidence)
    with pytest.raises(Refused, match="标题、文号和印发日期"):
        measure_document_save(
            acting_user=people.liaison, measure=rect.rule, title="组织生活会工作规范", number="", issued_on="2026-11-01"
        )
    with pytest.raises(Refused, match="上传制度文件"):
        measure_document_save(
            acting_user=people.liaison,
            measure=rect.rule,
            title="组织生活会工作规范",
            number="航院党发〔2026〕12号",
            issued_on="2026-11-01",
        )
    measure_document_save(
        acting_user=people.liaison,
        measure=rect.rule,
        title="组织生活会工作规范",
        number="航院党发〔2026〕12号",
        issued_on="2026-11-01",
        upload=pdf("规范.pdf"),
    )
    request = closure_request(acting_user=people.liaison, measure=rect.rule, statement="已制定", evidence=evidence)
    doc = request.evidence.get(key="document")
    assert "航院党发〔2026〕12号" in doc.text and doc.attachment_id == rect.rule.doc_file_id


def test_measure_item_cannot_be_completed_outside_closure(rect, people):
    with pytest.raises(Refused, match="对账销号"):
        item_complete(acting_user=people.office, item=rect.deadline.item)
