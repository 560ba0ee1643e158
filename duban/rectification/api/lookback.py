"""Look-back rounds (回头看) through the API: a plan's rounds, opening one (the ledger is
snapshotted), a round with its reviews, a verdict on a measure, a new finding found by
the round, closing it, and its comparison report."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from duban.api.auth import acting, api_user
from duban.rectification import access as rules
from duban.rectification.api.common import (
    ONE_ERRORS,
    WRITE_ERRORS,
    access_of,
    measure_get,
    plan_get,
    require,
    round_get,
    units_get,
)
from duban.rectification.api.findings import finding_out, finding_prepare
from duban.rectification.api.schemas import (
    FindingIn,
    FindingOut,
    LookbackReviewIn,
    ReviewOut,
    RoundDetailOut,
    RoundIn,
    RoundOut,
    RoundReportOut,
    SummaryIn,
    TemplateIn,
    TemplateOut,
)
from duban.rectification.models import Finding, LookbackReview, LookbackRound, LookbackTemplate, Measure, RoundState
from duban.rectification.services import lookback as services
from duban.rectification.services.findings import ERR_NOT_OFFICE

router = Router(tags=["回头看"])

ERR_NOT_CLOSED = "这一轮回头看尚未结束，结束后才有对比报告。"

REVIEWS = LookbackReview.objects.select_related("measure__item", "reviewer", "relapse")


def _round_detail(access, round: LookbackRound) -> LookbackRound:
    visible = rules.measures_visible(access, Measure.objects.all()).values("pk")
    round.review_list = list(REVIEWS.filter(round=round, measure__in=visible).order_by("measure__item__ordinal"))
    round.new_finding_id_list = list(round.new_findings.order_by("ordinal").values_list("pk", flat=True))
    return round


@router.get(
    "/rectification/plans/{int:plan_id}/lookback", response={200: list[RoundOut], **ONE_ERRORS}, summary="回头看轮次"
)
def round_list(request, plan_id: int):
    """整改方案的各轮回头看，新的在前。"""
    access_of(request)
    profile = plan_get(plan_id)
    return list(
        LookbackRound.objects.filter(plan_id=profile.pk).select_related("opened_by", "closed_by").order_by("-number")
    )


@router.post(
    "/rectification/plans/{int:plan_id}/lookback", response={201: RoundOut, **WRITE_ERRORS}, summary="开启回头看"
)
def round_open(request, plan_id: int, payload: RoundIn | None = None):
    """仅督查办。开启时为台账拍快照；检查要点不填则用默认模板（四看）。同一方案已有进行中的
    一轮时 400。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    profile = plan_get(plan_id)
    payload = payload or RoundIn()
    checklist = services.parse_points("\n".join(payload.checklist)) if payload.checklist is not None else None
    with acting(request):
        round = services.round_open(
            acting_user=api_user(request), plan=profile.plan, title=payload.title, checklist=checklist
        )
    return Status(201, round_get(round.pk))


@router.get(
    "/rectification/lookback/{int:round_id}", response={200: RoundDetailOut, **ONE_ERRORS}, summary="回头看详情"
)
def round_detail(request, round_id: int):
    """一轮回头看的检查要点、调用者可见措施的检查记录和本轮新发现的问题。"""
    access = access_of(request)
    return _round_detail(access, round_get(round_id))


@router.put(
    "/rectification/lookback/{int:round_id}/reviews/{int:measure_id}",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="检查一项措施",
)
def round_review(request, round_id: int, measure_id: int, payload: LookbackReviewIn):
    """联系该单位的联络组成员、纪检或督查办记录（或修改）本轮对该措施的结论和逐项检查。
    已销号的措施判定为“出现反弹”时，记录反弹并重新打开措施（须写明检查意见）；本轮已结束、
    措施不属于本方案时 400。"""
    access = access_of(request)
    round = round_get(round_id)
    measure = measure_get(access, measure_id)
    require(rules.can_review_lookback(access, measure), services.ERR_CANNOT_REVIEW)
    with acting(request):
        review = services.review_save(
            acting_user=api_user(request),
            round=round,
            measure=measure,
            answers=payload.answers,
            verdict=payload.verdict,
            remarks=payload.remarks,
        )
    return REVIEWS.get(pk=review.pk)


