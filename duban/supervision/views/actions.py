"""Pages of the supervision actions. Thin: authorize, validate a form, call one
service, redirect. The rules live in supervision.services.actions."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.lib.listing import paginate, sort_queryset
from duban.lib.xlsx import content_disposition
from duban.org.access import access_for, require
from duban.supervision import access as rules
from duban.supervision import documents
from duban.supervision.forms_actions import (
    AccountabilityForm,
    CircularForm,
    InstructionForm,
    NoticeAnswerForm,
    NoticeCloseForm,
    NoticeFilterForm,
    NoticeForm,
    UrgeForm,
    WarningForm,
)
from duban.supervision.models import Accountability, Circular, Item, ItemState, Notice, NoticeStatus, Plan
from duban.supervision.services import actions as services
from duban.supervision.views.common import plan_for

# Refusals that belong to one field of the form; the rest go to the summary at the top.
FIELD_OF_ERROR = {
    services.ERR_RESPOND_BY_PAST: "respond_by",
    services.ERR_REQUIREMENT: "requirement",
    services.ERR_DECIDED_FUTURE: "decided_on",
    services.ERR_REASON: "reason",
    services.ERR_RESPONSE: "response",
    services.ERR_TITLE: "title",
}


def _refusal(form, error: ValidationError) -> None:
    for message in error.messages:
        field = FIELD_OF_ERROR.get(message)
        form.add_error(field if field in form.fields else None, message)


def _item_with(request, pk, rule):
    """The item, or 403 unless the person sees it and `rule` allows the action (every
    action rule implies seeing the item, so a refusal never depends on visibility)."""
    access = access_for(request.user)
    item = get_object_or_404(Item.objects.select_related("plan", "lead_unit", "responsible_person"), pk=pk)
    if not (rule(access, item) and rules.can_see_item(access, item)):
        raise PermissionDenied
    return item


def _notice_for(request, pk) -> Notice:
    notice = get_object_or_404(
        Notice.objects.select_related(
            "item__plan__owner_unit",
            "item__lead_unit",
            "item__responsible_person",
            "addressee_unit",
            "issued_by__unit",
            "responded_by",
        ),
        pk=pk,
    )
    if not services.can_see_notice(access_for(request.user), notice):
        raise PermissionDenied
    return notice


def _circular_for(request, pk) -> Circular:
    if not services.can_see_circulars(access_for(request.user)):
        raise PermissionDenied
    return get_object_or_404(Circular.objects.select_related("plan__owner_unit", "issued_by__unit"), pk=pk)


def _action_page(request, item, form, context):
    context = {"item": item, "state": ItemState.objects.filter(item=item).first(), "form": form, **context}
    return render(request, "supervision/actions/action_form.html", context)


# --- Actions on an item ------------------------------------------------------------


@require("can_browse_org")
def item_urge(request, pk):
    item = _item_with(request, pk, services.can_urge)
    form = UrgeForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_urge(acting_user=request.user, item=item, text=form.cleaned_data["text"])
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("已催办，牵头单位和责任人会在消息中看到。"))
            return redirect(item)
    return _action_page(
        request,
        item,
        form,
        {
            "page_title": _("催办"),
            "lead": _("催办以站内消息（及电子邮件）发送，并记入事项的办理记录。"),
            "submit_label": _("发送催办"),
        },
    )


@require("can_browse_org")
def notice_create(request, pk):
    item = _item_with(request, pk, services.can_issue_notice)
    form = NoticeForm(request.POST or None, item=item, tree=access_for(request.user).tree)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_issue(acting_user=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("督办单 %(number)s 已下发。") % {"number": notice.number})
            return redirect("supervision:notice_detail", notice.pk)
    return _action_page(
        request,
        item,
        form,
        {
            "page_title": _("下发督办单"),
            "lead": _(
                "督办单按年度自动编号（督办〔年度〕N号），主送单位在平台上回复办理情况，可下载 Word 版盖章印发。"
            ),
            "submit_label": _("下发督办单"),
            "confirm": _("下发后将占用一个督办单文号并通知主送单位，不能撤回。确定下发？"),
        },
    )


@require("can_browse_org")
def warning_create(request, pk):
    item = _item_with(request, pk, services.can_warn)
    form = WarningForm(request.POST or None, item=item, tree=access_for(request.user).tree)
    if request.method == "POST" and form.is_valid():
        try:
            services.warning_issue(acting_user=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("告诫提醒已发出。"))
            return redirect(item)
    return _action_page(
        request,
        item,
        form,
        {
            "page_title": _("告诫提醒"),
            "lead": _("告诫提醒记入事项记录，并计入单位考核。"),
            "submit_label": _("发出告诫提醒"),
            "confirm": _("告诫提醒发出后不能撤回，并会计入考核。确定发出？"),
        },
    )


@require("can_browse_org")
def accountability_create(request, pk):
    item = _item_with(request, pk, services.can_hold_accountable)
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    form = AccountabilityForm(
        request.POST or None, request.FILES or None, item=item, tree=access_for(request.user).tree, max_mb=max_mb
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.accountability_record(acting_user=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("问责记录已保存。"))
            return redirect(item)
    return _action_page(
        request,
        item,
        form,
        {
            "page_title": _("记录问责"),
            "lead": _("问责记录仅督查办、纪检部门、校领导和被问责单位负责人可见。"),
            "submit_label": _("保存问责记录"),
            "confirm": _("问责记录保存后不能修改或删除，并会通知被问责单位。确定保存？"),
            "multipart": True,
        },
    )


@require("can_browse_org")
def instruction_create(request, pk):
    item = _item_with(request, pk, services.can_add_instruction)
    form = InstructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.instruction_add(acting_user=request.user, item=item, text=form.cleaned_data["text"])
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("批示已送达责任单位和督查办。"))
            return redirect(item)
    return _action_page(
        request,
        item,
        form,
        {"page_title": _("领导批示"), "lead": _("批示记入事项记录，责任单位须落实。"), "submit_label": _("发送批示")},
    )


@require("can_browse_org")
def accountability_file(request, pk):
    record = get_object_or_404(Accountability.objects.select_related("item"), pk=pk)
    _item_with(request, record.item_id, services.can_see_accountability)
    if not record.decision_file:
        raise Http404
    return FileResponse(record.decision_file.open("rb"), as_attachment=True, filename=record.decision_file.name)


# --- Notices -----------------------------------------------------------------------

NOTICE_SORTS = {
    "number": ("year", "serial"),
    "issued": ("issued_at",),
    "respond_by": ("respond_by",),
    "unit": ("addressee_unit__order", "addressee_unit__name"),
    "status": ("status",),
}


@require("can_browse_org")
def notice_list(request):
    access = access_for(request.user)
    if not rules.can_see_plans(access):
        raise PermissionDenied
    visible = services.notices_visible(access, Notice.objects.all())
    plans = Plan.objects.filter(pk__in=visible.values("item__plan_id")).order_by("-year", "-id")
    form = NoticeFilterForm(request.GET or None, plans=plans)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = visible.select_related("item__plan", "addressee_unit", "issued_by")
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("plan"):
        queryset = queryset.filter(item__plan=filters["plan"])
    queryset, sort = sort_queryset(queryset, request.GET.get("sort", ""), NOTICE_SORTS, "-issued")
    page = paginate(request, queryset, per_page=50)
    context = {
        "filter_form": form,
        "page_obj": page,
        "total": page.paginator.count,
        "sort": sort,
        "filtered": bool(filters.get("status") or filters.get("plan")),
        "today": timezone.localdate(),
        "can_manage": rules.can_manage(access),
    }
    return render(request, "supervision/actions/notice_list.html", context)


@require("can_browse_org")
def notice_detail(request, pk):
    notice = _notice_for(request, pk)
    return _notice_page(request, notice)


def _notice_page(request, notice, answer_form=None):
    access = access_for(request.user)
    can_answer = notice.status == NoticeStatus.ISSUED and services.can_answer_notice(access, notice)
    can_close = notice.status == NoticeStatus.ANSWERED and services.can_close_notice(access, notice)
    context = {
        "notice": notice,
        "item": notice.item,
        "state": ItemState.objects.filter(item_id=notice.item_id).first(),
        "answer_form": (answer_form or NoticeAnswerForm()) if can_answer else None,
        "close_form": NoticeCloseForm() if can_close else None,
        "today": timezone.localdate(),
    }
    return render(request, "supervision/actions/notice_detail.html", context)


@require_POST
@require("can_browse_org")
def notice_answer(request, pk):
    notice = _notice_for(request, pk)
    if not services.can_answer_notice(access_for(request.user), notice):
        raise PermissionDenied
    form = NoticeAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.notice_answer(acting_user=request.user, notice=notice, response=form.cleaned_data["response"])
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("已回复督办单，督查办会收到通知。"))
            return redirect("supervision:notice_detail", notice.pk)
    if notice.status != NoticeStatus.ISSUED:
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect("supervision:notice_detail", notice.pk)
    return _notice_page(request, notice, answer_form=form)


@require_POST
@require("can_browse_org")
def notice_close(request, pk):
    notice = _notice_for(request, pk)
    if not services.can_close_notice(access_for(request.user), notice):
        raise PermissionDenied
    form = NoticeCloseForm(request.POST)
    if form.is_valid():
        try:
            services.notice_close(acting_user=request.user, notice=notice, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("督办单已办结。"))
    return redirect("supervision:notice_detail", notice.pk)


@require("can_browse_org")
def notice_docx(request, pk):
    notice = _notice_for(request, pk)
    response = HttpResponse(documents.notice_docx(notice), content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        documents.notice_filename(notice), f"notice-{notice.year}-{notice.serial}.docx"
    )
    return response


# --- Circulars ---------------------------------------------------------------------


@require("can_browse_org")
def circular_list(request, plan_pk):
    plan = plan_for(request, plan_pk)
    access = access_for(request.user)
    context = {
        "plan": plan,
        "tab": "circulars",
        "circulars": plan.circulars.select_related("issued_by").prefetch_related("units"),
        "lagging": services.lagging_units(plan),
        "can_manage": rules.can_manage(access),
        "can_issue": services.can_issue_circular(access, plan),
    }
    return render(request, "supervision/actions/circular_list.html", context)


@require("can_browse_org")
def circular_create(request, plan_pk):
    plan = plan_for(request, plan_pk)
    access = access_for(request.user)
    if not services.can_issue_circular(access, plan):
        raise PermissionDenied
    lagging = services.lagging_units(plan)
    form = CircularForm(request.POST or None, plan=plan, lagging=lagging, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        try:
            circular = services.circular_issue(acting_user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("通报已发布，被通报单位的负责人会收到通知。"))
            return redirect("supervision:circular_detail", circular.pk)
    context = {"plan": plan, "form": form, "lagging": lagging}
    return render(request, "supervision/actions/circular_form.html", context)


@require("can_browse_org")
def circular_detail(request, pk):
    circular = _circular_for(request, pk)
    lagging = {lag.unit.pk: lag for lag in services.lagging_units(circular.plan)}
    units = [(unit, lagging.get(unit.pk)) for unit in circular.units.order_by("order", "pk")]
    return render(request, "supervision/actions/circular_detail.html", {"circular": circular, "units": units})


@require("can_browse_org")
def circular_docx(request, pk):
    circular = _circular_for(request, pk)
    content = documents.circular_docx(circular, services.lagging_units(circular.plan))
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        documents.circular_filename(circular), f"circular-{circular.pk}.docx"
    )
    return response
