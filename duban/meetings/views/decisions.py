"""Minutes and decisions (纪要与决定): the organiser records them; the office turns decisions
into supervision items."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.meetings import access as rules
from duban.meetings.forms import DecisionFormSet, MinutesForm, ToItemsForm, decision_initial
from duban.meetings.services import decisions as services
from duban.meetings.views.meetings import meeting_for, tabs
from duban.supervision import access as supervision_rules
from duban.supervision.views.common import form_error


def _context(meeting, access, formset=None, minutes_form=None, items_form=None):
    decisions = list(meeting.decisions.select_related("lead_unit", "item__plan"))
    can_manage = rules.can_manage(access, meeting)
    office = supervision_rules.can_manage(access)
    if can_manage and formset is None:
        formset = DecisionFormSet(initial=decision_initial(decisions), prefix="d")
        minutes_form = MinutesForm(initial={"minutes": meeting.minutes})
    open_choices = [(str(d.pk), f"{d.order}. {d.text[:60]}") for d in decisions if not d.item_id]
    if office and items_form is None:
        items_form = ToItemsForm(
            choices=open_choices,
            initial={"start_date": timezone.localdate(), "plan": meeting.plan_id, "decisions": []},
        )
    for d in decisions:
        d.ready = bool(d.lead_unit_id)
    return tabs(
        meeting,
        access,
        "decisions",
        decisions=decisions,
        formset=formset,
        minutes_form=minutes_form,
        items_form=items_form if office and open_choices else None,
        office=office,
    )


@login_required
def decisions(request, pk):
    meeting, access = meeting_for(request, pk)
    if request.method != "POST":
        return render(request, "meetings/decisions.html", _context(meeting, access))
    if not rules.can_manage(access, meeting):
        raise PermissionDenied
    formset = DecisionFormSet(request.POST, initial=decision_initial(meeting.decisions.all()), prefix="d")
    minutes_form = MinutesForm(request.POST)
    if formset.is_valid() and minutes_form.is_valid():
        rows = []
        for form in formset.forms:
            data = form.cleaned_data
            if not data or (not data.get("id") and not form.has_changed()):
                continue
            rows.append(
                services.Row(
                    pk=data.get("id"),
                    text=data.get("text") or "",
                    lead_unit=data.get("lead_unit"),
                    due_date=data.get("due_date"),
                    delete=bool(data.get("DELETE")),
                )
            )
        try:
            services.decisions_save(
                acting_user=request.user, meeting=meeting, minutes=minutes_form.cleaned_data["minutes"], rows=rows
            )
        except ValidationError as error:
            form_error(minutes_form, error)
        else:
            messages.success(request, _("会议纪要和决定事项已保存。"))
            return redirect("meetings:decisions", pk=meeting.pk)
    context = _context(meeting, access, formset=formset, minutes_form=minutes_form)
    return render(request, "meetings/decisions.html", context)


@login_required
@require_POST
def to_items(request, pk):
    meeting, access = meeting_for(request, pk)
    if not supervision_rules.can_manage(access):
        raise PermissionDenied
    choices = [(str(d.pk), d.text) for d in meeting.decisions.filter(item__isnull=True)]
    form = ToItemsForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            items = services.to_items(
                request.user,
                meeting,
                form.cleaned_data["decisions"],
                form.cleaned_data["plan"],
                form.cleaned_data["start_date"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("已转为 %(n)s 项督办事项，加入“%(plan)s”。")
                % {"n": len(items), "plan": form.cleaned_data["plan"].title},
            )
            return redirect("meetings:decisions", pk=meeting.pk)
    return render(request, "meetings/decisions.html", _context(meeting, access, items_form=form))
