"""Unit assessment periods: rules drafted, published, scored by assessors, then fixed."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from duban.assessment import access as rules
from duban.assessment.models import AssessmentPeriod, Band, ManualScore, PeriodState, ScoringRule
from duban.assessment.scoring import compute
from duban.assessment.services import PermissionDenied, Refused
from duban.assessment.services.sessions import require_manager
from duban.org.access import access_for

ERR_RULES_LOCKED = "评分规则已公布，不能再修改。如需调整，请先撤回公布。"
ERR_FIXED = "考核结果已确定，不能再修改。"
ERR_NOT_PUBLISHED = "评分规则公布后才能评分。"
ERR_NOT_ASSESSOR = "您不是本考核期的评分人。"
ERR_NO_RULES = "请先制定至少一条评分规则。"
ERR_NO_UNITS = "请先选择被考核单位。"


def _locked(period_id: int) -> AssessmentPeriod:
    return AssessmentPeriod.objects.select_for_update().get(pk=period_id)


@transaction.atomic
def period_save(*, acting_user, period: AssessmentPeriod, units=None, plans=None, assessors=None) -> AssessmentPeriod:
    require_manager(acting_user)
    if period.pk:
        current = _locked(period.pk)
        if current.state == PeriodState.CLOSED:
            raise Refused(ERR_FIXED)
        if current.state == PeriodState.PUBLISHED and (
            current.start != period.start or current.end != period.end or current.base_score != period.base_score
        ):
            raise Refused(ERR_RULES_LOCKED)
        period.state = current.state
    else:
        period.created_by = acting_user
        period.state = PeriodState.DRAFT
    period.save()
    if units is not None:
        if period.state != PeriodState.DRAFT and set(units) != set(period.units.all()):
            raise Refused(ERR_RULES_LOCKED)
        period.units.set(units)
    if plans is not None:
        if period.state != PeriodState.DRAFT and set(plans) != set(period.plans.all()):
            raise Refused(ERR_RULES_LOCKED)
        period.plans.set(plans)
    if assessors is not None:
        period.assessors.set(assessors)
    return period


def _require_draft(period_id: int) -> AssessmentPeriod:
    period = _locked(period_id)
    if period.state == PeriodState.CLOSED:
        raise Refused(ERR_FIXED)
    if period.state != PeriodState.DRAFT:
        raise Refused(ERR_RULES_LOCKED)
    return period


@transaction.atomic
def rule_save(*, acting_user, rule: ScoringRule) -> ScoringRule:
    require_manager(acting_user)
    _require_draft(rule.period_id)
    if rule.cap is not None and rule.cap < 0:
        raise Refused("上限请填正数。")
    if (rule.is_rate or rule.is_manual) and rule.points <= 0:
        raise Refused("比率类和人工评分的分值（满分）必须大于 0。")
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, acting_user, rule: ScoringRule) -> None:
    require_manager(acting_user)
    _require_draft(rule.period_id)
    rule.delete()


@transaction.atomic
def band_save(*, acting_user, band: Band) -> Band:
    require_manager(acting_user)
    _require_draft(band.period_id)
    band.save()
    return band


@transaction.atomic
def band_delete(*, acting_user, band: Band) -> None:
    require_manager(acting_user)
    _require_draft(band.period_id)
    band.delete()


@transaction.atomic
def period_publish(*, acting_user, period: AssessmentPeriod) -> AssessmentPeriod:
    """The rules become visible to the assessed units and fixed; assessors may score."""
    require_manager(acting_user)
    period = _require_draft(period.pk)
    if not period.rules.exists():
        raise Refused(ERR_NO_RULES)
    if not period.units.exists():
        raise Refused(ERR_NO_UNITS)
    period.state = PeriodState.PUBLISHED
    period.save(update_fields=["state"])
    return period


@transaction.atomic
def period_unpublish(*, acting_user, period: AssessmentPeriod) -> AssessmentPeriod:
    """Back to drafting (before any manual score is given)."""
    require_manager(acting_user)
    period = _locked(period.pk)
    if period.state != PeriodState.PUBLISHED:
        raise Refused("只有已公布、尚未确定结果的考核期可以撤回。")
    if ManualScore.objects.filter(rule__period=period).exists():
        raise Refused("已有评分人打分，不能撤回规则。")
    period.state = PeriodState.DRAFT
    period.save(update_fields=["state"])
    return period


@transaction.atomic
def manual_score_set(*, acting_user, rule: ScoringRule, unit, score, note: str = "") -> ManualScore:
    period = _locked(rule.period_id)
    if period.state == PeriodState.CLOSED:
        raise Refused(ERR_FIXED)
    if period.state != PeriodState.PUBLISHED:
        raise Refused(ERR_NOT_PUBLISHED)
    if not rules.is_assessor(access_for(acting_user), period):
        raise PermissionDenied(ERR_NOT_ASSESSOR)
    if not rule.is_manual:
        raise Refused("该规则由系统按数据计算，不能人工评分。")
    if not period.units.filter(pk=unit.pk).exists():
        raise Refused("该单位不在本考核期的被考核单位之中。")
    try:
        value = Decimal(str(score).strip())
    except (InvalidOperation, ValueError):
        raise Refused("请填写数字分数。") from None
    if not value.is_finite():
        raise Refused("请填写数字分数。")
    value = value.quantize(Decimal("0.01"))
    if not Decimal(0) <= value <= rule.points:
        raise Refused(f"“{rule.title}”的分数应在 0 到 {rule.points} 之间。")
    obj, _ = ManualScore.objects.update_or_create(
        rule=rule, unit=unit, assessor=acting_user, defaults={"score": value, "note": note.strip()}
    )
    return obj


@transaction.atomic
def period_close(*, acting_user, period: AssessmentPeriod, today=None) -> AssessmentPeriod:
    """Fix the result: the computed scores are stored as they are now, with their parts."""
    require_manager(acting_user)
    period = _locked(period.pk)
    if period.state != PeriodState.PUBLISHED:
        raise Refused("只有已公布规则的考核期可以确定结果。")
    period.result = {"units": [row.as_dict() for row in compute(period, today)]}
    period.state = PeriodState.CLOSED
    period.save(update_fields=["result", "state"])
    return period
