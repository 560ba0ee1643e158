"""Meetings: the list, setting one up, the overview, invitees, announcing, cancelling and
answering. Thin: authorize (duban.meetings.access), validate a form, call one service.

`meeting_for`, `manage_for` and `tabs` are shared by every page of one meeting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from duban.assessment.views.sessions import error_text
from duban.meetings import access as rules
from duban.meetings.forms import CancelForm, MeetingForm, PeopleInviteForm, RespondForm, UnitInviteForm
from duban.meetings.labels import COLOURS
from duban.meetings.models import Attendance, Invitation, Meeting, MeetingKind, MeetingStatus, Response, UnitInvite
from duban.meetings.services import meetings as services
from duban.org.access import ALL, Access, access_for
from duban.supervision.views.common import form_error

PER_PAGE = 20
LIST_TABS = (("upcoming", gettext_lazy("即将召开")), ("past", gettext_lazy("已召开")), ("all", gettext_lazy("全部")))

# --- Fetch and authorize -------------------------------------------------------------------


def meeting_for(request, pk) -> tuple[Meeting, Access]:
    """A meeting the person may open: 404 if it is not theirs to see, 403 if they see no meetings."""
    access = access_for(request.user)
    if not rules.can_see_meetings(access):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting.objects.select_related("host_unit", "organiser", "plan"), pk=pk)
    if not rules.can_open(access, meeting):
        raise Http404
    return meeting, access


def manage_for(request, pk) -> tuple[Meeting, Access]:
    meeting, access = meeting_for(request, pk)
    if not rules.can_manage(access, meeting):
        raise PermissionDenied
    return meeting, access


def tabs(meeting: Meeting, access: Access, tab: str, **extra) -> dict:
    """What every page of one meeting shares: the header, the tabs and who may manage."""
    return {
        "meeting": meeting,
        "tab": tab,
        "can_manage": rules.can_manage(access, meeting),
        "colours": COLOURS,
        "when": services.when_text(meeting),
        **extra,
    }


# --- The list ------------------------------------------------------------------------------


def _count(queryset):
    return Subquery(
        queryset.order_by().values("meeting").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
    )


@login_required
def meeting_list(request):
    access = access_for(request.user)
    if not rules.can_see_meetings(access):
        raise PermissionDenied
    now = timezone.now()
    tab = request.GET.get("tab", "upcoming")
    tab = tab if tab in dict(LIST_TABS) else "upcoming"
    meetings = rules.meetings_listed(access, Meeting.objects.select_related("host_unit"))
    if tab == "upcoming":
        meetings = meetings.filter(ends_at__gte=now).exclude(status__in=services.FIXED).order_by("starts_at", "pk")
    elif tab == "past":
        meetings = meetings.filter(Q(ends_at__lt=now) | Q(status=MeetingStatus.CLOSED))
        # Drafts were never announced: they were not held, whatever their date.
        meetings = meetings.exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.DRAFT])
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    mine = Invitation.objects.filter(meeting=OuterRef("pk"), person=request.user)
    meetings = meetings.annotate(
        my_response=Subquery(mine.values("response")[:1]),
        my_attendance=Subquery(mine.values("attendance")[:1]),
        n_invited=_count(Invitation.objects.filter(meeting=OuterRef("pk"))),
    )
    page = Paginator(meetings, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "meetings": page.object_list,
        "tab": tab,
        "tabs": LIST_TABS,
        "kind": kind,
        "kinds": MeetingKind.choices,
        "can_create": rules.can_create_meetings(access),
        "responses": dict(Response.choices),
        "attendances": dict(Attendance.choices),
        "colours": COLOURS,
    }
    return render(request, "meetings/meeting_list.html", context)


# --- Create, edit, the overview --------------------------------------------------------------


def _save(request, form):
    if request.method == "POST" and form.is_valid():
        try:
            return services.meeting_save(acting_user=request.user, meeting=form.save(commit=False))
        except ValidationError as error:
            form_error(form, error)
    return None


@login_required
def meeting_create(request):
    access = access_for(request.user)
    if not rules.can_create_meetings(access):
        raise PermissionDenied
    units = rules.host_units(access)
    host = request.user.unit_id if units == ALL or request.user.unit_id in units else None
    initial = {"organiser": request.user.pk, "host_unit": host, "start": "09:00", "end": "11:00"}
    form = MeetingForm(request.POST or None, access=access, initial=initial)
    meeting = _save(request, form)
    if meeting is not None:
        messages.success(request, _("会议已创建。下一步：添加参会人员；调度会可在“议程材料”中生成各单位的汇报议题。"))
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request, pk):
    meeting, access = manage_for(request, pk)
    if meeting.status in services.FIXED:
        messages.error(request, services.ERR_FIXED)
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting, access=access)
    saved = _save(request, form)
    if saved is not None:
        messages.success(request, _("已保存。"))
        return redirect(saved)
    return render(request, "meetings/meeting_form.html", tabs(meeting, access, "detail", form=form, crumb=True))


@login_required
def meeting_detail(request, pk):
    meeting, access = meeting_for(request, pk)
    counts = meeting.invitations.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(response=Response.ACCEPTED)),
        declined=Count("pk", filter=Q(response=Response.DECLINED)),
        pending=Count("pk", filter=Q(response=Response.PENDING)),
    )
    slots = meeting.slots.aggregate(total=Count("pk"), filed=Count("pk", filter=Q(filed_at__isnull=False)))
    mine = Invitation.objects.filter(meeting=meeting, person=request.user).select_related("substitute").first()
    respond_refusal = services.respond_refusal(meeting) if mine is not None else None
    context = tabs(
        meeting,
        access,
        "detail",
        counts=counts,
        slots=slots,
        mine=mine,
        can_respond=mine is not None and respond_refusal is None,
        respond_refusal=respond_refusal,
        respond_form=RespondForm(initial={"note": mine.response_note if mine else ""}),
        cancel_form=CancelForm(),
        unit_invites=list(meeting.unit_invites.select_related("unit")),
    )
    return render(request, "meetings/meeting_detail.html", context)


# --- Invitees ------------------------------------------------------------------------------


def _invitee_groups(meeting: Meeting):
    """Invitations grouped by unit (the unit they were invited through, else their own)."""
    invitations = meeting.invitations.select_related("person__unit", "via_unit", "substitute")
    groups: dict = {}
    for invitation in invitations:
        unit = invitation.unit
        key = (unit.order, unit.pk) if unit else (10**9, 0)
        groups.setdefault(key, {"unit": unit, "rows": []})["rows"].append(invitation)
    for group in groups.values():
        group["rows"].sort(key=lambda i: (i.person.name, i.pk))
    return [groups[key] for key in sorted(groups)]


def _invitee_post(request, meeting, access):
    """Run the action posted on the invitees page; returns the forms to show again."""
    action = request.POST.get("action", "")
    people_form, unit_form = PeopleInviteForm(), UnitInviteForm(tree=access.tree)
    try:
        if action == "people":
            people_form = PeopleInviteForm(request.POST)
            if people_form.is_valid():
                added = services.people_invite(
                    acting_user=request.user, meeting=meeting, people=people_form.cleaned_data["people"]
                )
                messages.success(request, _("已添加 %(n)s 位参会人员。") % {"n": len(added)})
                return None
        elif action == "unit":
            unit_form = UnitInviteForm(request.POST, tree=access.tree)
            if unit_form.is_valid():
                services.unit_invite_add(acting_user=request.user, meeting=meeting, **unit_form.cleaned_data)
                messages.success(request, _("已添加参会单位。"))
                return None
        elif action == "remove_unit":
            invite = get_object_or_404(UnitInvite, pk=request.POST.get("id"), meeting=meeting)
            services.unit_invite_remove(acting_user=request.user, invite=invite)
            messages.success(request, _("已移出参会单位。"))
            return None
        elif action == "remove":
            invitation = get_object_or_404(Invitation, pk=request.POST.get("id"), meeting=meeting)
            services.invitation_remove(acting_user=request.user, invitation=invitation)
            messages.success(request, _("已移出参会名单。"))
            return None
    except ValidationError as error:
        messages.error(request, error_text(error))
        return None
    return people_form, unit_form


@login_required
def invitees(request, pk):
    meeting, access = meeting_for(request, pk)
    can_manage = rules.can_manage(access, meeting)
    people_form, unit_form = PeopleInviteForm(), UnitInviteForm(tree=access.tree)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        forms = _invitee_post(request, meeting, access)
        if forms is None:
            return redirect("meetings:invitees", pk=meeting.pk)
        people_form, unit_form = forms
    groups = _invitee_groups(meeting)
    context = tabs(
        meeting,
        access,
        "invitees",
        groups=groups,
        total=sum(len(g["rows"]) for g in groups),
        unit_invites=list(meeting.unit_invites.select_related("unit")),
        people_form=people_form,
        unit_form=unit_form,
        editable=can_manage and meeting.status not in services.FIXED,
        full=rules.can_see_sheet(access, meeting),
    )
    return render(request, "meetings/invitees.html", context)


# --- Announce, cancel, answer ------------------------------------------------------------------


@login_required
@require_POST
def announce(request, pk):
    meeting, _access = manage_for(request, pk)
    try:
        meeting = services.meeting_announce(acting_user=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        n = meeting.invitations.count()
        messages.success(request, _("会议通知已发出，共通知 %(n)s 人。") % {"n": n})
    return redirect(meeting)


@login_required
@require_POST
def cancel(request, pk):
    meeting, _access = manage_for(request, pk)
    form = CancelForm(request.POST)
    announced = meeting.status == MeetingStatus.ANNOUNCED
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.meeting_cancel(acting_user=request.user, meeting=meeting, reason=reason)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if announced:
            messages.warning(request, _("会议已取消，已通知参会人员。"))
        else:
            messages.warning(request, _("会议已取消。会议尚未发出通知，没有通知任何人。"))
    return redirect(meeting)


@login_required
@require_POST
def respond(request, pk):
    meeting, _access = meeting_for(request, pk)
    form = RespondForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    accept = request.POST.get("answer") == "accept"
    try:
        services.invitation_respond(acting_user=request.user, meeting=meeting, accept=accept, note=note)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已回复：参加。") if accept else _("已回复：不参加。"))
    return redirect(meeting)
