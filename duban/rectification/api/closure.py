"""Closure against the ledger (对账销号) through the API: the evidence checklist of a
measure type, the unit's request (multipart, with evidence by checklist key), the liaison
group's review, the office's approval, sending back, and the queue of requests waiting
for the caller."""

from django.db.models import Q
from ninja import Form, Query, Router, Status
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.pagination import Pagination
from duban.org.access import ALL
from duban.org.models import Role
from duban.rectification import access as rules
from duban.rectification.api.common import (
    CLOSURES,
    ONE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    access_of,
    closure_get,
    measure_get,
    require,
)
from duban.rectification.api.schemas import (
    ChecklistIn,
    ChecklistOut,
    ClosureFilter,
    ClosureOut,
    RemarkIn,
    ReturnReasonIn,
)
from duban.rectification.checklist import checklist_for
from duban.rectification.models import ClosureRequest, ClosureStatus, EvidenceKind, Measure, MeasureType
from duban.rectification.services import closure as services
from duban.rectification.services.checklist import checklist_save
from duban.rectification.services.findings import ERR_NOT_OFFICE

router = Router(tags=["对账销号"])

EVIDENCE_PREFIX = "evidence."
# The evidence fields are named by the checklist, so the form is described by hand.
REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["statement"],
                    "properties": {"statement": {"type": "string", "description": "完成情况"}},
                    "additionalProperties": {
                        "description": "evidence.<key>：文字说明为文本，佐证文件为文件",
                        "anyOf": [{"type": "string"}, {"type": "string", "format": "binary"}],
                    },
                }
            }
        },
    }
}


def _closure_out(pk: int) -> ClosureRequest:
    return CLOSURES.get(pk=pk)


@router.get(
    "/rectification/checklists/{measure_type}", response={200: ChecklistOut, **ONE_ERRORS}, summary="销号材料清单"
)
def checklist(request, measure_type: MeasureType):
    """某类措施申请销号须提供的材料：text 文字说明、file 佐证文件（上传）、document 制度文件
    （先在措施上登记）。督查办配置过的以配置为准，否则为默认清单；建章立制措施总要求制度文件。"""
    access_of(request)
    return {
        "measure_type": measure_type,
        "measure_type_label": str(MeasureType(measure_type).label),
        "lines": checklist_for(measure_type),
    }


