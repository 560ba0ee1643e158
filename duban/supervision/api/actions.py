"""Supervision actions on an item (督办措施) through the API: urging (催办), warnings
(告诫提醒), accountability (问责), leader instructions (批示), and the item's records.

Each write authorizes with the rule the page's button asks (services.actions.can_*),
validates with the page's form fed the JSON body, and calls the one service. An item
outside the caller's view is 404; a visible item the rule refuses is 403 with the
service's reason. Notices and circulars are in .notices and .circulars.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from ninja import Router, Status

from duban.api.auth import acting, api_user
from duban.api.errors import form_invalid
from duban.supervision.api.common import ONE_ERRORS, WRITE_ERRORS, access_of, item_get, require
from duban.supervision.api.schemas_more import (
    AccountabilityIn,
    AccountabilityOut,
    InstructionIn,
    InstructionOut,
    LogOut,
    RecordsOut,
    UrgeIn,
    WarningIn,
    WarningOut,
)
from duban.supervision.forms_actions import AccountabilityForm, InstructionForm, UrgeForm, WarningForm
from duban.supervision.models import Accountability, Instruction, Item, ItemLog, Warning
from duban.supervision.services import actions as services

router = Router(tags=["督办措施"])

# What the action forms need of the item.
ACTION_ITEMS = Item.objects.select_related("plan", "lead_unit", "responsible_person")
WARNINGS = Warning.objects.select_related("unit", "person", "issued_by")
ACCOUNTABILITIES = Accountability.objects.select_related("unit", "person", "recorded_by")
INSTRUCTIONS = Instruction.objects.select_related("leader")

# API field -> action form field.
ACTION_FIELDS = {
    "text": "text",
    "title": "title",
    "addressee_unit_id": "addressee_unit",
    "requirement": "requirement",
    "respond_by": "respond_by",
    "unit_id": "unit",
    "person_id": "person",
    "kind": "kind",
    "reason": "reason",
    "decided_on": "decided_on",
    "decision_title": "decision_title",
    "decision_number": "decision_number",
    "response": "response",
    "comment": "comment",
    "body": "body",
    "number": "number",
    "unit_ids": "units",
}
ACTION_ERRORS = {form: api for api, form in ACTION_FIELDS.items()}

# A service's refusal that belongs to one field (as the pages show it); others are "__all__".
FIELD_OF_ERROR = {
    services.ERR_RESPOND_BY_PAST: "respond_by",
    services.ERR_REQUIREMENT: "requirement",
    services.ERR_DECIDED_FUTURE: "decided_on",
    services.ERR_REASON: "reason",
    services.ERR_RESPONSE: "response",
    services.ERR_TITLE: "title",
}


def action_form(form_class, values: dict, **kwargs):
    """The page's form fed the JSON body, or 400 with its errors under the API names."""
    data = {ACTION_FIELDS[name]: value for name, value in values.items() if name in ACTION_FIELDS}
    form = form_class(data, **kwargs)
    if not form.is_valid():
        raise form_invalid(form, ACTION_ERRORS)
    return form


def refused(form, error: ValidationError):
    """A service's refusal (400), on the field it is about."""
    errors: dict[str, list[str]] = {}
    for message in error.messages:
        field = FIELD_OF_ERROR.get(message)
        errors.setdefault(field if field in form.fields else NON_FIELD_ERRORS, []).append(message)
    return form_invalid(form, ACTION_ERRORS, ValidationError(errors))


def item_for_action(request, item_id: int, rule, message: str):
    """(access, item): the item the caller sees (else 404) and may act on (else 403)."""
    access = access_of(request)
    item = item_get(access, item_id, ACTION_ITEMS)
    require(rule(access, item), message)
    return access, item


