"""Item pages: detail, edit, time nodes (with reverse scheduling), completion."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.lib.forms import stale_changes
from duban.meetings import access as meeting_rules
from duban.org.access import access_for, require
from duban.org.models import Person
from duban.supervision import access as rules
from duban.supervision.forms import IndicatorForm, ItemForm, ReverseScheduleForm
from duban.supervision.models import DeferralStatus, Indicator, Item, ReportStatus, TimeNode
from duban.supervision.selectors.indicators import indicator_series
from duban.supervision.services import Stale
from duban.supervision.services import items as services
from duban.supervision.services.actions import item_action_rules
from duban.supervision.services.reports import report_slots_open
from duban.supervision.state import item_verdict
from duban.supervision.views.common import form_error, item_for, plan_for


def _source_meeting(access, item):
    """The meeting decision the item came from, when the person may open that meeting."""
    decision = getattr(item, "decision", None)  # reverse one-to-one, fetched with the item
    if decision is None or not meeting_rules.can_open(access, decision.meeting):
        return None
    return decision


@require("can_browse_org")
def item_detail(request, pk):
    item = item_for(request, pk)
    access = access_for(request.user)
    today = timezone.localdate()
    if item.completed_on is None:
        report_slots_open(item=item, today=today)
    verdict = item_verdict(item, today)
    nodes = list(item.nodes.all())
    for node in nodes:
        node.late = node.is_late(today)
    reports = list(
        item.reports.select_related("filled_by", "submitted_by", "reviewed_by").order_by("-period_start")[:12]
    )
    grace = item.plan.report_grace_days
    for report in reports:
        report.missing = report.is_missing(today, grace)
    current = next(
        (r for r in reports if r.status in (ReportStatus.OPEN, ReportStatus.DRAFT, ReportStatus.RETURNED)), None
    )
    context = {
        "item": item,
        "verdict": verdict,
        "nodes": nodes,
        "indicator_series": indicator_series(item),
        "actions": item_action_rules(access, item),
        "reports": reports,
        "current": current,
        "children": item.children.select_related("state", "lead_unit").order_by("ordinal"),
        "co_units": item.co_units.order_by("order"),
        "decision": _source_meeting(access, item),
        "deferrals": item.deferrals.select_related("requested_by", "decided_by"),
        "pending_deferral": item.deferrals.filter(status=DeferralStatus.PENDING).first(),
        "log": item.log.select_related("actor")[:30],
        "attachments": item.attachments.select_related("uploaded_by", "report").order_by("-uploaded_at"),
        "today": today,
        "can": {
            "manage": rules.can_manage(access),
            "fill": rules.can_fill_report(access, item),
            "submit": rules.can_submit_report(access, item),
            "review": rules.can_review_report(access, item),
            "defer": rules.can_request_deferral(access, item) and item.due_date and not item.completed_on,
            "decide": rules.can_decide_deferral(access, item),
        },
    }
    return render(request, "supervision/item_detail.html", context)


@require("can_browse_org")
def item_edit(request, pk=None, plan_pk=None):
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    if pk:
        item = get_object_or_404(Item.objects.select_related("plan"), pk=pk)
        plan = item.plan
    else:
        plan = plan_for(request, plan_pk)
        next_ordinal = (plan.items.order_by("-ordinal").values_list("ordinal", flat=True).first() or 0) + 1
        item = Item(plan=plan, ordinal=next_ordinal, start_date=timezone.localdate())
    initial = {}
    if not pk and request.GET.get("parent", "").isdecimal():
        initial["parent"] = int(request.GET["parent"])
    form = ItemForm(request.POST or None, instance=item, plan=plan, tree=access.tree, initial=initial)
    stale = None
    if request.method == "POST" and form.is_valid():
        loaded = form.cleaned_data.get("version") if item.pk else None
        try:
            saved = services.item_save(
                acting_user=request.user,
                item=form.save(commit=False),
                co_units=form.cleaned_data["co_units"],
                expected_version=loaded,
            )
        except Stale as error:
            stale = stale_changes(form, error)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("事项“%(title)s”已保存。") % {"title": saved.title})
            return redirect(saved)
    context = {
        "form": form,
        "item": item,
        "plan": plan,
        "page_title": _("编辑事项") if item.pk else _("新增事项"),
        "stale": stale,
        "cancel_url": item.get_absolute_url() if item.pk else plan.get_absolute_url(),
    }
    return render(request, "supervision/item_form.html", context)


@require("can_browse_org")
def people_options(request):
    """<option>s of a unit's people, for the responsible-person select (HTMX)."""
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    unit = request.GET.get("lead_unit", "")
    people = Person.objects.filter(is_active=True, unit_id=int(unit)) if unit.isdecimal() else Person.objects.none()
    options = format_html_join(
        "",
        '<option value="{}">{}</option>',
        ((p.pk, f"{p.name}（{p.position}）" if p.position else p.name) for p in people.order_by("id")),
    )
    return HttpResponse('<option value="">---------</option>' + options)


