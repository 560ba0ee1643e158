"""待我办理: the steps waiting for me (or for someone who delegated to me), acting on them,
and my delegations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.leave import access as rules
from duban.leave import selectors
from duban.leave.forms import ActForm, DelegationForm
from duban.leave.models import DELEGATION_STATES, Delegation, RequestStep, StepAction
from duban.leave.services import approvals, delegation
from duban.org.access import access_for
from duban.supervision.views.common import form_error

RECENT = 20


def approver(request):
    access = access_for(request.user)
    if not rules.can_approve(access):
        raise PermissionDenied
    return access


@login_required
def task_list(request):
    access = approver(request)
    delegator_ids = rules.delegators(access)
    steps = list(selectors.pending_steps(request.user, delegator_ids))
    for step in steps:
        assignees = {p.pk: p for p in step.assignees.all()}
        principal = rules.step_principal(access, step, set(assignees), delegator_ids)
        step.delegated = principal is not None and principal != request.user.pk
        step.for_name = assignees[principal].name if step.delegated else ""
    done = (
        RequestStep.objects.filter(acted_by=request.user)
        .select_related("request__person", "request__absence_type", "on_behalf_of")
        .order_by("-acted_at", "-pk")[:RECENT]
    )
    context = {"steps": steps, "done": done, "act_form": ActForm()}
    return render(request, "leave/task_list.html", context)


@login_required
@require_POST
def act(request, pk, sid):
    approver(request)
    step = get_object_or_404(RequestStep.objects.select_related("request"), pk=sid, request_id=pk)
    form = ActForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意。"))
        return redirect(step.request)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        approvals.act(request.user, step, approve, form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(step.request)
    if not approve:
        messages.success(request, _("已办理：不同意。"))
    else:
        messages.success(request, _("已办理。") if step.action == StepAction.HANDLE else _("已同意。"))
    if request.POST.get("next") == "tasks":
        return redirect("leave:task_list")
    return redirect(step.request)


@login_required
def delegations(request):
    approver(request)
    form = DelegationForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation.create(request.user, data["delegate"], data["starts_on"], data["ends_on"], data["note"])
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已设置委托。"))
            return redirect("leave:delegations")
    today = timezone.localdate()
    given = list(Delegation.objects.filter(delegator=request.user).select_related("delegate__unit")[:50])
    taken = list(Delegation.objects.filter(delegate=request.user).select_related("delegator__unit")[:50])
    for row in given + taken:
        row.state_label, row.state_colour = DELEGATION_STATES[row.state(today)]
        row.can_revoke = row.revocable(today)
    context = {"form": form, "given": given, "taken": taken}
    return render(request, "leave/delegations.html", context)


@login_required
@require_POST
def delegation_revoke(request, did):
    approver(request)
    given = get_object_or_404(Delegation, pk=did, delegator=request.user)
    try:
        delegation.revoke(request.user, given)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("委托已撤销。"))
    return redirect("leave:delegations")