@router.put(
    "/rectification/checklists/{measure_type}", response={200: ChecklistOut, **WRITE_ERRORS}, summary="配置销号材料清单"
)
def checklist_update(request, measure_type: MeasureType, payload: ChecklistIn):
    """督查办按措施类型配置销号材料要求（整体替换，顺序即显示顺序）；空列表恢复默认清单。
    建章立制措施无论如何配置都要求制度文件。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    with acting(request):
        checklist_save(
            acting_user=api_user(request), measure_type=measure_type, lines=[line.dict() for line in payload.lines]
        )
    return checklist(request, measure_type)


@router.post(
    "/rectification/measures/{int:measure_id}/closure",
    response={201: ClosureOut, **WRITE_ERRORS},
    summary="申请销号",
    openapi_extra=REQUEST_BODY,
)
def closure_request(request, measure_id: int, statement: Form[str]):
    """multipart/form-data：statement 完成情况；材料清单的每一行以 `evidence.<key>` 提交——
    文字说明为文本字段，佐证文件为文件字段（见“销号材料清单”）。牵头单位负责人、联络员或
    责任人申请；有联络组覆盖牵头单位时待联络组审核，否则直接待督查办审批。材料不齐、
    建章立制措施未登记制度文件、措施不在整改中时 400。"""
    access = access_of(request)
    measure = measure_get(access, measure_id, Measure.objects.select_related("item"))
    require(rules.can_request_closure(access, measure), services.ERR_CANNOT_REQUEST)
    evidence = {}
    for line in checklist_for(measure.type):
        name = EVIDENCE_PREFIX + line.key
        if line.kind == EvidenceKind.FILE and name in request.FILES:
            evidence[line.key] = request.FILES[name]
        elif line.kind == EvidenceKind.TEXT and name in request.POST:
            evidence[line.key] = request.POST[name]
    with acting(request):
        closure = services.closure_request(
            acting_user=api_user(request), measure=measure, statement=statement, evidence=evidence
        )
    return Status(201, _closure_out(closure.pk))


@router.get(
    "/rectification/closures/pending", response={200: list[ClosureOut], **READ_ERRORS}, summary="待我处理的销号申请"
)
@paginate(Pagination)
def closure_pending(request):
    """待调用者处理的销号申请，先申请的在前：联络组成员看到所联系单位待审核的，督查办看到
    待审批的（以及无联络组、直接报来的）。"""
    access = access_of(request)
    wanted = Q(pk__in=[])
    if rules.can_manage(access):
        wanted |= Q(status=ClosureStatus.PENDING_APPROVAL)
    units = access.scope(Role.TASKFORCE)
    if units:
        review = Q(status=ClosureStatus.PENDING_REVIEW)
        if units != ALL:
            review &= Q(measure__item__lead_unit_id__in=units)
        wanted |= review
    return CLOSURES.filter(wanted).order_by("requested_at", "id")


@router.get("/rectification/closures", response={200: list[ClosureOut], **READ_ERRORS}, summary="销号申请列表")
@paginate(Pagination)
def closure_list(request, filters: Query[ClosureFilter]):
    """调用者可见措施的销号申请，新的在前。"""
    access = access_of(request)
    visible = rules.measures_visible(access, Measure.objects.all()).values("pk")
    closures = CLOSURES.filter(measure__in=visible)
    if filters.status:
        closures = closures.filter(status=filters.status)
    if filters.measure_id is not None:
        closures = closures.filter(measure_id=filters.measure_id)
    return closures.order_by("-requested_at", "-id")


@router.get(
    "/rectification/closures/{int:closure_id}", response={200: ClosureOut, **ONE_ERRORS}, summary="销号申请详情"
)
def closure_detail(request, closure_id: int):
    """看不到措施的人看不到它的销号申请（404）。"""
    closure = closure_get(access_of(request), closure_id)
    return _closure_out(closure.pk)


@router.post(
    "/rectification/closures/{int:closure_id}/review", response={200: ClosureOut, **WRITE_ERRORS}, summary="联络组审核"
)
def closure_review(request, closure_id: int, payload: RemarkIn | None = None):
    """联系牵头单位的联络组成员审核通过，转督查办审批。不在待审核状态时 400。"""
    access = access_of(request)
    closure = closure_get(access, closure_id)
    require(rules.can_review_closure(access, closure.measure), services.ERR_CANNOT_REVIEW)
    with acting(request):
        services.closure_review(
            acting_user=api_user(request), closure=closure, remark=payload.remark if payload else ""
        )
    return _closure_out(closure.pk)


@router.post(
    "/rectification/closures/{int:closure_id}/approve",
    response={200: ClosureOut, **WRITE_ERRORS},
    summary="督查办审批销号",
)
def closure_approve(request, closure_id: int, payload: RemarkIn | None = None):
    """仅督查办。审批后措施销号、事项办结，按方案安排销号后复查；问题的全部措施销号后问题销号。
    不在待审批状态时 400。"""
    access = access_of(request)
    closure = closure_get(access, closure_id)
    require(rules.can_approve_closure(access, closure.measure), services.ERR_CANNOT_APPROVE)
    with acting(request):
        services.closure_approve(
            acting_user=api_user(request), closure=closure, remark=payload.remark if payload else ""
        )
    return _closure_out(closure.pk)


@router.post(
    "/rectification/closures/{int:closure_id}/return",
    response={200: ClosureOut, **WRITE_ERRORS},
    summary="退回销号申请",
)
def closure_return(request, closure_id: int, payload: ReturnReasonIn):
    """待审核时由联络组（或督查办）、待审批时由督查办退回，须写明理由；措施回到整改中。"""
    access = access_of(request)
    closure = closure_get(access, closure_id)
    measure = closure.measure
    if closure.status == ClosureStatus.PENDING_REVIEW:
        allowed = rules.can_review_closure(access, measure) or rules.can_manage(access)
    elif closure.status == ClosureStatus.PENDING_APPROVAL:
        allowed = rules.can_approve_closure(access, measure)
    else:
        allowed = True  # the service refuses a finished request with its own message (400)
    require(allowed, services.ERR_CANNOT_RETURN)
    with acting(request):
        services.closure_return(acting_user=api_user(request), closure=closure, reason=payload.reason)
    return _closure_out(closure.pk)
