"""The agenda of a meeting (议程材料): the slots with who has filed, generating one slot per
lead unit of the plan, a unit's own form, and the meeting pack (.docx)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from duban.assessment.views.sessions import error_text
from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.xlsx import content_disposition
from duban.meetings import access as rules
from duban.meetings.forms import SlotAddForm, SlotForm
from duban.meetings.models import AgendaSlot
from duban.meetings.pack import meeting_pack_docx, pack_filename
from duban.meetings.services import agenda as services
from duban.meetings.services.meetings import FIXED
from duban.meetings.views.meetings import meeting_for, tabs
from duban.supervision.documents import DOCX_CONTENT_TYPE
from duban.supervision.views.common import form_error


def _agenda_post(request, meeting, access):
    """Run the action posted on the agenda page; returns the add form to show again, or None."""
    action = request.POST.get("action", "")
    form = SlotAddForm(request.POST, tree=access.tree) if action == "add" else None
    try:
        if action == "generate":
            added = services.slots_from_plan(acting_user=request.user, meeting=meeting)
            messages.success(request, _("已按计划生成议程：新增 %(n)s 个汇报单位。") % {"n": added})
        elif action == "add":
            if not form.is_valid():
                return form
            services.slot_add(acting_user=request.user, meeting=meeting, **form.cleaned_data)
            messages.success(request, _("已添加议题。"))
        elif action in ("remove", "refill"):
            slot = get_object_or_404(AgendaSlot, pk=request.POST.get("id"), meeting=meeting)
            if action == "remove":
                services.slot_remove(acting_user=request.user, slot=slot)
                messages.success(request, _("已删除议题。"))
            else:
                services.slot_refill(acting_user=request.user, slot=slot)
                messages.success(request, _("已按最近报告重新预填。"))
    except ValidationError as error:
        if form is not None:
            form_error(form, error)
            return form
        messages.error(request, error_text(error))
    return None


@login_required
def agenda(request, pk):
    meeting, access = meeting_for(request, pk)
    can_manage = rules.can_manage(access, meeting)
    add_form = SlotAddForm(tree=access.tree)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        shown = _agenda_post(request, meeting, access)
        if shown is None:
            return redirect("meetings:agenda", pk=meeting.pk)
        add_form = shown
    slots = list(meeting.slots.select_related("unit", "filed_by"))
    for slot in slots:
        slot.can_file = rules.can_file_slot(access, slot)
    context = tabs(
        meeting,
        access,
        "agenda",
        slots=slots,
        filed=sum(1 for s in slots if s.filed_at),
        add_form=add_form,
        editable=can_manage and meeting.status not in FIXED,
        is_open=meeting.status not in FIXED,
    )
    return render(request, "meetings/agenda.html", context)


@login_required
def slot_edit(request, pk, sid):
    meeting, access = meeting_for(request, pk)
    slot = get_object_or_404(AgendaSlot.objects.select_related("unit", "filed_by"), pk=sid, meeting=meeting)
    slot.meeting = meeting
    if not rules.can_file_slot(access, slot):
        raise PermissionDenied
    editable = meeting.status not in FIXED
    initial = {"progress": slot.progress, "problems": slot.problems, "next_steps": slot.next_steps}
    form = SlotForm(request.POST or None, initial={**initial, "version": slot.version})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "refill":
                services.slot_refill(acting_user=request.user, slot=slot)
                messages.success(request, _("已按最近报告重新预填，请核对后报送。"))
                return redirect("meetings:slot_edit", pk=meeting.pk, sid=slot.pk)
            if form.is_valid():
                services.slot_file(acting_user=request.user, slot=slot, **form.cleaned_data)
                messages.success(request, _("材料已报送。会前仍可修改后再次报送。"))
                return redirect("meetings:agenda", pk=meeting.pk)
        except ValidationError as error:
            if request.POST.get("action") == "refill":
                messages.error(request, error_text(error))
                return redirect("meetings:slot_edit", pk=meeting.pk, sid=slot.pk)
            form_error(form, error)
    context = tabs(meeting, access, "agenda", slot=slot, form=form, editable=editable)
    return render(request, "meetings/slot_form.html", context)


@login_required
def pack(request, pk):
    meeting, _access = meeting_for(request, pk)
    content = meeting_pack_docx(meeting)
    security_event_record(
        kind=EventKind.EXPORT,
        actor=request.user,
        request=request,
        target=f"会议材料：{meeting.title}"[:200],
        detail={"meeting": meeting.pk},
    )
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(pack_filename(meeting), f"meeting-{meeting.pk}-pack.docx")
    response["Cache-Control"] = "no-store"
    return response
