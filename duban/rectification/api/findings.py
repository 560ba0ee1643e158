"""Findings (问题) and measures (整改措施) through the API: lists with filters, detail,
create and edit (the office, via services.findings), optimistic locking of findings
(409 with what changed when the version is stale), and the document a 建章立制 measure produced (multipart)."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.errors import STALE_ERRORS, InvalidInput, django_errors, form_invalid
from duban.api.pagination import Pagination
from duban.rectification import access as rules
from duban.rectification.api.common import (
    CLOSURES,
    CONFLICT_ERRORS,
    FINDINGS,
    MEASURES,
    ONE_ERRORS,
    RECHECKS,
    WRITE_ERRORS,
    access_of,
    finding_get,
    form_data,
    measure_get,
    plan_get,
    require,
    units_get,
)
from duban.rectification.api.schemas import (
    FindingDetailOut,
    FindingFilter,
    FindingIn,
    FindingOut,
    FindingPatch,
    MeasureDetailOut,
    MeasureFilter,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
)
from duban.rectification.checklist import checklist_for
from duban.rectification.models import ClosureState, Finding, Measure, Relapse
from duban.rectification.services import Stale
from duban.rectification.services import findings as services
from duban.supervision.forms import ItemForm
from duban.supervision.models import Item

router = Router(tags=["整改台账"])

FINDING_FIELDS = [
    "ordinal",
    "reference",
    "category",
    "severity",
    "description",
    "public_summary",
    "disclosed",
    "internal_note",
]
FINDING_LABELS = {name: str(Finding._meta.get_field(name).verbose_name) for name in FINDING_FIELDS}
FINDING_LABELS["unit_ids"] = "涉及单位"

# API field -> ItemForm field.
ITEM_FIELDS = {
    "title": "title",
    "lead_unit_id": "lead_unit",
    "co_unit_ids": "co_units",
    "patron_leader_id": "patron_leader",
    "responsible_person_id": "responsible_person",
    "ordinal": "ordinal",
    "description": "description",
    "start_date": "start_date",
    "due_date": "due_date",
    "cadence": "cadence",
    "cadence_day": "cadence_day",
    "remarks": "remarks",
}
ITEM_ERRORS = {form: api for api, form in ITEM_FIELDS.items()}


# --- Findings -------------------------------------------------------------------------
def _counted(findings):
    return findings.annotate(
        measures_total=Count("measures", distinct=True),
        measures_closed=Count("measures", filter=Q(measures__closure=ClosureState.CLOSED), distinct=True),
    )


def finding_out(pk: int) -> Finding:
    return _counted(FINDINGS.filter(pk=pk)).get()


def finding_prepare(finding: Finding, values: dict) -> Finding:
    """Set the API values on the finding and validate them with the model's own rules
    (lengths, choices, the unique 序号): 400 with the field's Chinese label."""
    for name in FINDING_FIELDS:
        value = values[name]
        setattr(finding, name, value.strip() if isinstance(value, str) else value)
    exclude = [] if finding.ordinal else ["ordinal"]
    try:
        finding.full_clean(exclude=exclude)
    except ValidationError as error:
        raise InvalidInput(django_errors(error), FINDING_LABELS)
    return finding


def _finding_write(request, finding: Finding, values: dict, units, expected_version: int | None = None) -> Finding:
    """Validate, then save through the service; a stale version is 409 (duban.api.errors)."""
    finding_prepare(finding, values)
    try:
        with acting(request):
            saved = services.finding_save(
                acting_user=api_user(request), finding=finding, units=units, expected_version=expected_version
            )
    except Stale:
        raise
    except ValidationError as error:
        raise InvalidInput(django_errors(error), FINDING_LABELS)
    return finding_out(saved.pk)


@router.get("/rectification/findings", response={200: list[FindingOut], **ONE_ERRORS}, summary="问题列表")
@paginate(Pagination)
def finding_list(request, filters: Query[FindingFilter]):
    """分页列出调用者可见的问题（按方案、序号），附措施总数和已销号数。督查办、纪检和全校范围的
    校领导看到全部；其他人只看到涉及本单位或有本单位措施的问题。"""
    access = access_of(request)
    findings = rules.findings_visible(access, FINDINGS.all())
    if filters.plan_id is not None:
        findings = findings.filter(plan_id=plan_get(filters.plan_id).pk)
    if filters.unit_id is not None:
        findings = findings.filter(pk__in=Finding.objects.filter(units=filters.unit_id).values("pk"))
    if filters.closed is not None:
        findings = findings.filter(closed_on__isnull=not filters.closed)
    if filters.category.strip():
        findings = findings.filter(category=filters.category.strip())
    if filters.severity:
        findings = findings.filter(severity=filters.severity)
    return _counted(findings).order_by("plan_id", "ordinal")


