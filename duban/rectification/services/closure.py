"""对账销号: request (unit) → review (liaison group) → approve (office), either of the
last two may send it back with a reason. Approval closes the measure's item, schedules
the re-checks of the relapse watch and closes the finding once all its measures are."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from duban.notify.services import message_send
from duban.org.access import access_for
from duban.rectification import access as rules
from duban.rectification.checklist import checklist_for
from duban.rectification.models import (
    ClosureEvidence,
    ClosureRequest,
    ClosureState,
    ClosureStatus,
    EvidenceKind,
    Measure,
    Recheck,
)
from duban.rectification.recipients import grid_reviewers, office_people, unit_people
from duban.rectification.services import PermissionDenied, Refused
from duban.rectification.services.findings import finding_refresh, store_attachment
from duban.rectification.services.plans import profile_for
from duban.supervision.models import Item, LogKind
from duban.supervision.services.items import log
from duban.supervision.state import item_state_refresh

ERR_CANNOT_REQUEST = "只有牵头单位负责人、联络员或责任人可以申请销号。"
ERR_NOT_OPEN = "该措施当前为“{state}”，不能申请销号。"
ERR_NO_STATEMENT = "请填写完成情况。"
ERR_MISSING = "销号材料不齐：{missing}。"
ERR_NO_DOCUMENT = "建章立制措施必须先登记制度文件（标题、文号、印发日期和文件）才能销号。"
ERR_CANNOT_REVIEW = "只有联系该单位的联络组成员可以审核销号申请。"
ERR_CANNOT_APPROVE = "只有督查办可以审批销号。"
ERR_NOT_PENDING_REVIEW = "该申请不在待联络组审核状态。"
ERR_NOT_PENDING_APPROVAL = "该申请不在待督查办审批状态。"
ERR_NOT_PENDING = "该申请已处理，不能退回。"
ERR_NO_REASON = "退回必须填写理由。"
ERR_CANNOT_RETURN = "只有当前环节的审核人可以退回。"


def _measure_locked(measure: Measure) -> Measure:
    return Measure.objects.select_for_update().select_related("item", "item__lead_unit", "finding").get(pk=measure.pk)


def _link(measure) -> str:
    return reverse("rectification:measure_detail", args=[measure.pk])


@transaction.atomic
def closure_request(*, acting_user, measure: Measure, statement: str, evidence: dict) -> ClosureRequest:
    """The unit asks to close a measure. `evidence` maps checklist keys to text (for
    text lines) or an uploaded file (for file lines); a document line is satisfied by
    the measure's recorded document."""
    access = access_for(acting_user)
    measure = _measure_locked(measure)
    if not rules.can_request_closure(access, measure):
        raise PermissionDenied(ERR_CANNOT_REQUEST)
    if measure.closure != ClosureState.OPEN:
        raise Refused(ERR_NOT_OPEN.format(state=measure.get_closure_display()))
    statement = (statement or "").strip()
    if not statement:
        raise Refused(ERR_NO_STATEMENT)
    checklist = checklist_for(measure.type)
    missing = []
    for line in checklist:
        given = evidence.get(line.key)
        if line.kind == EvidenceKind.DOCUMENT:
            if line.required and not measure.has_document:
                raise Refused(ERR_NO_DOCUMENT)
        elif line.kind == EvidenceKind.TEXT:
            if line.required and not (isinstance(given, str) and given.strip()):
                missing.append(line.label)
        elif line.required and (given is None or isinstance(given, str)):
            missing.append(line.label)
    if missing:
        raise Refused(ERR_MISSING.format(missing="；".join(missing)))

    reviewers = grid_reviewers(measure.item.lead_unit_id)
    request = ClosureRequest.objects.create(
        measure=measure,
        statement=statement,
        requested_by=acting_user,
        status=ClosureStatus.PENDING_REVIEW if reviewers else ClosureStatus.PENDING_APPROVAL,
        review_skipped=not reviewers,
    )
    for line in checklist:
        given = evidence.get(line.key)
        row = ClosureEvidence(request=request, key=line.key, label=line.label, kind=line.kind)
        if line.kind == EvidenceKind.DOCUMENT:
            if not measure.has_document:
                continue
            row.text = f"《{measure.doc_title}》（{measure.doc_number}，{measure.doc_date:%Y-%m-%d}）"
            row.attachment_id = measure.doc_file_id
        elif line.kind == EvidenceKind.TEXT:
            if not (isinstance(given, str) and given.strip()):
                continue
            row.text = given.strip()
        else:
            if given is None or isinstance(given, str):
                continue
            row.attachment = store_attachment(acting_user=acting_user, item=measure.item, upload=given)
        row.save()
    measure.closure = ClosureState.REQUESTED if reviewers else ClosureState.REVIEWED
    measure.save(update_fields=["closure"])
    log(measure.item, LogKind.UPDATED, acting_user, "申请销号：" + statement[:200])
    title = f"销号申请待审核：{measure.item.title[:60]}"
    message_send(recipients=reviewers or office_people(), title=title, body=statement[:500], url=_link(measure))
    return request


