"""The ladder editor: the office sets, per plan, who is reminded when, and sees what was sent."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from duban.lib.forms import StyledFormMixin
from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Plan, Recipient, ReminderRung, ReminderSent, RungTrigger
from duban.supervision.services import Refused
from duban.supervision.services import ladder as services

SENT_SHOWN = 50
NEW_RUNG = {"trigger": RungTrigger.BEFORE_DUE, "repeat_days": 0, "active": True, "recipients": [Recipient.RESPONSIBLE]}


def _days_field(label, message):
    errors = dict.fromkeys(("required", "invalid", "min_value", "max_value"), message)
    return forms.IntegerField(label=label, min_value=0, max_value=services.MAX_DAYS, error_messages=errors)


class RungForm(StyledFormMixin, forms.ModelForm):
    days = _days_field(gettext_lazy("天数"), services.ERR_DAYS)
    recipients = forms.MultipleChoiceField(
        label=gettext_lazy("提醒对象"),
        choices=Recipient.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": services.ERR_NO_RECIPIENT, "invalid_choice": services.ERR_RECIPIENT},
    )
    repeat_days = _days_field(gettext_lazy("重复间隔（天）"), services.ERR_REPEAT)

    class Meta:
        model = ReminderRung
        fields = ["trigger", "days", "recipients", "repeat_days", "active"]
        error_messages = {"trigger": {"required": services.ERR_TRIGGER, "invalid_choice": services.ERR_TRIGGER}}


class RungRowForm(RungForm):
    """A rung as one row of the ladder table: small controls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger"].widget.attrs["class"] += " form-select-sm"
        for name in ("days", "repeat_days"):
            self.fields[name].widget.attrs["class"] += " form-control-sm"


RungFormSet = forms.modelformset_factory(ReminderRung, form=RungRowForm, extra=0, edit_only=True)


def office_required(view):
    """Anonymous people sign in first; everyone but the office is refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not rules.can_manage(access_for(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _form_refused(form, error: Refused) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request, plan, formset=None, add_form=None):
    rungs = plan.rungs.order_by("order", "id")
    sent = ReminderSent.objects.filter(item__plan=plan).select_related("item", "rung").order_by("-on_date", "-id")
    if formset is None:
        formset = RungFormSet(queryset=rungs, prefix="rungs")
    for form in formset.forms:
        form.rung_label = services.rung_label(form.instance)
    context = {
        "plan": plan,
        "formset": formset,
        "add_form": add_form or RungForm(prefix="new", initial=NEW_RUNG),
        "sent": [(row, services.rung_label(row.rung)) for row in sent[:SENT_SHOWN]],
        "sent_shown": SENT_SHOWN,
    }
    return render(request, "supervision/ladder.html", context)


@office_required
def ladder(request, plan_pk):
    plan = get_object_or_404(Plan, pk=plan_pk)
    if request.method != "POST":
        return _page(request, plan)
    formset = RungFormSet(request.POST, queryset=plan.rungs.order_by("order", "id"), prefix="rungs")
    if formset.is_valid():
        try:
            count = services.rungs_update(acting_user=request.user, plan=plan, rungs=formset.save(commit=False))
        except Refused as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("提醒规则已保存（修改 %(count)d 条）。") % {"count": count})
            return redirect("supervision:ladder", plan_pk=plan.pk)
    return _page(request, plan, formset=formset)


@office_required
@require_POST
def ladder_add(request, plan_pk):
    plan = get_object_or_404(Plan, pk=plan_pk)
    form = RungForm(request.POST, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        try:
            rung = services.rung_add(
                acting_user=request.user,
                plan=plan,
                trigger=data["trigger"],
                days=data["days"],
                recipients=data["recipients"],
                repeat_days=data["repeat_days"],
                active=data["active"],
            )
        except Refused as error:
            _form_refused(form, error)
        else:
            messages.success(request, _("已新增提醒规则“%(rung)s”。") % {"rung": services.rung_label(rung)})
            return redirect("supervision:ladder", plan_pk=plan.pk)
    return _page(request, plan, add_form=form)


@office_required
@require_POST
def rung_delete(request, pk):
    rung = get_object_or_404(ReminderRung.objects.select_related("plan"), pk=pk)
    label = services.rung_label(rung)
    services.rung_delete(acting_user=request.user, rung=rung)
    messages.success(request, _("已删除提醒规则“%(rung)s”。") % {"rung": label})
    return redirect("supervision:ladder", plan_pk=rung.plan_id)


@office_required
@require_POST
def ladder_reset(request, plan_pk):
    plan = get_object_or_404(Plan, pk=plan_pk)
    services.ladder_restore_default(acting_user=request.user, plan=plan)
    messages.success(request, _("已恢复默认提醒规则。"))
    return redirect("supervision:ladder", plan_pk=plan.pk)