@router.get(
    "/rectification/findings/{int:finding_id}", response={200: FindingDetailOut, **ONE_ERRORS}, summary="问题详情"
)
def finding_detail(request, finding_id: int):
    """问题及调用者可见的整改措施。看不到的问题返回 404。"""
    access = access_of(request)
    finding = finding_get(access, finding_id)
    finding = finding_out(finding.pk)
    finding.measure_list = list(
        rules.measures_visible(access, MEASURES.filter(finding=finding)).order_by("item__ordinal", "pk")
    )
    return finding


@router.post(
    "/rectification/plans/{int:plan_id}/findings", response={201: FindingOut, **WRITE_ERRORS}, summary="新增问题"
)
def finding_create(request, plan_id: int, payload: FindingIn):
    """仅督查办。序号不填则排在最后；同一方案内序号不能重复。"""
    access = access_of(request)
    require(rules.can_manage(access), services.ERR_NOT_OFFICE)
    profile = plan_get(plan_id)
    units = units_get(payload.unit_ids)
    finding = Finding(plan=profile.plan)
    return Status(201, _finding_write(request, finding, payload.model_dump(), units))


@router.patch(
    "/rectification/findings/{int:finding_id}", response={200: FindingOut, **CONFLICT_ERRORS}, summary="修改问题"
)
def finding_update(request, finding_id: int, payload: FindingPatch):
    """仅督查办。只修改请求中出现的字段；unit_ids 给出时整体替换涉及单位。
    `version` 须为读取时的版本号：其间他人已修改时返回 409，不覆盖对方的修改，响应中有当前版本号和
    对方改了什么（changes）；核对后以新的版本号重新提交即可。"""
    access = access_of(request)
    finding = finding_get(access, finding_id)
    require(rules.can_manage(access), services.ERR_NOT_OFFICE)
    if payload.version != finding.version:  # before validating: the data was written over another copy
        raise Stale(finding.version, record=finding, loaded_version=payload.version)
    changes = payload.model_dump(exclude_unset=True)
    units = units_get(changes["unit_ids"]) if changes.get("unit_ids") is not None else None
    values = {name: getattr(finding, name) for name in FINDING_FIELDS}
    values.update({name: value for name, value in changes.items() if name in FINDING_FIELDS})
    return _finding_write(request, finding, values, units, expected_version=payload.version)


# --- Measures -------------------------------------------------------------------------
def _measure_out(pk: int) -> Measure:
    return MEASURES.get(pk=pk)


def _item_current(item: Item) -> dict:
    return {
        "title": item.title,
        "lead_unit_id": item.lead_unit_id,
        "co_unit_ids": [unit.pk for unit in item.co_units.all()],
        "patron_leader_id": item.patron_leader_id,
        "responsible_person_id": item.responsible_person_id,
        "ordinal": item.ordinal,
        "description": item.description,
        "start_date": item.start_date.isoformat(),
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "cadence": item.cadence,
        "cadence_day": item.cadence_day,
        "remarks": item.remarks,
    }


def _measure_write(
    request, access, finding: Finding, item: Item, values: dict, measure_type: str, expected_version: int | None = None
) -> Measure:
    form = ItemForm(form_data(values, ITEM_FIELDS), instance=item, plan=finding.plan, tree=access.tree)
    if not form.is_valid():
        raise form_invalid(form, ITEM_ERRORS)
    try:
        with acting(request):
            measure = services.measure_save(
                acting_user=api_user(request),
                finding=finding,
                item=form.save(commit=False),
                measure_type=measure_type,
                co_units=form.cleaned_data["co_units"],
                expected_version=expected_version,
            )
    except Stale:
        raise
    except ValidationError as error:
        raise form_invalid(form, ITEM_ERRORS, error)
    return _measure_out(measure.pk)


def _permissions(access, measure: Measure) -> dict:
    open_ = measure.closure == ClosureState.OPEN
    return {
        "manage": rules.can_manage(access) and measure.closure != ClosureState.CLOSED,
        "document": (rules.can_request_closure(access, measure) or rules.can_manage(access))
        and measure.closure != ClosureState.CLOSED,
        "request_closure": rules.can_request_closure(access, measure) and open_,
        "review_closure": rules.can_review_closure(access, measure) and measure.closure == ClosureState.REQUESTED,
        "approve_closure": rules.can_approve_closure(access, measure) and measure.closure == ClosureState.REVIEWED,
        "recheck": rules.can_recheck(access, measure) and measure.closure == ClosureState.CLOSED,
    }


def _measure_detail(access, pk: int) -> Measure:
    measure = measure_get(access, pk, MEASURES.all())
    measure.checklist_lines = checklist_for(measure.type)
    measure.closure_list = list(CLOSURES.filter(measure=measure))
    measure.recheck_list = list(RECHECKS.filter(measure=measure))
    measure.relapse_list = list(Relapse.objects.filter(measure=measure).select_related("found_by"))
    measure.permissions = _permissions(access, measure)
    return measure


