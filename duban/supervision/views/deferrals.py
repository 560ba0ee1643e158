"""Deferral pages: the unit asks; the office or the patron leader decides."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from duban.org.access import access_for, require
from duban.supervision import access as rules
from duban.supervision.forms import DecisionForm, DeferralForm
from duban.supervision.models import Deferral
from duban.supervision.services import deferrals as services
from duban.supervision.views.common import form_error, item_for


@require("can_browse_org")
def deferral_request(request, pk):
    item = item_for(request, pk)
    if not rules.can_request_deferral(access_for(request.user), item):
        raise PermissionDenied
    form = DeferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deferral_request(
                acting_user=request.user,
                item=item,
                new_due_date=form.cleaned_data["new_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("延期申请已提交，等待督查办或帮包领导审批。"))
            return redirect(item)
    context = {"item": item, "form": form, "page_title": _("申请延期"), "cancel_url": item.get_absolute_url()}
    return render(request, "supervision/deferral_form.html", context)


@require("can_browse_org")
def deferral_decide(request, pk):
    deferral = get_object_or_404(Deferral.objects.select_related("requested_by"), pk=pk)
    item = item_for(request, deferral.item_id)
    if not rules.can_decide_deferral(access_for(request.user), item):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deferral_decide(
                acting_user=request.user,
                deferral=deferral,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已审批延期申请。"))
            return redirect(item)
    context = {
        "item": item,
        "deferral": deferral,
        "form": form,
        "page_title": _("审批延期申请"),
        "cancel_url": item.get_absolute_url(),
    }
    return render(request, "supervision/deferral_decide.html", context)
