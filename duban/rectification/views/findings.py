"""Findings (问题) and the form for their measures (整改措施)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.lib.forms import stale_changes
from duban.org.access import require
from duban.rectification import access as rules
from duban.rectification.forms import FindingForm, MeasureForm
from duban.rectification.models import Feedback, Finding, Measure, Relapse
from duban.rectification.selectors.ledger import ledger_measures
from duban.rectification.services import Stale
from duban.rectification.services.findings import finding_save, measure_save
from duban.rectification.views.fetch import finding_for, ledger_access, office_access, rect_plan_for
from duban.supervision.models import Item
from duban.supervision.views.common import form_error


@require("can_browse_org")
def finding_detail(request, pk):
    finding = finding_for(request, pk)
    access = ledger_access(request)
    measures = list(ledger_measures(access, finding.measures.all()))
    context = {
        "f": finding,
        "plan": finding.plan,
        "measures": measures,
        "units": finding.units.order_by("order"),
        "relapses": Relapse.objects.filter(measure__finding=finding)
        .select_related("measure__item", "unit", "found_by")
        .filter(measure__in=[m.pk for m in measures]),
        "feedback": Feedback.objects.filter(finding=finding).order_by("-sent_on", "-id"),
        "can_manage": rules.can_manage(access),
    }
    return render(request, "rectification/finding_detail.html", context)


@require("can_browse_org")
def finding_edit(request, pk):
    """Create (URL finding_create: `pk` is the plan) or update (finding_edit: the finding)."""
    access = office_access(request)
    if request.resolver_match.url_name == "finding_create":
        plan = rect_plan_for(request, pk)
        finding = Finding(plan=plan)
    else:
        finding = get_object_or_404(Finding.objects.select_related("plan"), pk=pk)
        plan = finding.plan
    form = FindingForm(request.POST or None, instance=finding, plan=plan, tree=access.tree)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = finding_save(
                acting_user=request.user,
                finding=form.save(commit=False),
                units=form.cleaned_data["units"],
                expected_version=form.cleaned_data.get("version") if finding.pk else None,
            )
        except Stale as error:
            stale = stale_changes(form, error)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("问题 %(n)d 已保存。") % {"n": saved.ordinal})
            return redirect(saved)
    context = {
        "form": form,
        "plan": plan,
        "finding": finding if finding.pk else None,
        "page_title": _("编辑问题") if finding.pk else _("新增问题"),
        "stale": stale,
        "cancel_url": finding.get_absolute_url() if finding.pk else plan_ledger_url(plan),
    }
    return render(request, "rectification/finding_form.html", context)


def plan_ledger_url(plan) -> str:
    from django.urls import reverse

    return reverse("rectification:ledger", args=[plan.pk])


@require("can_browse_org")
def measure_edit(request, pk=None, finding_pk=None):
    access = office_access(request)
    if pk:
        measure = get_object_or_404(Measure.objects.select_related("item", "finding", "finding__plan"), pk=pk)
        finding, item, measure_type = measure.finding, measure.item, measure.type
    else:
        finding = get_object_or_404(Finding.objects.select_related("plan"), pk=finding_pk)
        measure, measure_type = None, None
        item = Item(plan=finding.plan, start_date=timezone.localdate())
    form = MeasureForm(
        request.POST or None, instance=item, plan=finding.plan, tree=access.tree, measure_type=measure_type
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = measure_save(
                acting_user=request.user,
                finding=finding,
                item=form.save(commit=False),
                measure_type=form.cleaned_data["type"],
                co_units=form.cleaned_data["co_units"],
                expected_version=form.cleaned_data.get("version") if measure else None,
            )
        except Stale as error:
            stale = stale_changes(form, error)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("整改措施“%(t)s”已保存。") % {"t": saved.item.title})
            return redirect(saved)
    context = {
        "form": form,
        "finding": finding,
        "plan": finding.plan,
        "measure": measure,
        "page_title": _("编辑整改措施") if measure else _("新增整改措施"),
        "stale": stale,
        "cancel_url": measure.get_absolute_url() if measure else finding.get_absolute_url(),
    }
    return render(request, "rectification/measure_form.html", context)
