"""Unit assessment through the API: periods with their rules and the scores the caller may see;
assessors' manual scores; the office publishes and fixes the result."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router

from duban.api.auth import acting, api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.assessment import access as rules
from duban.assessment.api.schemas import ManualScoreIn, PeriodDetailOut, PeriodOut
from duban.assessment.models import AssessmentPeriod, PeriodState, ScoringRule
from duban.assessment.scoring import result_units
from duban.assessment.services import Refused
from duban.assessment.services import periods as services
from duban.org.access import access_for
from duban.org.models import Unit

router = Router(tags=["单位考核"])

READ = {401: ErrorOut, 403: ErrorOut}
ONE = {**READ, 404: ErrorOut}
WRITE = {**ONE, 400: InvalidOut}


def _access(request):
    access = access_for(api_user(request))
    if not rules.can_list_periods(access):
        raise PermissionDenied("无权查看单位考核。")
    return access


def _visible(access):
    return rules.periods_visible(access, AssessmentPeriod.objects.all())


def _out(p: AssessmentPeriod) -> dict:
    return {k: getattr(p, k) for k in ("title", "year", "start", "end", "base_score", "state")} | {"id": p.pk}


@router.get("/assessment/periods", response={200: list[PeriodOut], **READ}, summary="考核期列表")
def period_list(request):
    """规则制定中的考核期只有督查办可见。"""
    return [_out(p) for p in _visible(_access(request))]


@router.get("/assessment/periods/{pk}", response={200: PeriodDetailOut, **ONE}, summary="考核规则与得分")
def period_detail(request, pk: int):
    """公布的评分规则、等次，以及每个单位的得分构成（事实与分数），任何人可据此复算。
    结果确定前按当前数据实时计算，确定后返回快照。单位负责人、联络员只看到本单位。"""
    access = _access(request)
    period = get_object_or_404(_visible(access), pk=pk)
    rows = result_units(period)
    allowed = set(rules.period_units_visible(access, [r["unit"] for r in rows]))
    return {
        **_out(period),
        "rules": [
            {
                "id": r.pk,
                "order": r.order,
                "metric": r.metric,
                "title": r.title,
                "points": r.points,
                "cap": r.cap,
                "description": r.description,
            }
            for r in period.rules.order_by("order", "id")
        ],
        "bands": list(period.bands.order_by("-min_score").values("label", "min_score")),
        "fixed": period.state == PeriodState.CLOSED,
        "units": [r for r in rows if r["unit"] in allowed],
    }


@router.post("/assessment/periods/{pk}/scores", response={200: dict, **WRITE}, summary="人工评分")
def manual_score(request, pk: int, data: ManualScoreIn):
    """本考核期的评分人为一个单位的人工评分项打分（0 到该项满分），重复提交以最后一次为准。"""
    access = _access(request)
    period = get_object_or_404(_visible(access), pk=pk)
    # Who may score is settled before the rule and unit are looked up, so that a caller who
    # may not score learns nothing about them.
    if not rules.is_assessor(access, period):
        raise PermissionDenied(services.ERR_NOT_ASSESSOR)
    rule = ScoringRule.objects.filter(pk=data.rule_id, period=period).first()
    if rule is None:
        raise Refused({"rule_id": ["该考核期没有这条评分规则。"]})
    unit = Unit.objects.filter(pk=data.unit_id).first()
    if unit is None:
        raise Refused({"unit_id": ["单位不存在。"]})
    with acting(request):
        score = services.manual_score_set(
            acting_user=api_user(request), rule=rule, unit=unit, score=data.score, note=data.note
        )
    return {"rule_id": rule.pk, "unit_id": unit.pk, "score": str(score.score), "note": score.note}


@router.post("/assessment/periods/{pk}/publish", response={200: PeriodOut, **WRITE}, summary="公布评分规则")
def period_publish(request, pk: int):
    _access(request)
    with acting(request):
        period = services.period_publish(
            acting_user=api_user(request), period=get_object_or_404(AssessmentPeriod, pk=pk)
        )
    return _out(period)


@router.post("/assessment/periods/{pk}/close", response={200: PeriodOut, **WRITE}, summary="确定考核结果")
def period_close(request, pk: int):
    """保存当前计算结果为快照，此后不再随数据变化。"""
    _access(request)
    with acting(request):
        period = services.period_close(acting_user=api_user(request), period=get_object_or_404(AssessmentPeriod, pk=pk))
    return _out(period)
