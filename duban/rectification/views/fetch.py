"""Fetch-and-authorize helpers of the ledger pages (one per object kind). A person who
may not see the ledger at all gets 403; an object outside their scope does not exist."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from duban.org.access import access_for
from duban.rectification import access as rules
from duban.rectification.models import ClosureRequest, Finding, Measure
from duban.supervision.models import Plan, PlanKind


def ledger_access(request):
    access = access_for(request.user)
    if not rules.can_see_ledger(access):
        raise PermissionDenied
    return access


def office_access(request):
    access = ledger_access(request)
    if not rules.can_manage(access):
        raise PermissionDenied
    return access


def rect_plan_for(request, pk) -> Plan:
    ledger_access(request)
    return get_object_or_404(
        Plan.objects.select_related("owner_unit", "rectification"), pk=pk, kind=PlanKind.RECTIFICATION
    )


def finding_for(request, pk) -> Finding:
    access = ledger_access(request)
    queryset = Finding.objects.select_related("plan", "plan__rectification", "origin_round", "origin_feedback")
    finding = rules.findings_visible(access, queryset).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding


def measure_for(request, pk) -> Measure:
    access = ledger_access(request)
    queryset = Measure.objects.select_related(
        "item",
        "item__plan",
        "item__lead_unit",
        "item__patron_leader",
        "item__responsible_person",
        "item__state",
        "finding",
        "finding__plan",
        "doc_file",
        "closed_by",
    )
    measure = rules.measures_visible(access, queryset).filter(pk=pk).first()
    if measure is None:
        raise Http404
    return measure


def closure_for(request, pk) -> ClosureRequest:
    closure = get_object_or_404(ClosureRequest, pk=pk)
    closure.measure = measure_for(request, closure.measure_id)
    return closure


def error_text(error) -> str:
    messages = getattr(error, "messages", None)
    return " ".join(messages) if messages else str(error)
