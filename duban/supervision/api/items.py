"""Items (督办事项) through the API: a plan's ledger, an item with its nodes, indicators
and live verdict, create and edit (the office, via ItemForm and services.items), reverse
scheduling, node completion, completing and reopening."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.errors import STALE_ERRORS, form_invalid
from duban.api.pagination import Pagination
from duban.supervision import access as rules
from duban.supervision.api.common import (
    ITEMS,
    ONE_ERRORS,
    WRITE_ERRORS,
    access_of,
    form_data,
    item_get,
    node_get,
    plan_get,
    require,
)
from duban.supervision.api.schemas import (
    ItemDetailOut,
    ItemFilter,
    ItemIn,
    ItemOut,
    ItemPatch,
    NodeOut,
    NoteIn,
    ReopenIn,
    ReverseScheduleIn,
)
from duban.supervision.forms import ItemForm
from duban.supervision.models import DeferralStatus, IndicatorReading, Item, ReportStatus
from duban.supervision.models.reports import UNFINISHED
from duban.supervision.services import Stale
from duban.supervision.services import items as services
from duban.supervision.services.plans import ERR_NOT_OFFICE
from duban.supervision.services.reports import report_slots_open
from duban.supervision.state import item_verdict

router = Router(tags=["督办事项"])

# API field -> ItemForm field.
ITEM_FIELDS = {
    "title": "title",
    "lead_unit_id": "lead_unit",
    "co_unit_ids": "co_units",
    "patron_leader_id": "patron_leader",
    "responsible_person_id": "responsible_person",
    "parent_id": "parent",
    "phase_id": "phase",
    "ordinal": "ordinal",
    "description": "description",
    "start_date": "start_date",
    "due_date": "due_date",
    "cadence": "cadence",
    "cadence_day": "cadence_day",
    "remarks": "remarks",
}
ITEM_ERRORS = {form: api for api, form in ITEM_FIELDS.items()}


def slots_open(request, item: Item) -> None:
    """Open the report slots due by today, as the item page does when it is viewed."""
    if item.completed_on is None:
        with acting(request):
            report_slots_open(item=item, today=timezone.localdate())


def _item_out(pk: int) -> Item:
    return ITEMS.get(pk=pk)


def _item_current(item: Item) -> dict:
    return {
        "title": item.title,
        "lead_unit_id": item.lead_unit_id,
        "co_unit_ids": [unit.pk for unit in item.co_units.all()],
        "patron_leader_id": item.patron_leader_id,
        "responsible_person_id": item.responsible_person_id,
        "parent_id": item.parent_id,
        "phase_id": item.phase_id,
        "ordinal": item.ordinal,
        "description": item.description,
        "start_date": item.start_date.isoformat(),
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "cadence": item.cadence,
        "cadence_day": item.cadence_day,
        "remarks": item.remarks,
    }


def _item_write(request, access, item: Item, values: dict, expected_version: int | None = None) -> Item:
    """Validate with the page's form, then save through the service; a stale version is 409
    (duban.api.errors)."""
    form = ItemForm(form_data(values, ITEM_FIELDS), instance=item, plan=item.plan, tree=access.tree)
    if not form.is_valid():
        raise form_invalid(form, ITEM_ERRORS)
    try:
        with acting(request):
            saved = services.item_save(
                acting_user=api_user(request),
                item=form.save(commit=False),
                co_units=form.cleaned_data["co_units"],
                expected_version=expected_version,
            )
    except Stale:
        raise
    except ValidationError as error:
        raise form_invalid(form, ITEM_ERRORS, error)
    return _item_out(saved.pk)


def _item_detail(request, access, item_id: int) -> Item:
    """The item with what its page shows: nodes, indicators with their latest accepted
    reading, the pending deferral, the current report, the live verdict, the caller's
    possible actions."""
    item = item_get(access, item_id, ITEMS.select_related("plan"))
    slots_open(request, item)
    today = timezone.localdate()
    item.verdict = item_verdict(item, today)
    item.node_list = list(item.nodes.all())
    item.indicator_list = list(item.indicators.all())
    latest = {}
    accepted = IndicatorReading.objects.filter(indicator__item=item, report__status=ReportStatus.ACCEPTED)
    for reading in accepted.order_by("indicator_id", "-period_end", "-id"):
        latest.setdefault(reading.indicator_id, reading)
    for indicator in item.indicator_list:
        indicator.latest = latest.get(indicator.pk)
    item.pending_deferral = (
        item.deferrals.filter(status=DeferralStatus.PENDING).select_related("requested_by", "decided_by").first()
    )
    item.current_report_id = (
        item.reports.filter(status__in=UNFINISHED).order_by("-period_start").values_list("pk", flat=True).first()
    )
    item.permissions = {
        "manage": rules.can_manage(access),
        "fill": rules.can_fill_report(access, item),
        "submit": rules.can_submit_report(access, item),
        "review": rules.can_review_report(access, item),
        "defer": bool(rules.can_request_deferral(access, item) and item.due_date and not item.completed_on),
        "decide": rules.can_decide_deferral(access, item),
    }
    return item


# --- Endpoints ------------------------------------------------------------------
@router.get("/plans/{int:plan_id}/items", response={200: list[ItemOut], **ONE_ERRORS}, summary="计划的事项台账")
@paginate(Pagination)
def item_list(request, plan_id: int, filters: Query[ItemFilter]):
    """分页列出计划中调用者可见的事项（按序号），附缓存的状态、颜色、进度和缺报次数。
    督查办、纪检和全校范围的校领导看到全部事项；其他人只看到本单位牵头或协办、
    本人帮包或负责的事项。"""
    access = access_of(request)
    plan = plan_get(access, plan_id)
    items = rules.items_visible(access, ITEMS.filter(plan=plan))
    if filters.status:
        items = items.filter(state__status=filters.status)
    if filters.lead_unit_id is not None:
        items = items.filter(lead_unit_id=filters.lead_unit_id)
    q = filters.q.strip()
    if q:
        items = items.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return items.order_by("ordinal", "id")


@router.get("/items/{int:item_id}", response={200: ItemDetailOut, **ONE_ERRORS}, summary="事项详情")
def item_detail(request, item_id: int):
    """事项及其时间节点、指标（附最近一次采纳的读数）、待审批的延期申请、当前待填报的报告、
    按当前事实实时计算的状态（verdict），以及调用者可做的操作。看不到的事项返回 404。"""
    return _item_detail(request, access_of(request), item_id)


@router.post("/plans/{int:plan_id}/items", response={201: ItemOut, **WRITE_ERRORS}, summary="新增事项")
def item_create(request, plan_id: int, payload: ItemIn):
    """仅督查办。校验规则与网页上的事项表单相同：牵头单位、协办单位须存在，帮包领导须有校领导
    角色，责任人须为牵头单位的人员，完成时限不早于开始日期。"""
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    plan = plan_get(access, plan_id)
    values = payload.model_dump(mode="json")
    if values["ordinal"] is None:
        values["ordinal"] = (plan.items.order_by("-ordinal").values_list("ordinal", flat=True).first() or 0) + 1
    if values["start_date"] is None:
        values["start_date"] = timezone.localdate().isoformat()
    return Status(201, _item_write(request, access, Item(plan=plan), values))


@router.patch("/items/{int:item_id}", response={200: ItemOut, **WRITE_ERRORS, **STALE_ERRORS}, summary="修改事项")
def item_update(request, item_id: int, payload: ItemPatch):
    """仅督查办。只修改请求中出现的字段；co_unit_ids 给出时整体替换协办单位。
    带上读取时的 `version`：其间他人已修改时返回 409，不覆盖对方的修改，响应中有当前版本号和
    对方改了什么（changes）；核对后以新的版本号重新提交即可。"""
    access = access_of(request)
    item = item_get(access, item_id, Item.objects.select_related("plan"))
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    expected_version = changes.pop("version", None)
    values = {**_item_current(item), **changes}
    return _item_write(request, access, item, values, expected_version=expected_version)


@router.post(
    "/items/{int:item_id}/nodes/reverse-schedule",
    response={201: list[NodeOut], **WRITE_ERRORS},
    summary="倒排工期",
)
def nodes_reverse_schedule(request, item_id: int, payload: ReverseScheduleIn):
    """仅督查办。从完成时限向前倒排，每个步骤生成一个时间节点（最后一步在完成时限当天，
    之前每步提前一周或一天），返回新增的节点。事项没有完成时限时 400。"""
    access = access_of(request)
    item = item_get(access, item_id)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    with acting(request):
        nodes = services.nodes_reverse_schedule(
            acting_user=api_user(request), item=item, steps=payload.steps, every=payload.every
        )
    return Status(201, nodes)


@router.post("/nodes/{int:node_id}/done", response={200: NodeOut, **WRITE_ERRORS}, summary="完成时间节点")
def node_done(request, node_id: int, payload: NoteIn | None = None):
    """牵头单位的联络员、负责人、事项责任人或督查办。已完成的节点不能再次完成（400）。"""
    access = access_of(request)
    node = node_get(access, node_id)
    with acting(request):
        return services.node_done(acting_user=api_user(request), node=node, note=payload.note if payload else "")


@router.post("/items/{int:item_id}/complete", response={200: ItemOut, **WRITE_ERRORS}, summary="办结事项")
def item_complete(request, item_id: int, payload: NoteIn | None = None):
    """仅督查办。以今天为完成日期办结事项；已办结的事项 400。"""
    access = access_of(request)
    item = item_get(access, item_id)
    with acting(request):
        services.item_complete(acting_user=api_user(request), item=item, note=payload.note if payload else "")
    return _item_out(item.pk)


@router.post("/items/{int:item_id}/reopen", response={200: ItemOut, **WRITE_ERRORS}, summary="重新打开事项")
def item_reopen(request, item_id: int, payload: ReopenIn | None = None):
    """仅督查办。重新打开已办结的事项，原因记入事项记录；未办结的事项 400。"""
    access = access_of(request)
    item = item_get(access, item_id)
    with acting(request):
        services.item_reopen(acting_user=api_user(request), item=item, reason=payload.reason if payload else "")
    return _item_out(item.pk)
