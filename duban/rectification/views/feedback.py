"""Staff feedback (接受职工监督): sending it from a disclosure page, the sender's own
list, and the office's triage (reply, turn into a finding, dismiss)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.org.access import access_for, require
from duban.rectification import access as rules
from duban.rectification.forms_disclosure import ConvertForm, DismissForm, ReplyForm
from duban.rectification.models import Feedback, FeedbackState, Finding, RectificationPlan
from duban.rectification.selectors.disclosure import disclosure_for
from duban.rectification.services import feedback as services
from duban.rectification.views.disclosure import feedback_form_for, render_disclosure_page
from duban.supervision.models import Plan

STATE_COLOURS = {
    FeedbackState.NEW: "yellow",
    FeedbackState.REPLIED: "green",
    FeedbackState.CONVERTED: "blue",
    FeedbackState.DISMISSED: "grey",
}


def _error_messages(error) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


@require("can_browse_org")
@require_POST
def feedback_send(request, pk):
    access = access_for(request.user)
    if not rules.can_send_feedback(access):
        raise PermissionDenied
    data = disclosure_for(plan_pk=pk, paged=True)
    if data is None or not data.flags["disclosed"]:
        raise Http404
    form = feedback_form_for(access, data, bound=request.POST)
    if form is None:
        messages.error(request, _("该整改方案暂不接受意见。"))
        return redirect("rectification:disclosure_page", pk=pk)
    if form.is_valid():
        finding_pk = form.cleaned_data["finding"]
        finding = Finding.objects.filter(pk=finding_pk, plan_id=pk).first() if finding_pk else None
        try:
            services.feedback_send(
                acting_user=request.user,
                plan=get_object_or_404(Plan, pk=pk),
                text=form.cleaned_data["text"],
                anonymous=form.cleaned_data.get("anonymous", False),
                finding=finding,
            )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("意见已提交，督查办答复后会通知您，也可在“我的意见”中查看。"))
            return redirect(reverse("rectification:disclosure_page", args=[pk]) + "#feedback")
    return render_disclosure_page(request, data, form, status=400)


@require("can_browse_org")
def my_feedback(request):
    if not rules.can_send_feedback(access_for(request.user)):
        raise PermissionDenied
    rows = (
        Feedback.objects.filter(sender_key=services.sender_key(request.user))
        .select_related("plan", "finding")
        .order_by("-sent_on", "-id")
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    for row in page:
        row.colour = STATE_COLOURS[row.state]
    return render(request, "rectification/feedback/mine.html", {"page_obj": page})


def _require_office(request):
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    return access


@require("can_browse_org")
def feedback_queue(request):
    _require_office(request)
    rows = Feedback.objects.select_related("plan", "finding", "sender")
    filters = {"plan": request.GET.get("plan", ""), "state": request.GET.get("state", "")}
    if filters["plan"].isdecimal():
        rows = rows.filter(plan_id=int(filters["plan"]))
    if filters["state"] in FeedbackState.values:
        rows = rows.filter(state=filters["state"])
    new_first = Case(When(state=FeedbackState.NEW, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = rows.order_by(new_first, "-sent_on", "-id")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    for row in page:
        row.colour = STATE_COLOURS[row.state]
    context = {
        "page_obj": page,
        "filters": filters,
        "plans": RectificationPlan.objects.select_related("plan").order_by("-plan__year", "-plan_id"),
        "states": FeedbackState.choices,
        "pending": Feedback.objects.filter(state=FeedbackState.NEW).count(),
    }
    return render(request, "rectification/feedback/queue.html", context)


@require("can_browse_org")
def feedback_handle(request, pk):
    access = _require_office(request)
    feedback = get_object_or_404(
        Feedback.objects.select_related("plan", "finding", "sender", "handled_by", "created_finding"), pk=pk
    )
    action = request.POST.get("action") if request.method == "POST" else None
    reply_form = ReplyForm(request.POST if action == "reply" else None)
    dismiss_form = DismissForm(request.POST if action == "dismiss" else None)
    initial = {"description": feedback.text, "category": "职工反映", "disclosed": True}
    if feedback.finding_id:
        initial["category"] = feedback.finding.category
        initial["units"] = list(feedback.finding.units.values_list("pk", flat=True))
    convert_form = ConvertForm(
        request.POST if action == "convert" else None,
        instance=Finding(plan_id=feedback.plan_id),
        initial=initial,
        tree=access.tree,
        prefix="f",
    )
    forms = {"reply": reply_form, "dismiss": dismiss_form, "convert": convert_form}
    if action in forms and forms[action].is_valid():
        form = forms[action]
        try:
            if action == "reply":
                services.feedback_reply(acting_user=request.user, feedback=feedback, reply=form.cleaned_data["reply"])
                messages.success(request, _("已答复，提意见的职工会收到通知。"))
            elif action == "dismiss":
                services.feedback_dismiss(
                    acting_user=request.user, feedback=feedback, reply=form.cleaned_data["reason"]
                )
                messages.success(request, _("已标记为不予采纳，理由会显示给提意见的职工。"))
            else:
                finding = services.feedback_convert(
                    acting_user=request.user,
                    feedback=feedback,
                    finding=form.save(commit=False),
                    units=form.cleaned_data["units"],
                )
                messages.success(
                    request, _("已转为整改台账中的问题%(n)d，请为它制定整改措施。") % {"n": finding.ordinal}
                )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            return redirect("rectification:feedback_handle", pk=pk)
    context = {
        "feedback": feedback,
        "colour": STATE_COLOURS[feedback.state],
        "is_new": feedback.state == FeedbackState.NEW,
        "reply_form": reply_form,
        "dismiss_form": dismiss_form,
        "convert_form": convert_form,
        "action": action or "reply",
    }
    return render(request, "rectification/feedback/handle.html", context)
