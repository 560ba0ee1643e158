"""Attendance pages: the clerk's attendance sheet (ticks, leave decisions, 结束会议), the door
page with its QR code, the phone sign-in page and the invitee's meeting-leave form."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from duban.assessment.views.sessions import error_text
from duban.meetings import access as rules
from duban.meetings.forms import LeaveForm
from duban.meetings.labels import ATTENDANCE_COLOURS, COLOURS, LEAVE_COLOURS, when_text
from duban.meetings.models import OPEN_LEAVE, Attendance, Invitation, LeaveStatus, Meeting, MeetingLeave
from duban.meetings.services import attendance as services
from duban.meetings.services import leave as leave_services
from duban.meetings.views.meetings import manage_for, meeting_for, tabs
from duban.supervision.views.common import form_error

TICKS = (
    (Attendance.PRESENT, gettext_lazy("出席")),
    (Attendance.LATE, gettext_lazy("迟到")),
    (Attendance.LEAVE, gettext_lazy("请假")),
    (Attendance.ABSENT, gettext_lazy("缺席")),
)


def _decorate(invitation: Invitation, open_leave: dict) -> Invitation:
    invitation.colour = ATTENDANCE_COLOURS[invitation.attendance]
    invitation.open_leave = open_leave.get(invitation.pk)
    unit = invitation.unit
    invitation.unit_name = unit.name if unit else _("未分单位")
    return invitation


def _row(meeting: Meeting, pk: int) -> Invitation:
    """One row of the sheet, as `_sheet` makes it (2 queries)."""
    invitation = meeting.invitations.select_related("person__unit", "via_unit", "substitute").get(pk=pk)
    leave = MeetingLeave.objects.filter(invitation=invitation, status__in=OPEN_LEAVE).first()
    return _decorate(invitation, {invitation.pk: leave})


def _sheet(meeting: Meeting) -> list[Invitation]:
    """Every invitation in unit order, each with its colour and open leave request (3 queries)."""
    open_leave = {
        leave.invitation_id: leave
        for leave in MeetingLeave.objects.filter(invitation__meeting=meeting, status__in=OPEN_LEAVE)
    }
    invitations = meeting.invitations.select_related("person__unit", "via_unit", "substitute").order_by(
        "via_unit__order", "via_unit_id", "person__unit__order", "person__name", "pk"
    )
    return [_decorate(i, open_leave) for i in invitations]


def _leaves(meeting: Meeting):
    leaves = MeetingLeave.objects.filter(invitation__meeting=meeting).select_related(
        "invitation__person__unit", "substitute", "decided_by", "absence"
    )
    for leave in leaves:
        leave.colour = LEAVE_COLOURS[leave.status]
        yield leave


@login_required
def attendance(request, pk):
    """GET: the sheet (managers and those who see every meeting) or one's own record.
    POST (managers): tick one name; an HTMX request gets the row and the summary back."""
    meeting, access = meeting_for(request, pk)
    can_manage = rules.can_manage(access, meeting)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        invitation = get_object_or_404(Invitation, meeting=meeting, pk=request.POST.get("invitation") or 0)
        error = None
        try:
            invitation = services.mark(request.user, invitation, request.POST.get("attendance", ""))
        except ValidationError as refused:
            error = error_text(refused)
        if request.headers.get("HX-Request"):
            row = _row(meeting, invitation.pk)
            context = {"meeting": meeting, "i": row, "ticks": TICKS, "can_manage": True, "error": error, "oob": True}
            context["colours"] = COLOURS
            context["summary"] = services.summary(meeting)
            return render(request, "meetings/_attendance_row.html", context)
        if error:
            messages.error(request, error)
            return redirect("meetings:attendance", pk=meeting.pk)
        messages.success(
            request,
            _("已登记：%(name)s %(what)s")
            % {
                "name": invitation.person.name,
                "what": invitation.get_attendance_display(),
            },
        )
        return redirect("meetings:attendance", pk=meeting.pk)
    mine = meeting.invitations.filter(person=request.user).select_related("substitute").first()
    context = tabs(meeting, access, "attendance", mine=mine, ticks=TICKS)
    if mine:
        mine.colour = ATTENDANCE_COLOURS[mine.attendance]
        context["my_leaves"] = list(_leaves_of(mine))
    if rules.can_see_sheet(access, meeting):
        context["rows"] = _sheet(meeting)
        context["summary"] = services.summary(meeting)
        context["leaves"] = list(_leaves(meeting))
        context["pending"] = sum(1 for leave in context["leaves"] if leave.status == LeaveStatus.PENDING)
        context["can_close"] = can_manage and services.close_refusal(meeting) is None
    return render(request, "meetings/attendance.html", context)


def _leaves_of(invitation: Invitation):
    for leave in invitation.leaves.select_related("substitute", "decided_by"):
        leave.colour = LEAVE_COLOURS[leave.status]
        yield leave


# --- The door and the phone --------------------------------------------------------------


def _sign_in_url(request, meeting: Meeting) -> str:
    return request.build_absolute_uri(reverse("meetings:sign_in", args=[meeting.pk, meeting.sign_in_token]))


@login_required
@never_cache
def door(request, pk):
    """The page shown on the projector at the door. ?live=1 (HTMX, every 5 s) returns the count."""
    meeting, access = manage_for(request, pk)
    context = tabs(meeting, access, "attendance", summary=services.summary(meeting))
    if request.GET.get("live"):
        return render(request, "meetings/_door_count.html", context)
    context["opens_at"] = services.opens_at(meeting)
    context["url"] = _sign_in_url(request, meeting)
    return render(request, "meetings/door.html", context)


@login_required
@never_cache
def door_qr(request, pk):
    meeting, _access = manage_for(request, pk)
    buffer = io.BytesIO()
    segno.make(_sign_in_url(request, meeting), error="m").save(buffer, kind="svg", scale=10, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
@never_cache
def sign_in(request, pk, token):
    """Opened from the door's QR code on one's phone: confirm, then signed in."""
    meeting = get_object_or_404(Meeting.objects.select_related("host_unit"), pk=pk)
    context = {"meeting": meeting, "token_ok": services.token_ok(meeting, token), "when": when_text(meeting)}
    if request.method == "POST":
        try:
            invitation = services.sign_in(request.user, meeting, token)
        except ValidationError as error:
            context["problem"] = error_text(error)
        else:
            context["done"] = invitation
    else:
        try:
            invitation = services.check_sign_in(request.user, meeting, token)
        except ValidationError as error:
            context["problem"] = error_text(error)
        else:
            if invitation.attendance in services.SIGNED:
                context["done"] = invitation
                invitation.first_scan = False
    if "done" in context:
        context["done"].colour = ATTENDANCE_COLOURS[context["done"].attendance]
    return render(request, "meetings/sign_in.html", context)


# --- Meeting leave -----------------------------------------------------------------------


def _invitation_for(request, pk) -> tuple[Meeting, Invitation, object]:
    meeting, access = meeting_for(request, pk)
    invitation = meeting.invitations.filter(person=request.user).select_related("substitute").first()
    if invitation is None:
        raise PermissionDenied
    return meeting, invitation, access


@login_required
def leave_request(request, pk):
    meeting, invitation, access = _invitation_for(request, pk)
    leaves = list(_leaves_of(invitation))
    open_leave = next((leave for leave in leaves if leave.status in OPEN_LEAVE), None)
    form = LeaveForm(request.POST or None, meeting=meeting, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            leave_services.request_leave(
                request.user, meeting, form.cleaned_data["reason"], form.cleaned_data.get("substitute")
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("请假申请已提交，等待会务联系人%(name)s审批。") % {"name": meeting.organiser.name}
            )
            return redirect("meetings:leave_request", pk=meeting.pk)
    invitation.colour = ATTENDANCE_COLOURS[invitation.attendance]
    context = tabs(
        meeting,
        access,
        "attendance",
        crumb=True,
        form=form,
        mine=invitation,
        leaves=leaves,
        open_leave=open_leave,
        late=leave_services.is_late(meeting),
        refusal=leave_services.leave_refusal(meeting, invitation),
    )
    return render(request, "meetings/leave_form.html", context)


@login_required
@require_POST
def leave_decide(request, pk, lid):
    meeting, _access = manage_for(request, pk)
    leave = get_object_or_404(MeetingLeave, pk=lid, invitation__meeting=meeting)
    approve = request.POST.get("approve") == "1"
    try:
        leave_services.decide(request.user, leave, approve, request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已准假。") if approve else _("已不准假，并通知申请人。"))
    return redirect(reverse("meetings:attendance", args=[meeting.pk]) + "#leaves")


@login_required
@require_POST
def leave_withdraw(request, pk, lid):
    meeting, invitation, _access = _invitation_for(request, pk)
    leave = get_object_or_404(MeetingLeave, pk=lid, invitation=invitation)
    try:
        leave_services.withdraw(request.user, leave)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("请假申请已撤回。"))
    return redirect("meetings:leave_request", pk=meeting.pk)


@login_required
@require_POST
def close(request, pk):
    meeting, _access = manage_for(request, pk)
    try:
        services.close(request.user, meeting)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("会议已结束：未签到的人员已记为缺席（已准假的记为请假）。出勤仍可更正。"))
    return redirect("meetings:attendance", pk=meeting.pk)
