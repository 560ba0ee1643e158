"""Rectification plans: the list, the plan form and one plan's ledger (整改台账)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from duban.org.access import require
from duban.rectification import access as rules
from duban.rectification.forms import RectPlanForm, RectProfileForm
from duban.rectification.models import ClosureState, MeasureType, RectificationPlan
from duban.rectification.selectors.ledger import LedgerFilters, ledger_for, plan_rows, rectification_plans
from duban.rectification.services.plans import rectification_plan_save
from duban.rectification.views.fetch import ledger_access, office_access, rect_plan_for
from duban.supervision.models import Plan, PlanStatus
from duban.supervision.views.common import form_error


@require("can_browse_org")
def plan_list(request):
    access = ledger_access(request)
    show = request.GET.get("status", "active")
    plans = rectification_plans()
    if show in PlanStatus.values:
        plans = plans.filter(status=show)
    context = {
        "rows": plan_rows(access, plans),
        "status": show,
        "statuses": PlanStatus.choices,
        "can_manage": rules.can_manage(access),
    }
    return render(request, "rectification/plan_list.html", context)


@require("can_browse_org")
def plan_edit(request, pk=None):
    access = office_access(request)
    if pk:
        plan = rect_plan_for(request, pk)
        profile = RectificationPlan.objects.filter(plan=plan).first() or RectificationPlan(plan=plan)
    else:
        plan, profile = Plan(), RectificationPlan()
    data = request.POST if request.method == "POST" else None
    form = RectPlanForm(data, instance=plan, tree=access.tree, prefix="plan")
    profile_form = RectProfileForm(data, instance=profile, prefix="rect")
    if data is not None and form.is_valid() and profile_form.is_valid():
        try:
            saved = rectification_plan_save(
                acting_user=request.user, plan=form.save(commit=False), profile=profile_form.save(commit=False)
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("整改方案“%(t)s”已保存。") % {"t": saved.plan.title})
            return redirect("rectification:ledger", pk=saved.plan.pk)
    context = {
        "form": form,
        "profile_form": profile_form,
        "plan": plan if plan.pk else None,
        "page_title": _("编辑整改方案") if plan.pk else _("新建整改方案"),
    }
    return render(request, "rectification/plan_form.html", context)


@require("can_browse_org")
def ledger(request, pk):
    plan = rect_plan_for(request, pk)
    access = ledger_access(request)
    filters = LedgerFilters.from_query(request.GET)
    result = ledger_for(access, plan, filters, page=request.GET.get("page"))
    context = {
        "plan": plan,
        "profile": getattr(plan, "rectification", None),
        "ledger": result,
        "page_obj": result.page,
        "filters": filters,
        "unit_options": _unit_options(access),
        "closure_states": ClosureState.choices,
        "measure_types": MeasureType.choices,
        "can_manage": rules.can_manage(access),
    }
    return render(request, "rectification/ledger.html", context)


def _unit_options(access):
    from duban.org.forms import unit_choices

    return [(str(value), label) for value, label in unit_choices(access.tree)]
