"""Plans (督办计划) through the API: list with counts of the caller's visible items, detail,
create and edit (the office, via PlanForm and services.plans.plan_save)."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from ninja import Query, Router, Status

from duban.api.auth import acting, api_user
from duban.api.errors import form_invalid
from duban.supervision import access as rules
from duban.supervision.api.common import (
    ONE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    access_of,
    form_data,
    plan_get,
    require,
)
from duban.supervision.api.schemas import PlanFilter, PlanIn, PlanOut, PlanPatch
from duban.supervision.forms import PlanForm
from duban.supervision.models import Item, Plan, PlanPhase
from duban.supervision.models import Status as ItemStatus
from duban.supervision.services.plans import ERR_NOT_OFFICE, plan_save

router = Router(tags=["督办计划"])

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

PLANS = Plan.objects.select_related("owner_unit").prefetch_related(
    Prefetch("phases", queryset=PlanPhase.objects.order_by("order", "start_date", "id"))
)


def plan_counts(access, plan_ids: list[int]) -> dict[int, dict]:
    """Counts by cached status of the items the person may see, per plan, in one query.
    (Visibility goes through a pk subquery: joining co-units would count items twice.)"""
    visible = rules.items_visible(access, Item.objects.all()).values("pk")
    rows = (
        Item.objects.filter(pk__in=visible, plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(total=Count("id"), **{s: Count("id", filter=Q(state__status=s)) for s in ItemStatus.values})
        .order_by()
    )
    return {row.pop("plan_id"): row for row in rows}


def _with_counts(access, plans: list[Plan]) -> list[Plan]:
    counts = plan_counts(access, [plan.pk for plan in plans])
    for plan in plans:
        plan.counts = counts.get(plan.pk, {})
    return plans


def _plan_out(access, pk: int) -> Plan:
    return _with_counts(access, [plan_get(access, pk, PLANS)])[0]


def _plan_current(plan: Plan) -> dict:
    return {
        "title": plan.title,
        "kind": plan.kind,
        "year": plan.year,
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "owner_unit_id": plan.owner_unit_id,
        "status": plan.status,
        "description": plan.description,
        "due_soon_days": plan.due_soon_days,
        "pace_tolerance": plan.pace_tolerance,
        "report_grace_days": plan.report_grace_days,
    }


def _plan_write(request, access, plan: Plan, values: dict) -> Plan:
    form = PlanForm(form_data(values, PLAN_FIELDS), instance=plan, tree=access.tree)
    if not form.is_valid():
        raise form_invalid(form, PLAN_ERRORS)
    try:
        with acting(request):
            saved = plan_save(acting_user=api_user(request), plan=form.save(commit=False))
    except ValidationError as error:
        raise form_invalid(form, PLAN_ERRORS, error)
    return _plan_out(access, saved.pk)


@router.get("/plans", response={200: list[PlanOut], **READ_ERRORS}, summary="计划列表")
def plan_list(request, filters: Query[PlanFilter]):
    """全部督办计划（新年度在前），每项附调用者可见事项按状态的计数。须拥有校领导、督查办、
    单位负责人、联络员、工作专班、纪检或职工角色；系统、安全、审计管理员和无角色者 403。"""
    access = access_of(request)
    plans = PLANS.all()
    if filters.year is not None:
        plans = plans.filter(year=filters.year)
    if filters.kind:
        plans = plans.filter(kind=filters.kind)
    if filters.status:
        plans = plans.filter(status=filters.status)
    return _with_counts(access, list(plans))


@router.get("/plans/{int:plan_id}", response={200: PlanOut, **ONE_ERRORS}, summary="计划详情")
def plan_get_one(request, plan_id: int):
    """计划的设置、阶段和调用者可见事项按状态的计数。"""
    return _plan_out(access_of(request), plan_id)


@router.post("/plans", response={201: PlanOut, **WRITE_ERRORS}, summary="新建计划")
def plan_create(request, payload: PlanIn):
    """仅督查办。校验规则与网页上的计划表单相同；新计划带默认的提醒阶梯。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    return Status(201, _plan_write(request, access, Plan(), payload.model_dump(mode="json")))


@router.patch("/plans/{int:plan_id}", response={200: PlanOut, **WRITE_ERRORS}, summary="修改计划")
def plan_update(request, plan_id: int, payload: PlanPatch):
    """仅督查办。只修改请求中出现的字段。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    plan = plan_get(access, plan_id)
    values = {**_plan_current(plan), **payload.model_dump(mode="json", exclude_unset=True)}
    return _plan_write(request, access, plan, values)
