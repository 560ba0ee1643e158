"""Circulars (通报) on a plan through the API, and the plan's lagging units they name.

Everyone who sees plans reads a plan's circulars and lagging units (as on the plan's
通报 tab); only the office publishes (services.actions.can_issue_circular).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Router, Status

from duban.api.auth import acting, api_user
from duban.org.models import Unit
from duban.supervision.api.actions import action_form, refused
from duban.supervision.api.common import ONE_ERRORS, WRITE_ERRORS, access_of, plan_get, require
from duban.supervision.api.schemas_more import CircularIn, CircularOut, LaggingUnitOut
from duban.supervision.forms_actions import CircularForm
from duban.supervision.models import Circular
from duban.supervision.services import actions as services

router = Router(tags=["通报"])

CIRCULARS = Circular.objects.select_related("issued_by").prefetch_related(
    Prefetch("units", queryset=Unit.objects.order_by("order", "id"))
)


@router.get("/plans/{int:plan_id}/circulars", response={200: list[CircularOut], **ONE_ERRORS}, summary="计划的通报")
def circular_list(request, plan_id: int):
    """计划的全部通报，新的在前。"""
    plan = plan_get(access_of(request), plan_id)
    return CIRCULARS.filter(plan=plan).order_by("-issued_at", "-id")


@router.post("/plans/{int:plan_id}/circulars", response={201: CircularOut, **WRITE_ERRORS}, summary="发布通报")
def circular_create(request, plan_id: int, payload: CircularIn):
    """仅督查办。unit_ids 不填时通报当前有逾期或滞后事项的单位（见 lagging-units）；
    被通报单位的负责人会收到通知。"""
    access = access_of(request)
    plan = plan_get(access, plan_id)
    require(services.can_issue_circular(access, plan), services.ERR_CANNOT_CIRCULATE)
    lagging = services.lagging_units(plan)
    values = payload.model_dump()
    chosen = values["unit_ids"] is not None
    values["unit_ids"] = values["unit_ids"] or []
    form = action_form(CircularForm, values, plan=plan, lagging=lagging, tree=access.tree)
    data = {**form.cleaned_data, "units": form.cleaned_data["units"] if chosen else None}
    try:
        with acting(request):
            circular = services.circular_issue(acting_user=api_user(request), plan=plan, **data)
    except ValidationError as error:
        raise refused(form, error)
    return Status(201, CIRCULARS.get(pk=circular.pk))


@router.get(
    "/plans/{int:plan_id}/lagging-units", response={200: list[LaggingUnitOut], **ONE_ERRORS}, summary="滞后单位"
)
def lagging_units(request, plan_id: int):
    """计划中有逾期或进度滞后（未办结）事项的牵头单位，最严重的在前（逾期多的，其次滞后多的）。"""
    plan = plan_get(access_of(request), plan_id)
    return services.lagging_units(plan)