@router.post(
    "/rectification/lookback/{int:round_id}/findings",
    response={201: FindingOut, **WRITE_ERRORS},
    summary="本轮发现问题",
)
def round_finding(request, round_id: int, payload: FindingIn):
    """仅督查办。回头看发现的问题纳入台账，来源记为本轮。本轮已结束时 400。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    round = round_get(round_id)
    if round.state != RoundState.OPEN:
        raise services.Refused(services.ERR_ROUND_CLOSED)
    units = units_get(payload.unit_ids)
    finding = finding_prepare(Finding(plan_id=round.plan_id, origin_round=round), payload.model_dump())
    with acting(request):
        saved = services.round_finding_add(acting_user=api_user(request), round=round, finding=finding, units=units)
    return Status(201, finding_out(saved.pk))


@router.post(
    "/rectification/lookback/{int:round_id}/close", response={200: RoundDetailOut, **WRITE_ERRORS}, summary="结束回头看"
)
def round_close(request, round_id: int, payload: SummaryIn | None = None):
    """仅督查办。再拍一次台账快照，与开始时对比生成报告（新增、重新打开、仍未销号、期间销号）。
    已结束时 400。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    round = round_get(round_id)
    with acting(request):
        services.round_close(acting_user=api_user(request), round=round, summary=payload.summary if payload else "")
    return _round_detail(access, round_get(round.pk))


@router.get(
    "/rectification/lookback/{int:round_id}/report",
    response={200: RoundReportOut, **WRITE_ERRORS},
    summary="回头看对比报告",
)
def round_report(request, round_id: int):
    """结束时与开始时台账快照的对比。尚未结束时 400。"""
    access_of(request)
    round = round_get(round_id)
    if round.state != RoundState.CLOSED:
        raise services.Refused(ERR_NOT_CLOSED)
    report = round.report or {}
    return {
        "round_id": round.pk,
        "state": round.state,
        "measures": report.get("measures", {}),
        "new_findings": report.get("new_findings", []),
        "round_findings": report.get("round_findings", []),
        "verdicts": report.get("verdicts", {}),
        "reviewed": report.get("reviewed", 0),
        "measures_total": report.get("measures_total", 0),
    }


# --- Checklist templates --------------------------------------------------------------


@router.get("/rectification/lookback-templates", response={200: list[TemplateOut], **ONE_ERRORS}, summary="回头看模板")
def template_list(request):
    """回头看检查要点模板（默认模板在前）。未建模板时新一轮默认使用“四看”。"""
    access_of(request)
    return list(LookbackTemplate.objects.order_by("-is_default", "name"))


def _template_write(request, template: LookbackTemplate, payload: TemplateIn) -> LookbackTemplate:
    require(rules.can_manage(access_of(request)), ERR_NOT_OFFICE)
    points = [{"key": f"p{i}", "label": text} for i, text in enumerate(payload.points, start=1)]
    with acting(request):
        return services.template_save(
            acting_user=api_user(request),
            template=template,
            name=payload.name,
            points=points,
            is_default=payload.is_default,
        )


@router.post("/rectification/lookback-templates", response={201: TemplateOut, **WRITE_ERRORS}, summary="新建回头看模板")
def template_create(request, payload: TemplateIn):
    """督查办新建检查要点模板；is_default 为真时成为新一轮回头看的默认模板。"""
    return Status(201, _template_write(request, LookbackTemplate(), payload))


@router.put(
    "/rectification/lookback-templates/{int:template_id}",
    response={200: TemplateOut, **WRITE_ERRORS},
    summary="修改回头看模板",
)
def template_update(request, template_id: int, payload: TemplateIn):
    """督查办修改模板的名称、要点或设为默认（已开始的各轮回头看不受影响）。"""
    access_of(request)
    return _template_write(request, get_object_or_404(LookbackTemplate, pk=template_id), payload)