@require("can_browse_org")
def item_nodes(request, pk):
    item = item_for(request, pk)
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    posted = request.method == "POST"
    form = ReverseScheduleForm(request.POST if posted and "steps" in request.POST else None)
    indicator_form = IndicatorForm(
        request.POST if posted and "indicator" in request.POST else None, instance=Indicator(item=item)
    )
    if posted and request.POST.get("delete_indicator", "").isdecimal():
        indicator = get_object_or_404(Indicator, pk=request.POST["delete_indicator"], item=item)
        services.indicator_delete(acting_user=request.user, indicator=indicator)
        messages.success(request, _("已删除指标“%(name)s”。") % {"name": indicator.name})
        return redirect("supervision:item_nodes", pk=item.pk)
    if posted and "indicator" in request.POST and indicator_form.is_valid():
        services.indicator_save(acting_user=request.user, indicator=indicator_form.save(commit=False))
        messages.success(request, _("已添加指标。"))
        return redirect("supervision:item_nodes", pk=item.pk)
    if request.method == "POST" and request.POST.get("delete", "").isdecimal():
        node = get_object_or_404(TimeNode, pk=request.POST["delete"], item=item)
        services.node_delete(acting_user=request.user, node=node)
        messages.success(request, _("已删除节点“%(title)s”。") % {"title": node.title})
        return redirect("supervision:item_nodes", pk=item.pk)
    if request.method == "POST" and form.is_valid():
        try:
            nodes = services.nodes_reverse_schedule(
                acting_user=request.user, item=item, steps=form.step_list(), every=form.cleaned_data["every"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已倒排生成 %(n)d 个时间节点，可逐个调整日期。") % {"n": len(nodes)})
            return redirect("supervision:item_nodes", pk=item.pk)
    if request.method == "POST" and request.POST.get("node"):
        node = get_object_or_404(TimeNode, pk=request.POST["node"], item=item)
        try:
            services.node_update(
                acting_user=request.user,
                node=node,
                title=request.POST.get("title", ""),
                due_date=request.POST.get("due_date", ""),
                target_percent=request.POST.get("target_percent", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("节点已更新。"))
        return redirect("supervision:item_nodes", pk=item.pk)
    context = {
        "item": item,
        "nodes": item.nodes.all(),
        "form": form,
        "indicators": item.indicators.all(),
        "indicator_form": indicator_form,
    }
    return render(request, "supervision/item_nodes.html", context)


@require("can_browse_org")
@require_POST
def node_done(request, pk):
    node = get_object_or_404(TimeNode.objects.select_related("item"), pk=pk)
    item_for(request, node.item_id)
    try:
        services.node_done(acting_user=request.user, node=node, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("节点“%(title)s”已标记完成。") % {"title": node.title})
    return redirect(node.item)


@require("can_browse_org")
@require_POST
def item_complete(request, pk):
    item = item_for(request, pk)
    try:
        services.item_complete(acting_user=request.user, item=item, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("事项已办结。"))
    return redirect(item)


@require("can_browse_org")
@require_POST
def item_reopen(request, pk):
    item = item_for(request, pk)
    try:
        services.item_reopen(acting_user=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("事项已重新打开。"))
    return redirect(item)