@transaction.atomic
def closure_review(*, acting_user, closure: ClosureRequest, remark: str = "") -> ClosureRequest:
    """The liaison group passes the request on to the office."""
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    measure = _measure_locked(closure.measure)
    if not rules.can_review_closure(access_for(acting_user), measure):
        raise PermissionDenied(ERR_CANNOT_REVIEW)
    if closure.status != ClosureStatus.PENDING_REVIEW:
        raise Refused(ERR_NOT_PENDING_REVIEW)
    closure.status = ClosureStatus.PENDING_APPROVAL
    closure.reviewed_by, closure.reviewed_at, closure.review_remark = acting_user, timezone.now(), remark.strip()[:300]
    closure.save()
    measure.closure = ClosureState.REVIEWED
    measure.save(update_fields=["closure"])
    log(measure.item, LogKind.UPDATED, acting_user, "联络组审核通过销号申请" + (f"：{remark}" if remark else ""))
    message_send(
        recipients=office_people(),
        title=f"销号申请待审批：{measure.item.title[:60]}",
        body=remark,
        url=_link(measure),
    )
    return closure


@transaction.atomic
def closure_approve(
    *, acting_user, closure: ClosureRequest, remark: str = "", today: datetime.date | None = None
) -> ClosureRequest:
    """The office closes the measure (销号)."""
    today = today or timezone.localdate()
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    measure = _measure_locked(closure.measure)
    if not rules.can_approve_closure(access_for(acting_user), measure):
        raise PermissionDenied(ERR_CANNOT_APPROVE)
    if closure.status != ClosureStatus.PENDING_APPROVAL:
        raise Refused(ERR_NOT_PENDING_APPROVAL)
    closure.status = ClosureStatus.APPROVED
    closure.approved_by, closure.approved_at, closure.approve_remark = acting_user, timezone.now(), remark.strip()[:300]
    closure.save()
    measure.closure, measure.closed_on, measure.closed_by = ClosureState.CLOSED, today, acting_user
    measure.save(update_fields=["closure", "closed_on", "closed_by"])

    item = Item.objects.select_for_update().get(pk=measure.pk)
    item.completed_on = today
    item.version += 1
    item.save(update_fields=["completed_on", "version"])
    log(item, LogKind.COMPLETED, acting_user, "督查办审批销号" + (f"：{remark}" if remark else ""))
    item_state_refresh(item, today)

    for days in profile_for(item.plan).schedule():
        Recheck.objects.create(
            measure=measure, closure=closure, offset_days=days, due_on=today + datetime.timedelta(days=days)
        )
    finding_refresh(measure.finding)
    message_send(
        recipients=unit_people(item) + [closure.requested_by],
        title=f"已销号：{item.title[:60]}",
        body="销号后将按计划复查，请巩固整改成果，防止反弹回潮。",
        url=_link(measure),
    )
    return closure


@transaction.atomic
def closure_return(*, acting_user, closure: ClosureRequest, reason: str) -> ClosureRequest:
    """Send the request back to the unit: the liaison group while it reviews, the office
    while it approves."""
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    measure = _measure_locked(closure.measure)
    access = access_for(acting_user)
    if closure.status == ClosureStatus.PENDING_REVIEW:
        allowed = rules.can_review_closure(access, measure) or rules.can_manage(access)
    elif closure.status == ClosureStatus.PENDING_APPROVAL:
        allowed = rules.can_approve_closure(access, measure)
    else:
        raise Refused(ERR_NOT_PENDING)
    if not allowed:
        raise PermissionDenied(ERR_CANNOT_RETURN)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(ERR_NO_REASON)
    closure.status = ClosureStatus.RETURNED
    closure.returned_by, closure.returned_at, closure.return_reason = acting_user, timezone.now(), reason[:300]
    closure.save()
    measure.closure = ClosureState.OPEN
    measure.save(update_fields=["closure"])
    log(measure.item, LogKind.UPDATED, acting_user, "退回销号申请：" + reason)
    message_send(
        recipients=unit_people(measure.item) + [closure.requested_by],
        title=f"销号申请被退回：{measure.item.title[:60]}",
        body=reason,
        url=_link(measure),
    )
    return closure