@router.post("/items/{int:item_id}/urge", response={201: LogOut, **WRITE_ERRORS}, summary="催办")
def item_urge(request, item_id: int, payload: UrgeIn):
    """仅督查办，且事项未办结。催办内容以站内消息（及电子邮件）发给事项责任人和牵头单位的
    负责人、联络员，并记入事项的办理记录；返回这条记录。"""
    _access, item = item_for_action(request, item_id, services.can_urge, services.ERR_CANNOT_URGE)
    form = action_form(UrgeForm, payload.model_dump(), item=item)
    try:
        with acting(request):
            entry = services.item_urge(acting_user=api_user(request), item=item, text=form.cleaned_data["text"])
    except ValidationError as error:
        raise refused(form, error)
    return Status(201, ItemLog.objects.select_related("actor").get(pk=entry.pk))


@router.post("/items/{int:item_id}/warnings", response={201: WarningOut, **WRITE_ERRORS}, summary="告诫提醒")
def warning_create(request, item_id: int, payload: WarningIn):
    """督查办或纪检。告诫单位的负责人（和告诫人员）会收到提醒；告诫提醒不能撤回，并计入考核。"""
    access, item = item_for_action(request, item_id, services.can_warn, services.ERR_CANNOT_WARN)
    form = action_form(WarningForm, payload.model_dump(), item=item, tree=access.tree)
    try:
        with acting(request):
            warning = services.warning_issue(acting_user=api_user(request), item=item, **form.cleaned_data)
    except ValidationError as error:
        raise refused(form, error)
    return Status(201, WARNINGS.get(pk=warning.pk))


@router.post(
    "/items/{int:item_id}/accountability", response={201: AccountabilityOut, **WRITE_ERRORS}, summary="记录问责"
)
def accountability_create(request, item_id: int, payload: AccountabilityIn):
    """纪检或督查办。决定日期不能晚于今天；决定文件附件只能在网页上上传。问责记录保存后
    不能修改或删除，被问责单位的负责人（和人员）会收到通知。"""
    access, item = item_for_action(
        request, item_id, services.can_hold_accountable, services.ERR_CANNOT_HOLD_ACCOUNTABLE
    )
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    form = action_form(AccountabilityForm, payload.model_dump(mode="json"), item=item, tree=access.tree, max_mb=max_mb)
    try:
        with acting(request):
            record = services.accountability_record(acting_user=api_user(request), item=item, **form.cleaned_data)
    except ValidationError as error:
        raise refused(form, error)
    return Status(201, ACCOUNTABILITIES.get(pk=record.pk))


@router.post("/items/{int:item_id}/instructions", response={201: InstructionOut, **WRITE_ERRORS}, summary="领导批示")
def instruction_create(request, item_id: int, payload: InstructionIn):
    """能查看该事项的校领导。事项责任人、牵头单位负责人和联络员、督查办会收到批示。"""
    _access, item = item_for_action(request, item_id, services.can_add_instruction, services.ERR_CANNOT_INSTRUCT)
    form = action_form(InstructionForm, payload.model_dump())
    try:
        with acting(request):
            instruction = services.instruction_add(
                acting_user=api_user(request), item=item, text=form.cleaned_data["text"]
            )
    except ValidationError as error:
        raise refused(form, error)
    return Status(201, INSTRUCTIONS.get(pk=instruction.pk))


@router.get("/items/{int:item_id}/records", response={200: RecordsOut, **ONE_ERRORS}, summary="事项的督办记录")
def item_records(request, item_id: int):
    """事项页面上的督办记录：督办单（摘要）、领导批示、告诫提醒，新的在前；问责记录仅督查办、
    纪检、能查看该事项的校领导和牵头单位负责人可见，其他人为 null。附调用者可采取的督办措施。"""
    access = access_of(request)
    item = item_get(access, item_id)
    permissions = services.item_action_rules(access, item)
    see_accountability = permissions["see_accountability"]
    return {
        "notices": list(item.notices.select_related("addressee_unit")),
        "instructions": list(INSTRUCTIONS.filter(item=item)),
        "warnings": list(WARNINGS.filter(item=item)),
        "accountability": list(ACCOUNTABILITIES.filter(item=item)) if see_accountability else None,
        "permissions": permissions,
    }
