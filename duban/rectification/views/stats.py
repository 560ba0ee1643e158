"""Rectification statistics: rates by unit, source, category and type, overdue and
relapse counts, closures by month. One plan (?plan=<id>) or all of them."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from duban.org.access import access_for, require
from duban.rectification import access as rules
from duban.rectification.models import RectificationPlan
from duban.rectification.selectors.stats import rectification_stats


@require("can_browse_org")
def stats(request):
    access = access_for(request.user)
    if not rules.can_see_ledger(access):
        raise PermissionDenied
    plans = RectificationPlan.objects.select_related("plan").order_by("-plan__year", "plan__title", "pk")
    chosen = request.GET.get("plan", "")
    plan = get_object_or_404(plans, pk=int(chosen)).plan if chosen.isdecimal() else None
    figures = rectification_stats(access, plan=plan)
    tables = [
        ("unit", _("按责任单位"), figures.by_unit),
        ("source", _("按问题来源"), figures.by_source),
        ("category", _("按问题类别"), figures.by_category),
        ("type", _("按措施类型"), figures.by_type),
    ]
    context = {"plans": plans, "plan": plan, "stats": figures, "tables": tables, "chart": figures.chart()}
    return render(request, "rectification/stats/stats.html", context)
