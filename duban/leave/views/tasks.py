"""待我办理: the steps waiting for me (or for someone who delegated to me), acting on them,
and my delegations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.leave.forms import ActForm, DelegationForm
from duban.leave.models import AbsenceStatus, Delegation, RequestStep, StepStatus
from duban.leave.services import approvals, delegation
from duban.leave.services.delegation import delegators_of
from duban.org.access import access_for
from duban.supervision.views.common import form_error

RECENT = 20


def pending_steps(person):
    """Steps waiting for the person or for those who delegated to them today (never their own request)."""
    actors = [person.pk, *delegators_of(person)]
    ids = RequestStep.objects.filter(
        status=StepStatus.PENDING, request__status=AbsenceStatus.PENDING, assignees__in=actors
    ).values("pk")
    return (
        RequestStep.objects.filter(pk__in=ids)
        .exclude(request__person=person)
        .select_related("request__person__unit", "request__absence_type")
        .prefetch_related("assignees")
        .order_by("request__submitted_at", "pk")
    )


def signed_in(request):
    access = access_for(request.user)
    if not request.user.is_active:
        raise PermissionDenied
    return access


@login_required
def task_list(request):
    signed_in(request)
    steps = list(pending_steps(request.user))
    for step in steps:
        names = [p.name for p in step.assignees.all() if p.pk != request.user.pk]
        step.delegated = request.user.pk not in {p.pk for p in step.assignees.all()}
        step.for_names = "、".join(names)
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
    signed_in(request)
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
    messages.success(request, _("已同意。") if approve else _("已办理：不同意。"))
    if request.POST.get("next") == "tasks":
        return redirect("leave:task_list")
    return redirect(step.request)


@login_required
def delegations(request):
    signed_in(request)
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
    given = Delegation.objects.filter(delegator=request.user).select_related("delegate__unit")[:50]
    taken = Delegation.objects.filter(delegate=request.user).select_related("delegator__unit")[:50]
    context = {"form": form, "given": given, "taken": taken, "today": today}
    return render(request, "leave/delegations.html", context)


@login_required
@require_POST
def delegation_revoke(request, did):
    signed_in(request)
    given = get_object_or_404(Delegation, pk=did, delegator=request.user)
    try:
        delegation.revoke(request.user, given)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("委托已撤销。"))
    return redirect("leave:delegations")
