"""Disclosure to staff (向职工公开) and staff feedback (接受职工监督) through the API.

The disclosed view is built only from duban.rectification.selectors.disclosure, which
reads public fields and nothing else. Feedback: staff send (anonymously if the plan
allows), see their own with replies; the office lists, replies, dismisses or turns
feedback into a finding. Anonymous feedback never shows its sender, not even to the office.
"""

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.pagination import Pagination
from duban.rectification import access as rules
from duban.rectification.api.common import (
    ONE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    feedback_get,
    require,
    staff_access_of,
    units_get,
)
from duban.rectification.api.findings import finding_out, finding_prepare
from duban.rectification.api.schemas import (
    ConvertIn,
    DisclosureOut,
    FeedbackFilter,
    FeedbackIn,
    FeedbackOfficeOut,
    FeedbackOut,
    FindingOut,
    ReplyIn,
)
from duban.rectification.models import Feedback, FeedbackState, Finding, RectificationPlan
from duban.rectification.selectors.disclosure import disclosure_for
from duban.rectification.services import feedback as services
from duban.rectification.services.findings import ERR_NOT_OFFICE

router = Router(tags=["公开与职工意见"])

FEEDBACK = Feedback.objects.select_related("plan", "sender", "handled_by")
PENDING_FIRST = Case(When(state=FeedbackState.NEW, then=Value(0)), default=Value(1), output_field=IntegerField())


def _visible_plan(access, plan_id: int) -> RectificationPlan:
    """A disclosed plan (the office also previews undisclosed ones), else 404."""
    profile = get_object_or_404(RectificationPlan.objects.select_related("plan"), pk=plan_id)
    if not (profile.disclosed or rules.can_manage(access)):
        raise Http404
    return profile


@router.get(
    "/rectification/plans/{int:plan_id}/disclosure",
    response={200: DisclosureOut, **ONE_ERRORS},
    summary="向职工公开的整改情况",
)
def disclosure(request, plan_id: int):
    """所有拥有业务角色的登录用户可见；方案未公开时 404（督查办可预览）。只包含督查办选择公开的
    内容：数量、销号比例、逐条问题的公开摘要和状态、责任单位、逐月销号数；
    从不包含人名、问题原文和内部备注，也不包含设为不公开的问题。"""
    access = staff_access_of(request)
    _visible_plan(access, plan_id)
    view = disclosure_for(plan_pk=plan_id)
    flags = view.flags
    findings = None
    if flags["show_findings"]:
        findings = [
            {
                "id": f.pk,
                "number": f.number,
                "category": f.category,
                "summary": f.summary,
                "closed": f.is_closed,
                "status_label": "已销号" if f.is_closed else "整改中",
                "closed_on": f.closed_on,
                "measures_closed": f.measures_closed,
                "measures_total": f.measures_total,
                "units": list(f.units) if flags["show_units"] else None,
            }
            for f in view.findings
        ]
    counts = None
    if flags["show_counts"]:
        counts = {
            "findings_total": view.findings_total,
            "findings_closed": view.findings_closed,
            "measures_total": view.measures_total,
            "measures_closed": view.measures_closed,
        }
    monthly = None
    if flags["show_monthly"]:
        monthly = [{"month": f"{m['month']:%Y-%m}", "label": m["label"], "closed": m["count"]} for m in view.monthly]
    return {
        "plan_id": view.plan_pk,
        "title": view.title,
        "year": view.year,
        "source_label": str(view.source),
        "reference": view.reference,
        "counts": counts,
        "percent": view.percent if flags["show_percent"] else None,
        "findings": findings,
        "monthly": monthly,
        "feedback_open": flags["feedback_open"],
        "feedback_anonymous": flags["feedback_anonymous"],
    }


