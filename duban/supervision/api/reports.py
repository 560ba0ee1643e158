"""Progress reports (进展报告) through the API: an item's reports, one report, the cycle
fill → submit → review (via ReportForm / ReviewForm and services.reports), and the
office's review queue."""

from django.core.exceptions import ValidationError
from ninja import Router
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.errors import STALE_ERRORS, InvalidInput, form_invalid
from duban.api.pagination import Pagination
from duban.supervision import access as rules
from duban.supervision.api.common import (
    ONE_ERRORS,
    READ_ERRORS,
    REPORTS,
    WRITE_ERRORS,
    access_of,
    item_get,
    report_get,
    require,
)
from duban.supervision.api.items import slots_open
from duban.supervision.api.schemas import ReportFillIn, ReportOut, ReportReviewIn, ReportSubmitIn
from duban.supervision.forms import ReportForm, ReviewForm
from duban.supervision.models import ReportStatus
from duban.supervision.services import Stale
from duban.supervision.services import reports as services

router = Router(tags=["进展报告"])

ERR_UNKNOWN_INDICATOR = "指标 {ids} 不属于该事项。"
READINGS_LABEL = "指标读数"
REPORT_ERRORS = {
    "progress_text": "progress_text",
    "problems": "problems",
    "next_steps": "next_steps",
    "percent": "percent",
}


@router.get("/reports/pending-review", response={200: list[ReportOut], **READ_ERRORS}, summary="待审核的报告")
@paginate(Pagination)
def review_queue(request):
    """仅督查办：已提交、等待审核的报告，先提交的在前。"""
    access = access_of(request)
    require(rules.can_manage(access), services.ERR_CANNOT_REVIEW)
    return REPORTS.filter(status=ReportStatus.SUBMITTED).order_by("submitted_at", "id")


@router.get("/items/{int:item_id}/reports", response={200: list[ReportOut], **ONE_ERRORS}, summary="事项的报告")
@paginate(Pagination)
def item_reports(request, item_id: int):
    """分页列出事项的各期报告，新的在前；逾期未交的标 is_missing，迟交的标 is_late。
    与事项页面一样，先补开截至今天应有的填报期。"""
    item = item_get(access_of(request), item_id)
    slots_open(request, item)
    return REPORTS.filter(item=item).order_by("-period_start")


@router.get("/reports/{int:report_id}", response={200: ReportOut, **ONE_ERRORS}, summary="报告详情")
def report_detail(request, report_id: int):
    """能看到事项的人都能查看其报告。"""
    report = report_get(access_of(request), report_id)
    return REPORTS.get(pk=report.pk)


@router.post(
    "/reports/{int:report_id}/fill", response={200: ReportOut, **WRITE_ERRORS, **STALE_ERRORS}, summary="填报进展"
)
def report_fill(request, report_id: int, payload: ReportFillIn):
    """牵头单位的联络员、负责人或事项责任人填写（待填报、待提交或被退回的报告），保存后为
    “待提交”。`submit` 为 true 时同时提交，仅限牵头单位负责人（否则 403，且不保存）。
    readings 只改动给出的指标，null 清除该指标本期读数。完成进度不能低于上次采纳的进度。
    带上读取时的 `version`：其间他人（同单位的另一位联络员等）已修改时返回 409，不覆盖，
    响应中有当前版本号和对方改了什么（changes）。"""
    access = access_of(request)
    report = report_get(access, report_id)
    item = report.item
    require(rules.can_fill_report(access, item), services.ERR_CANNOT_FILL)
    if payload.submit:
        require(rules.can_submit_report(access, item), services.ERR_CANNOT_SUBMIT)
    indicators = list(item.indicators.all())
    unknown = sorted(set(payload.readings) - {indicator.pk for indicator in indicators})
    if unknown:
        message = ERR_UNKNOWN_INDICATOR.format(ids="、".join(str(pk) for pk in unknown))
        raise InvalidInput({"readings": [message]}, {"readings": READINGS_LABEL})
    data = {
        "progress_text": payload.progress_text,
        "problems": payload.problems,
        "next_steps": payload.next_steps,
        "percent": payload.percent,
        **{f"ind_{pk}": value for pk, value in payload.readings.items()},
    }
    form = ReportForm(data, indicators=indicators)
    to_api = {**REPORT_ERRORS, **{f"ind_{indicator.pk}": f"readings.{indicator.pk}" for indicator in indicators}}
    if not form.is_valid():
        raise form_invalid(form, to_api)
    try:
        with acting(request):
            services.report_fill(
                acting_user=api_user(request),
                report=report,
                progress_text=form.cleaned_data["progress_text"],
                problems=form.cleaned_data["problems"],
                next_steps=form.cleaned_data["next_steps"],
                percent=form.cleaned_data["percent"],
                readings={pk: form.cleaned_data[f"ind_{pk}"] for pk in payload.readings},
                submit=payload.submit,
                expected_version=payload.version,
            )
    except Stale:
        raise
    except ValidationError as error:
        raise form_invalid(form, to_api, error)
    return REPORTS.get(pk=report.pk)


@router.post(
    "/reports/{int:report_id}/submit", response={200: ReportOut, **WRITE_ERRORS, **STALE_ERRORS}, summary="提交报告"
)
def report_submit(request, report_id: int, payload: ReportSubmitIn | None = None):
    """仅牵头单位负责人，提交“待提交”的报告给督查办审核；须已填写工作进展和完成进度。
    可带上读取时的 `version`：报告其间又被修改过时返回 409 而不提交。"""
    report = report_get(access_of(request), report_id)
    with acting(request):
        services.report_submit(
            acting_user=api_user(request), report=report, expected_version=payload.version if payload else None
        )
    return REPORTS.get(pk=report.pk)


@router.post("/reports/{int:report_id}/review", response={200: ReportOut, **WRITE_ERRORS}, summary="审核报告")
def report_review(request, report_id: int, payload: ReportReviewIn):
    """仅督查办，审核“待审核”的报告：accept 采纳（事项进度随之更新），return 退回修改
    （须说明理由，填报人和联络员会收到通知）。"""
    access = access_of(request)
    report = report_get(access, report_id)
    require(rules.can_review_report(access, report.item), services.ERR_CANNOT_REVIEW)
    form = ReviewForm(payload.model_dump())
    if not form.is_valid():
        raise form_invalid(form)
    comment = form.cleaned_data["comment"]
    try:
        with acting(request):
            if form.cleaned_data["decision"] == "accept":
                services.report_accept(acting_user=api_user(request), report=report, comment=comment)
            else:
                services.report_return(acting_user=api_user(request), report=report, reason=comment)
    except ValidationError as error:
        raise form_invalid(form, error=error)
    return REPORTS.get(pk=report.pk)