@router.get("/rectification/measures", response={200: list[MeasureOut], **ONE_ERRORS}, summary="整改措施列表")
@paginate(Pagination)
def measure_list(request, filters: Query[MeasureFilter]):
    """分页列出调用者可见的整改措施（按方案、问题、事项序号），附措施对应事项的牵头单位、
    责任人、时限和缓存的状态。可见范围与督办事项相同。"""
    access = access_of(request)
    measures = rules.measures_visible(access, MEASURES.all())
    if filters.plan_id is not None:
        measures = measures.filter(finding__plan_id=plan_get(filters.plan_id).pk)
    if filters.finding_id is not None:
        measures = measures.filter(finding_id=filters.finding_id)
    if filters.unit_id is not None:
        measures = measures.filter(item__lead_unit_id=filters.unit_id)
    if filters.closure:
        measures = measures.filter(closure=filters.closure)
    if filters.type:
        measures = measures.filter(type=filters.type)
    return measures.order_by("finding__plan_id", "finding__ordinal", "item__ordinal", "pk")


@router.get(
    "/rectification/measures/{int:measure_id}", response={200: MeasureDetailOut, **ONE_ERRORS}, summary="整改措施详情"
)
def measure_detail(request, measure_id: int):
    """措施及其事项、销号材料清单、历次销号申请、复查、反弹记录和调用者可做的操作。
    看不到的措施返回 404。"""
    return _measure_detail(access_of(request), measure_id)


@router.post(
    "/rectification/findings/{int:finding_id}/measures",
    response={201: MeasureOut, **WRITE_ERRORS},
    summary="新增整改措施",
)
def measure_create(request, finding_id: int, payload: MeasureIn):
    """仅督查办。措施即督办事项：校验规则与事项表单相同；除长期坚持外须填整改时限，
    长期坚持的措施没有完成时限、按月填报。"""
    access = access_of(request)
    require(rules.can_manage(access), services.ERR_NOT_OFFICE)
    finding = finding_get(access, finding_id)
    values = payload.model_dump(mode="json")
    measure_type = values.pop("type")
    values["ordinal"] = 1  # services.findings.measure_save numbers new measures
    if values["start_date"] is None:
        values["start_date"] = timezone.localdate().isoformat()
    return Status(201, _measure_write(request, access, finding, Item(), values, measure_type))


@router.patch(
    "/rectification/measures/{int:measure_id}",
    response={200: MeasureOut, **WRITE_ERRORS, **STALE_ERRORS},
    summary="修改整改措施",
)
def measure_update(request, measure_id: int, payload: MeasurePatch):
    """仅督查办。只修改请求中出现的字段；已销号的措施不能修改，已申请销号的不能改类型（400）。
    带上读取时事项的 `version`（`item.version`）：其间他人已修改时返回 409，不覆盖对方的修改，
    响应中有当前版本号和对方改了什么。"""
    access = access_of(request)
    measure = measure_get(access, measure_id, Measure.objects.select_related("item", "finding__plan"))
    require(rules.can_manage(access), services.ERR_NOT_OFFICE)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    expected_version = changes.pop("version", None)
    finding = measure.finding
    if changes.get("finding_id") is not None:
        finding = finding_get(access, changes["finding_id"], Finding.objects.select_related("plan"))
    measure_type = changes.get("type") or measure.type
    values = {**_item_current(measure.item), **changes}
    return _measure_write(request, access, finding, measure.item, values, measure_type, expected_version)


@router.post(
    "/rectification/measures/{int:measure_id}/document",
    response={200: MeasureOut, **WRITE_ERRORS},
    summary="登记制度文件",
)
def measure_document(
    request,
    measure_id: int,
    title: Form[str],
    number: Form[str],
    issued_on: Form[str],
    file: File[UploadedFile] = None,
):
    """multipart/form-data：title 标题、number 文号、issued_on 印发日期（年-月-日）、file 文件。
    牵头单位负责人、联络员、责任人或督查办登记；已有文件时可不再上传。已销号的措施 400。"""
    access = access_of(request)
    measure = measure_get(access, measure_id)
    require(
        rules.can_request_closure(access, measure) or rules.can_manage(access),
        services.ERR_CANNOT_DOC,
    )
    try:
        issued = datetime.date.fromisoformat(issued_on.strip())
    except ValueError:
        raise InvalidInput({"issued_on": ["应为日期（年-月-日）。"]}, {"issued_on": "印发日期"})
    try:
        with acting(request):
            services.measure_document_save(
                acting_user=api_user(request),
                measure=measure,
                title=title,
                number=number,
                issued_on=issued,
                upload=file,
            )
    except ValidationError as error:
        raise InvalidInput({NON_FIELD_ERRORS: list(error.messages)})
    return _measure_out(measure.pk)
