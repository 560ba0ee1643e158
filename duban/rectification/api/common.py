"""Fetch-and-authorize helpers of the rectification API, one per object kind, mirroring
duban.supervision.api.common: a person who may not see the ledger at all (staff alone,
administrators, people with no role) gets 403; a finding or measure outside
`findings_visible` / `measures_visible` (and whatever hangs off it) does not exist for
the caller: 404. The rules themselves are duban.rectification.access.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from duban.api.auth import api_user
from duban.api.errors import STALE_ERRORS, ErrorOut, InvalidInput, InvalidOut
from duban.api.fields import id_in_range
from duban.org.access import Access, access_for
from duban.org.models import Unit
from duban.rectification import access as rules
from duban.rectification.models import (
    ClosureRequest,
    Feedback,
    Finding,
    LookbackRound,
    Measure,
    Recheck,
    RectificationPlan,
)

READ_ERRORS = {401: ErrorOut, 403: ErrorOut}
ONE_ERRORS = {**READ_ERRORS, 404: ErrorOut}
WRITE_ERRORS = {400: InvalidOut, **ONE_ERRORS}
CONFLICT_ERRORS = {**WRITE_ERRORS, **STALE_ERRORS}

# Base querysets: always derive from them (.filter/.get/.all), never evaluate them.
PLANS = RectificationPlan.objects.select_related("plan", "plan__owner_unit")
FINDINGS = Finding.objects.prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("order", "id")))
# Everything a MeasureOut shows, in a fixed number of queries whatever the number of measures.
MEASURES = Measure.objects.select_related(
    "finding",
    "closed_by",
    "doc_file",
    "item__state",
    "item__lead_unit",
    "item__patron_leader",
    "item__responsible_person",
).prefetch_related(Prefetch("item__co_units", queryset=Unit.objects.order_by("order", "id")))
CLOSURES = ClosureRequest.objects.select_related(
    "measure__item__lead_unit", "requested_by", "reviewed_by", "approved_by", "returned_by"
).prefetch_related("evidence__attachment")
RECHECKS = Recheck.objects.select_related("measure__item__lead_unit", "checked_by", "relapse")


def access_of(request) -> Access:
    """The caller's access, refused (403) when they may not see the ledger at all."""
    access = access_for(api_user(request))
    if not rules.can_see_ledger(access):
        raise PermissionDenied
    return access


def staff_access_of(request) -> Access:
    """The caller's access for the staff side (disclosure, feedback): every business role."""
    access = access_for(api_user(request))
    if not rules.can_see_disclosure(access):
        raise PermissionDenied
    return access


def require(allowed: bool, message: str) -> None:
    """403 with the service's Chinese reason, checked before any validation."""
    if not allowed:
        raise PermissionDenied(message)


def plan_get(pk: int, queryset=None) -> RectificationPlan:
    """Every rectification plan is visible to those who see the ledger (its findings and
    measures are filtered); a supervision plan without a rectification side is 404."""
    return get_object_or_404(queryset if queryset is not None else PLANS, pk=pk)


def finding_get(access: Access, pk: int, queryset=None) -> Finding:
    queryset = queryset if queryset is not None else Finding.objects.select_related("plan")
    if not id_in_range(pk):
        raise Http404
    finding = rules.findings_visible(access, queryset).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding


def measure_get(access: Access, pk: int, queryset=None) -> Measure:
    queryset = queryset if queryset is not None else Measure.objects.select_related("item", "finding")
    if not id_in_range(pk):  # names nothing, and would overflow the query
        raise Http404
    measure = rules.measures_visible(access, queryset).filter(pk=pk).first()
    if measure is None:
        raise Http404
    return measure


def closure_get(access: Access, pk: int) -> ClosureRequest:
    closure = get_object_or_404(ClosureRequest, pk=pk)
    closure.measure = measure_get(access, closure.measure_id)
    return closure


def recheck_get(access: Access, pk: int) -> Recheck:
    recheck = get_object_or_404(Recheck, pk=pk)
    recheck.measure = measure_get(access, recheck.measure_id)
    return recheck


def round_get(pk: int) -> LookbackRound:
    return get_object_or_404(LookbackRound.objects.select_related("plan", "opened_by", "closed_by"), pk=pk)


def feedback_get(pk: int) -> Feedback:
    return get_object_or_404(Feedback.objects.select_related("plan", "finding"), pk=pk)


def units_get(ids: list[int], field: str = "unit_ids", label: str = "涉及单位") -> list[Unit]:
    """The units with these ids, or 400 naming the unknown ones."""
    ids = list(dict.fromkeys(ids))
    units = list(Unit.objects.filter(pk__in=[pk for pk in ids if id_in_range(pk)]))
    unknown = sorted(set(ids) - {unit.pk for unit in units})
    if unknown:
        raise InvalidInput({field: [f"单位 {', '.join(map(str, unknown))} 不存在。"]}, {field: label})
    return units


def form_data(values: dict, fields: dict[str, str]) -> dict:
    """API field values -> form data."""
    return {fields[name]: value for name, value in values.items() if name in fields}
