"""Plan pages: the list of plans and a plan's ledger of items."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.lib.listing import paginate, sort_queryset
from duban.org.access import access_for, require
from duban.org.models import Unit
from duban.supervision import access as rules
from duban.supervision.forms import PhaseForm, PlanForm
from duban.supervision.models import Item, ItemState, Plan, PlanKind, PlanPhase, PlanStatus, Status
from duban.supervision.services.plans import phase_delete, phase_save, plan_save
from duban.supervision.status import SEVERITY
from duban.supervision.views.common import plan_for


def _require_plans(request):
    if not rules.can_see_plans(access_for(request.user)):
        raise PermissionDenied


@require("can_browse_org")
def plan_list(request):
    _require_plans(request)
    access = access_for(request.user)
    plans = Plan.objects.select_related("owner_unit")
    year, kind, status = request.GET.get("year", ""), request.GET.get("kind", ""), request.GET.get("status", "active")
    if year.isdecimal():
        plans = plans.filter(year=int(year))
    if kind in PlanKind.values:
        plans = plans.filter(kind=kind)
    if status in PlanStatus.values:
        plans = plans.filter(status=status)
    visible = rules.items_visible(access, Item.objects.all()).values("pk")
    counts = {
        row["plan_id"]: row
        for row in Item.objects.filter(pk__in=visible, plan__in=plans)
        .values("plan_id")
        .annotate(
            total=Count("id"),
            **{s: Count("id", filter=Q(state__status=s)) for s in Status.values},
        )
    }
    rows = [(plan, counts.get(plan.pk, {})) for plan in plans]
    context = {
        "rows": rows,
        "kinds": PlanKind.choices,
        "statuses": PlanStatus.choices,
        "filters": {"year": year, "kind": kind, "status": status},
        "years": sorted({y for y in Plan.objects.values_list("year", flat=True) if y}, reverse=True),
        "can_manage": rules.can_manage(access),
        "status_order": [(s, Status(s).label) for s in SEVERITY],
    }
    return render(request, "supervision/plan_list.html", context)


ITEM_SORTS = {
    "ordinal": ("ordinal",),
    "title": ("title",),
    "unit": ("lead_unit__order", "lead_unit__name"),
    "due": ("due_date",),
    "progress": ("state__progress",),
    "status": ("state__status",),
}


@require("can_browse_org")
def plan_detail(request, pk):
    plan = plan_for(request, pk)
    access = access_for(request.user)
    items = rules.items_visible(access, Item.objects.filter(plan=plan))
    states = rules.states_visible(access, ItemState.objects.filter(plan=plan))
    status_counts = dict(states.values_list("status").annotate(n=Count("status")).order_by())
    status = request.GET.get("status", "")
    unit = request.GET.get("unit", "")
    q = request.GET.get("q", "").strip()
    listed = items
    if status in Status.values:
        listed = listed.filter(state__status=status)
    if unit.isdecimal():
        listed = listed.filter(lead_unit_id=int(unit))
    if q:
        listed = listed.filter(Q(title__icontains=q) | Q(description__icontains=q))
    listed, sort = sort_queryset(listed, request.GET.get("sort", ""), ITEM_SORTS, "ordinal")
    # Page over the ids alone (the default order reads the item_plan_ordinal index only), then
    # read the page's 50 rows with their relations: deep pages skip ids, not joined rows.
    page = paginate(request, listed.values_list("pk", flat=True), per_page=50)
    page.object_list = listed.filter(pk__in=page.object_list).select_related(
        "state", "lead_unit", "patron_leader", "responsible_person", "parent"
    )
    # One probe of item_lead_unit per unit rather than a pass over every item of the plan.
    units = (
        Unit.objects.filter(Exists(items.filter(lead_unit_id=OuterRef("pk"))))
        .order_by("order", "id")
        .values_list("id", "name")
    )
    context = {
        "plan": plan,
        "page_obj": page,
        "total": page.paginator.count,
        "status_counts": [(s, Status(s).label, status_counts.get(s, 0)) for s in SEVERITY],
        "all_count": sum(status_counts.values()),
        "units": list(units),
        "filters": {"status": status, "unit": unit, "q": q},
        "sort": sort,
        "can_manage": rules.can_manage(access),
        "tab": "ledger",
    }
    return render(request, "supervision/plan_detail.html", context)


@require("can_browse_org")
def plan_edit(request, pk=None):
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=pk) if pk else Plan()
    form = PlanForm(request.POST or None, instance=plan, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        saved = plan_save(acting_user=request.user, plan=form.save(commit=False))
        messages.success(request, _("计划“%(title)s”已保存。") % {"title": saved.title})
        return redirect(saved)
    phase_form = PhaseForm(instance=PlanPhase(plan=plan)) if plan.pk else None
    context = {
        "form": form,
        "plan": plan,
        "phase_form": phase_form,
        "phases": plan.phases.all() if plan.pk else [],
        "page_title": _("计划设置") if plan.pk else _("新建计划"),
        "cancel_url": plan.get_absolute_url() if plan.pk else reverse("supervision:plan_list"),
    }
    return render(request, "supervision/plan_form.html", context)


@require("can_browse_org")
@require_POST
def plan_phases(request, pk):
    """Add or delete a phase (专项行动的阶段) from the plan settings page."""
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=pk)
    if request.POST.get("delete", "").isdecimal():
        phase_delete(acting_user=request.user, phase=get_object_or_404(PlanPhase, pk=request.POST["delete"], plan=plan))
        messages.success(request, _("阶段已删除。"))
        return redirect("supervision:plan_edit", pk=plan.pk)
    form = PhaseForm(request.POST, instance=PlanPhase(plan=plan))
    if form.is_valid():
        phase_save(acting_user=request.user, phase=form.save(commit=False))
        messages.success(request, _("阶段已添加。"))
        return redirect("supervision:plan_edit", pk=plan.pk)
    context = {
        "form": PlanForm(instance=plan, tree=access.tree),
        "plan": plan,
        "phase_form": form,
        "phases": plan.phases.all(),
        "page_title": _("计划设置"),
        "cancel_url": plan.get_absolute_url(),
    }
    return render(request, "supervision/plan_form.html", context)
