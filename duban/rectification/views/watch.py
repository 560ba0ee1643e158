"""Relapse watch (防止反弹回潮): the liaison group's re-check tasks and the form that
records a re-check's verdict."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.org.access import ALL, require
from duban.org.models import Role
from duban.rectification import access as rules
from duban.rectification.forms import RecheckForm
from duban.rectification.models import Recheck, RecheckState
from duban.rectification.services import watch as services
from duban.rectification.views.fetch import ledger_access, measure_for
from duban.supervision.views.common import form_error


@require("can_browse_org")
def recheck_queue(request):
    access = ledger_access(request)
    is_office = rules.can_manage(access)
    grid_scope = access.scope(Role.TASKFORCE)
    if not is_office and not grid_scope:
        raise PermissionDenied
    rechecks = Recheck.objects.filter(state=RecheckState.SCHEDULED).select_related(
        "measure", "measure__item", "measure__item__lead_unit", "measure__finding", "measure__finding__plan"
    )
    if not is_office and grid_scope != ALL:
        rechecks = rechecks.filter(measure__item__lead_unit_id__in=grid_scope)
    today = timezone.localdate()
    rechecks = list(rechecks.order_by("due_on", "id"))
    context = {
        "due": [r for r in rechecks if r.due_on <= today],
        "upcoming": [r for r in rechecks if r.due_on > today],
        "today": today,
    }
    return render(request, "rectification/recheck_queue.html", context)


@require("can_browse_org")
def recheck_record(request, pk):
    recheck = get_object_or_404(Recheck, pk=pk)
    measure = measure_for(request, recheck.measure_id)
    if not rules.can_recheck(ledger_access(request), measure):
        raise PermissionDenied
    recheck.measure = measure
    form = RecheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remark = form.cleaned_data["remark"]
        try:
            if form.cleaned_data["verdict"] == "relapsed":
                services.recheck_relapse(acting_user=request.user, recheck=recheck, description=remark)
                messages.warning(request, _("已记录反弹，措施重新打开，并已通知责任单位。"))
            else:
                services.recheck_hold(acting_user=request.user, recheck=recheck, remark=remark)
                messages.success(request, _("已记录复查结论：巩固良好。"))
        except ValidationError as error:
            form_error(form, error)
        else:
            return redirect(f"{measure.get_absolute_url()}#rechecks")
    context = {
        "recheck": recheck,
        "m": measure,
        "form": form,
        "not_yet": recheck.due_on > timezone.localdate(),
        "done": recheck.state != RecheckState.SCHEDULED,
    }
    return render(request, "rectification/recheck_form.html", context)
