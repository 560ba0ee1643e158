"""My leave and travel requests: the list, the form (with a live preview of working days,
warnings and the chain), the detail timeline, withdrawal, return, and my annual balance."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.leave import access as rules
from duban.leave import balances
from duban.leave.forms import ActForm, RequestForm, ReturnForm
from duban.leave.models import LIVE, AbsenceRequest, AbsenceStatus, AbsenceType, RequestStep, StepStatus
from duban.leave.services import chains
from duban.leave.services import requests as services
from duban.leave.workdays import working_days
from duban.lib.listing import paginate
from duban.org.access import access_for
from duban.supervision.views.common import form_error


def requester(request):
    access = access_for(request.user)
    if not rules.can_request(access):
        raise PermissionDenied
    return access


@login_required
def my_requests(request):
    requester(request)
    rows = AbsenceRequest.objects.filter(person=request.user).select_related("absence_type")
    status = request.GET.get("status", "")
    if status in AbsenceStatus.values:
        rows = rows.filter(status=status)
    year = timezone.localdate().year
    context = {
        "page_obj": paginate(request, rows, 30),
        "status": status,
        "statuses": AbsenceStatus.choices,
        "balance": balances.balance(request.user, year),
    }
    return render(request, "leave/request_list.html", context)


def _preview(user, form) -> dict:
    """Working days, overlap warnings and the chain for the dates being typed."""
    form.is_valid()  # the reason and destination may still be missing: only type and dates count here
    data = form.cleaned_data
    if not all(data.get(k) for k in ("absence_type", "starts_on", "ends_on")):
        return {}
    return {
        "days": working_days(data["starts_on"], data["ends_on"]),
        "warnings": services.overlap_warnings(user, data["starts_on"], data["ends_on"]),
        "chain": chains.describe(data["absence_type"], user),
        "absence_type": data["absence_type"],
    }


@login_required
def request_create(request):
    requester(request)
    if request.method == "GET" and request.htmx:
        return render(request, "leave/_warnings.html", _preview(request.user, RequestForm(request.GET)))
    today = timezone.localdate()
    kinds = AbsenceType.objects.filter(is_active=True)
    first = kinds.first()
    initial = {"starts_on": today, "ends_on": today, "absence_type": first}
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            absence, warnings = services.submit(request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("申请已提交。"))
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(absence)
    probe = form if form.is_bound else RequestForm({**initial, "absence_type": getattr(first, "pk", None)})
    context = {"form": form, "preview": _preview(request.user, probe), "has_types": first is not None}
    return render(request, "leave/request_form.html", context)


def _visible(request, pk):
    access = access_for(request.user)
    absence = get_object_or_404(AbsenceRequest.objects.select_related("person", "unit", "absence_type"), pk=pk)
    if not rules.can_see_request(access, absence):
        raise PermissionDenied
    return absence, access


@login_required
def request_detail(request, pk):
    absence, access = _visible(request, pk)
    steps = list(
        RequestStep.objects.filter(request=absence)
        .select_related("acted_by", "on_behalf_of")
        .prefetch_related(Prefetch("assignees"))
        .order_by("order")
    )
    delegator_ids = rules.delegators(access)
    mine = None
    for step in steps:
        step.request = absence
        if step.status == StepStatus.PENDING and absence.status == AbsenceStatus.PENDING:
            ids = {p.pk for p in step.assignees.all()}
            principal = rules.step_principal(access, step, ids, delegator_ids)
            if principal is not None:
                mine = step
                step.for_whom = next((p for p in step.assignees.all() if p.pk == principal), None)
    can_return = (
        absence.status == AbsenceStatus.APPROVED
        and absence.returned_on is None
        and rules.can_record_return(access, absence)
    )
    context = {
        "absence": absence,
        "steps": steps,
        "details": rules.can_see_details(access, absence),
        "can_withdraw": rules.can_withdraw(access, absence),
        "can_return": can_return,
        "return_form": ReturnForm(initial={"returned_on": min(timezone.localdate(), services.due_back(absence))}),
        "my_step": mine,
        "act_form": ActForm(),
        "overstay": services.is_overstay(absence),
    }
    return render(request, "leave/request_detail.html", context)


@login_required
@require_POST
def withdraw(request, pk):
    absence, _access = _visible(request, pk)
    try:
        services.withdraw(request.user, absence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect(absence)


@login_required
@require_POST
def record_return(request, pk):
    absence, access = _visible(request, pk)
    if not rules.can_record_return(access, absence):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的返岗日期。"))
        return redirect(absence)
    try:
        services.record_return(request.user, absence, form.cleaned_data["returned_on"], form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已销假。"))
    return redirect(absence)


@login_required
def my_balance(request):
    requester(request)
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    rows = list(
        AbsenceRequest.objects.filter(
            person=request.user,
            absence_type__uses_balance=True,
            starts_on__lte=datetime.date(year, 12, 31),
            ends_on__gte=datetime.date(year, 1, 1),
        )
        .select_related("absence_type")
        .order_by("starts_on")
    )
    counted = balances.year_days(rows, year)
    for row in rows:
        row.year_days = counted[row.pk]
    context = {
        "year": year,
        "years": list(range(this_year + 1, this_year - 4, -1)),
        "balance": balances.balance(request.user, year),
        "rows": rows,
        "counted": LIVE,
    }
    return render(request, "leave/balance.html", context)
