"""Rectification plans (整改方案) through the API: list and detail with the profile
(source, reference, re-check schedule, disclosure and feedback settings) and counts of
the caller's visible findings and measures; create and edit (the office, via PlanForm and
services.plans.rectification_plan_save)."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from ninja import Router, Status

from duban.api.auth import acting, api_user
from duban.api.errors import InvalidInput, form_invalid
from duban.rectification import access as rules
from duban.rectification.api.common import (
    ONE_ERRORS,
    PLANS,
    READ_ERRORS,
    WRITE_ERRORS,
    access_of,
    form_data,
    plan_get,
    require,
)
from duban.rectification.api.schemas import RectPlanIn, RectPlanOut, RectPlanPatch
from duban.rectification.models import ClosureState, Finding, Measure, RectificationPlan
from duban.rectification.services.findings import ERR_NOT_OFFICE
from duban.rectification.services.plans import parse_recheck_days, rectification_plan_save
from duban.supervision.forms import PlanForm
from duban.supervision.models import Plan, PlanKind

router = Router(tags=["整改方案"])

ERR_NULL = "不能为空。"

# API field -> PlanForm field.
PLAN_FIELDS = {
    "title": "title",
    "kind": "kind",
    "year": "year",
    "start_date": "start_date",
    "end_date": "end_date",
    "owner_unit_id": "owner_unit",
    "status": "status",
    "description": "description",
    "due_soon_days": "due_soon_days",
    "pace_tolerance": "pace_tolerance",
    "report_grace_days": "report_grace_days",
}
PLAN_ERRORS = {form: api for api, form in PLAN_FIELDS.items()}
PROFILE_FIELDS = [
    "source",
    "reference",
    "recheck_days",
    "disclosed",
    "show_counts",
    "show_percent",
    "show_findings",
    "show_units",
    "show_monthly",
    "public_page",
    "feedback_open",
    "feedback_anonymous",
    "feedback_daily_limit",
]


def plan_counts(access, plan_ids: list[int]) -> dict[int, dict]:
    """Counts of the findings and measures the person may see, per plan, in two queries."""
    counts: dict[int, dict] = {pk: {} for pk in plan_ids}
    findings = rules.findings_visible(access, Finding.objects.all()).values("pk")
    for row in (
        Finding.objects.filter(pk__in=findings, plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(findings=Count("id"), findings_closed=Count("id", filter=Q(closed_on__isnull=False)))
        .order_by()
    ):
        counts[row.pop("plan_id")].update(row)
    measures = rules.measures_visible(access, Measure.objects.all()).values("pk")
    pending = (ClosureState.REQUESTED, ClosureState.REVIEWED)
    for row in (
        Measure.objects.filter(pk__in=measures, finding__plan_id__in=plan_ids)
        .values("finding__plan_id")
        .annotate(
            measures=Count("pk"),
            measures_closed=Count("pk", filter=Q(closure=ClosureState.CLOSED)),
            measures_pending=Count("pk", filter=Q(closure__in=pending)),
            relapses=Sum("relapse_count"),
        )
        .order_by()
    ):
        plan_id = row.pop("finding__plan_id")
        row["relapses"] = row["relapses"] or 0
        counts[plan_id].update(row)
    return counts


def _with_counts(access, profiles: list[RectificationPlan]) -> list[RectificationPlan]:
    counts = plan_counts(access, [profile.pk for profile in profiles])
    for profile in profiles:
        profile.counts = counts.get(profile.pk, {})
    return profiles


def _plan_out(access, pk: int) -> RectificationPlan:
    return _with_counts(access, [plan_get(pk)])[0]


def _current(profile: RectificationPlan) -> dict:
    plan = profile.plan
    values = {
        "title": plan.title,
        "year": plan.year,
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "owner_unit_id": plan.owner_unit_id,
        "status": plan.status,
        "description": plan.description,
    }
    values.update({name: getattr(profile, name) for name in PROFILE_FIELDS})
    return values


def _write(request, access, profile: RectificationPlan, values: dict) -> RectificationPlan:
    plan = profile.plan if profile.pk else Plan()
    # The supervision thresholds are not part of this API: keep the plan's own.
    for name in ("due_soon_days", "pace_tolerance", "report_grace_days"):
        values[name] = getattr(plan, name)
    values["kind"] = PlanKind.RECTIFICATION
    form = PlanForm(form_data(values, PLAN_FIELDS), instance=plan, tree=access.tree)
    errors, labels = {}, {}
    if not form.is_valid():
        invalid = form_invalid(form, PLAN_ERRORS)
        errors, labels = invalid.errors, invalid.labels
    for name in PROFILE_FIELDS:
        if values[name] is None:
            errors[name] = [ERR_NULL]
    try:
        values["recheck_days"] = parse_recheck_days(values["recheck_days"])
    except ValidationError as error:
        errors["recheck_days"] = list(error.messages)
        labels["recheck_days"] = "销号后复查（天）"
    if errors:
        raise InvalidInput(errors, labels)
    for name in PROFILE_FIELDS:
        setattr(profile, name, values[name])
    try:
        with acting(request):
            saved = rectification_plan_save(
                acting_user=api_user(request), plan=form.save(commit=False), profile=profile
            )
    except ValidationError as error:
        raise form_invalid(form, PLAN_ERRORS, error)
    return _plan_out(access, saved.pk)


@router.get("/rectification/plans", response={200: list[RectPlanOut], **READ_ERRORS}, summary="整改方案列表")
def plan_list(request):
    """全部整改方案（新年度在前），每项附调用者可见的问题、措施数量和销号数量。
    职工只能看公开内容（见“向职工公开”），调用本接口 403；系统、安全、审计管理员和无角色者 403。"""
    access = access_of(request)
    profiles = PLANS.order_by("-plan__year", "-plan__start_date", "-plan_id")
    return _with_counts(access, list(profiles))


@router.get("/rectification/plans/{int:plan_id}", response={200: RectPlanOut, **ONE_ERRORS}, summary="整改方案详情")
def plan_detail(request, plan_id: int):
    """整改方案的来源、复查安排、公开和意见设置，以及调用者可见的问题、措施数量。"""
    return _plan_out(access_of(request), plan_id)


@router.post("/rectification/plans", response={201: RectPlanOut, **WRITE_ERRORS}, summary="新建整改方案")
def plan_create(request, payload: RectPlanIn):
    """仅督查办。计划部分的校验与网页上的计划表单相同；复查天数为 1–730 的整数。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    return Status(201, _write(request, access, RectificationPlan(), payload.model_dump(mode="json")))


@router.patch("/rectification/plans/{int:plan_id}", response={200: RectPlanOut, **WRITE_ERRORS}, summary="修改整改方案")
def plan_update(request, plan_id: int, payload: RectPlanPatch):
    """仅督查办。只修改请求中出现的字段。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    profile = plan_get(plan_id)
    values = {**_current(profile), **payload.model_dump(mode="json", exclude_unset=True)}
    return _write(request, access, profile, values)
