"""Fetch-and-authorize helpers of the supervision API, one per object kind, mirroring
duban.supervision.views.common: a person who may not see plans at all (administrators,
people with no role) gets 403; an item outside `items_visible` (and whatever hangs off
it) does not exist for the caller: 404. The rules themselves are duban.supervision.access.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from duban.api.auth import api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.org.access import Access, access_for
from duban.org.models import Unit
from duban.supervision import access as rules
from duban.supervision.models import Deferral, IndicatorReading, Item, Plan, ProgressReport, TimeNode

READ_ERRORS = {401: ErrorOut, 403: ErrorOut}
ONE_ERRORS = {**READ_ERRORS, 404: ErrorOut}
WRITE_ERRORS = {400: InvalidOut, **ONE_ERRORS}

# Base querysets: always derive from them (.filter/.get/.all), never evaluate them
# directly, or their result cache would outlive the request.
# Everything an ItemOut shows, in a fixed number of queries whatever the number of items.
ITEMS = Item.objects.select_related("state", "lead_unit", "patron_leader", "responsible_person").prefetch_related(
    Prefetch("co_units", queryset=Unit.objects.order_by("order", "id"))
)
# Everything a ReportOut shows.
REPORTS = ProgressReport.objects.select_related(
    "item__plan", "item__lead_unit", "filled_by", "submitted_by", "reviewed_by"
).prefetch_related(Prefetch("readings", queryset=IndicatorReading.objects.order_by("indicator_id")))
DEFERRALS = Deferral.objects.select_related("requested_by", "decided_by")


def access_of(request) -> Access:
    """The caller's access, refused (403) when they may not see supervision at all."""
    access = access_for(api_user(request))
    if not rules.can_see_plans(access):
        raise PermissionDenied
    return access


def require(allowed: bool, message: str) -> None:
    """403 with the service's Chinese reason, checked before any validation so a
    refused caller never learns whether the data would have passed."""
    if not allowed:
        raise PermissionDenied(message)


def plan_get(access: Access, pk: int, queryset=None) -> Plan:
    """Every plan is visible to those who see plans (its items are filtered)."""
    return get_object_or_404(queryset if queryset is not None else Plan.objects.all(), pk=pk)


def item_get(access: Access, pk: int, queryset=None) -> Item:
    """An item the caller may see, else 404."""
    queryset = queryset if queryset is not None else Item.objects.select_related("plan", "lead_unit")
    item = rules.items_visible(access, queryset).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def report_get(access: Access, pk: int) -> ProgressReport:
    report = get_object_or_404(ProgressReport, pk=pk)
    report.item = item_get(access, report.item_id)
    return report


def node_get(access: Access, pk: int) -> TimeNode:
    node = get_object_or_404(TimeNode, pk=pk)
    node.item = item_get(access, node.item_id)
    return node


def deferral_get(access: Access, pk: int) -> Deferral:
    deferral = get_object_or_404(Deferral, pk=pk)
    deferral.item = item_get(access, deferral.item_id)
    return deferral


def form_data(values: dict, fields: dict[str, str]) -> dict:
    """API field values -> form data (the forms take None as an empty choice or text)."""
    return {fields[name]: value for name, value in values.items() if name in fields}