@router.post(
    "/rectification/plans/{int:plan_id}/feedback", response={201: FeedbackOut, **WRITE_ERRORS}, summary="提意见"
)
def feedback_send(request, plan_id: int, payload: FeedbackIn):
    """对已公开的整改方案（或其中一条公开的问题）提意见；方案允许时可匿名——匿名意见不记录
    提出人，督查办也看不到。每人每天有条数上限；方案未公开时 404，不接受意见时 400。"""
    access = staff_access_of(request)
    profile = _visible_plan(access, plan_id)
    finding = None
    if payload.finding_id is not None:
        finding = Finding.objects.filter(pk=payload.finding_id).first()
        if finding is None:
            raise services.Refused(services.ERR_FINDING)
    with acting(request):
        feedback = services.feedback_send(
            acting_user=api_user(request),
            plan=profile.plan,
            text=payload.text,
            anonymous=payload.anonymous,
            finding=finding,
        )
    return Status(201, FEEDBACK.get(pk=feedback.pk))


@router.get("/rectification/feedback/mine", response={200: list[FeedbackOut], **READ_ERRORS}, summary="我的意见")
@paginate(Pagination)
def feedback_mine(request):
    """调用者提出的意见（含匿名提出的）及答复，新的在前。"""
    access = staff_access_of(request)
    key = services.sender_key(access.person)
    return FEEDBACK.filter(sender_key=key).order_by("-sent_on", "-id")


@router.get(
    "/rectification/feedback", response={200: list[FeedbackOfficeOut], **READ_ERRORS}, summary="职工意见（督查办）"
)
@paginate(Pagination)
def feedback_list(request, filters: Query[FeedbackFilter]):
    """仅督查办。待处理的在前。匿名意见的 sender 为 null。"""
    access = staff_access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    feedback = FEEDBACK.all()
    if filters.plan_id is not None:
        feedback = feedback.filter(plan_id=filters.plan_id)
    if filters.state:
        feedback = feedback.filter(state=filters.state)
    return feedback.annotate(pending_first=PENDING_FIRST).order_by("pending_first", "-sent_on", "-id")


def _office_feedback(request, feedback_id: int) -> Feedback:
    access = staff_access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    return feedback_get(feedback_id)


@router.post(
    "/rectification/feedback/{int:feedback_id}/reply",
    response={200: FeedbackOfficeOut, **WRITE_ERRORS},
    summary="答复意见",
)
def feedback_reply(request, feedback_id: int, payload: ReplyIn):
    """仅督查办。答复显示给提出人（实名意见同时发消息）。已处理的意见 400。"""
    feedback = _office_feedback(request, feedback_id)
    with acting(request):
        services.feedback_reply(acting_user=api_user(request), feedback=feedback, reply=payload.reply)
    return FEEDBACK.get(pk=feedback.pk)


@router.post(
    "/rectification/feedback/{int:feedback_id}/dismiss",
    response={200: FeedbackOfficeOut, **WRITE_ERRORS},
    summary="不予采纳",
)
def feedback_dismiss(request, feedback_id: int, payload: ReplyIn):
    """仅督查办。须写明理由（显示给提出人）。已处理的意见 400。"""
    feedback = _office_feedback(request, feedback_id)
    with acting(request):
        services.feedback_dismiss(acting_user=api_user(request), feedback=feedback, reply=payload.reply)
    return FEEDBACK.get(pk=feedback.pk)


@router.post(
    "/rectification/feedback/{int:feedback_id}/convert",
    response={201: FindingOut, **WRITE_ERRORS},
    summary="转为问题",
)
def feedback_convert(request, feedback_id: int, payload: ConvertIn):
    """仅督查办。意见转为同一整改方案的新问题，二者互相关联；已处理的意见 400。"""
    feedback = _office_feedback(request, feedback_id)
    units = units_get(payload.unit_ids)
    values = payload.model_dump()
    finding = finding_prepare(Finding(plan_id=feedback.plan_id), values)
    with acting(request):
        saved = services.feedback_convert(
            acting_user=api_user(request), feedback=feedback, finding=finding, units=units, reply=payload.reply
        )
    return Status(201, finding_out(saved.pk))
