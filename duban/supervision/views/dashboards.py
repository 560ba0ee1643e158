"""Seeing it: the plan dashboard, the leader view, the unit league table, the battle
map (挂图作战) and indicator charts. Thin: authorize, read one selector, render.

Everyone who may see plans may open these pages; what they count is restricted by
items_visible, so a unit head sees only the rows of their units.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.forms import StyledFormMixin
from duban.lib.xlsx import XLSX_CONTENT_TYPE, content_disposition, workbook_bytes
from duban.org.access import ALL, access_for
from duban.org.models import Role, Unit
from duban.supervision.access import can_manage, can_see_plans, counted_visible, items_visible
from duban.supervision.models import Item, Plan, PlanKind
from duban.supervision.selectors import battlemap, dashboards, league
from duban.supervision.selectors.indicators import indicator_series
from duban.supervision.status import SEVERITY, Status
from duban.supervision.views.common import item_for, plan_for

TEMPLATES = "supervision/dashboards/"


def _plans_access(request):
    access = access_for(request.user)
    if not can_see_plans(access):
        raise PermissionDenied
    return access


def _plan_items(request, pk):
    """The plan and the part of its items this person may see."""
    plan = plan_for(request, pk)
    return plan, items_visible(access_for(request.user), Item.objects.filter(plan=plan))


def _plan_states(request, plan):
    """The cached states of those items, and their tallies when the person sees them all."""
    return counted_visible(access_for(request.user), plan=plan)


def _page(request, template, **context):
    """Render one of these pages; the plan tabs (_plan_tabs.html) read plan, tab and can_manage."""
    context.setdefault("today", timezone.localdate())
    context.setdefault("can_manage", can_manage(access_for(request.user)))
    return render(request, TEMPLATES + template, context)


@login_required
def plan_dashboard(request, pk):
    plan = plan_for(request, pk)
    states, tallies = _plan_states(request, plan)
    board = dashboards.plan_dashboard(plan, states, tallies=tallies, sort=request.GET.get("sort", ""))
    return _page(request, "plan_dashboard.html", plan=plan, tab="dashboard", board=board)


@login_required
def leader_view(request):
    access = access_for(request.user)
    if not access.has(Role.LEADER):
        raise PermissionDenied
    mine = items_visible(access, Item.objects.filter(patron_leader=request.user))
    institution_wide = access.scope(Role.LEADER) == ALL
    context = {
        "groups": dashboards.leader_items(mine),
        "summary": dashboards.plans_summary(*counted_visible(access)) if institution_wide else None,
        "severity": [(s, dict(Status.choices)[s]) for s in SEVERITY],
    }
    return _page(request, "leader.html", **context)


# --- The league table -----------------------------------------------------------------


class LeagueFilterForm(StyledFormMixin, forms.Form):
    """Filters of the all-plans league table (they stay in the URL)."""

    SCOPES = [("active", gettext_lazy("推进中的计划")), ("all", gettext_lazy("全部计划（含已结束）"))]

    scope = forms.ChoiceField(label=gettext_lazy("范围"), choices=SCOPES, required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=gettext_lazy("计划类型"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Plan.objects.exclude(year=None).order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, f"{y}年") for y in years]
        self.fields["kind"].choices = [("", _("全部类型")), *PlanKind.choices]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""

    def plans(self):
        data = self.cleaned_data if self.is_valid() else {}
        return league.plans_chosen(scope=data.get("scope") or "", year=data.get("year"), kind=data.get("kind") or "")


def _league(request, pk=None):
    """(plan or None, filter form or None, sorted rows, sort) for the page and the export."""
    access = _plans_access(request)
    if pk is None:
        plan = None
        form = LeagueFilterForm(request.GET or None)
        of_plans = {"plan__in": form.plans()}
    else:
        plan = plan_for(request, pk)
        form = None
        of_plans = {"plan": plan}
    rows = league.league_rows_current(*counted_visible(access, **of_plans))
    rows, sort = league.league_sort(rows, request.GET.get("sort", ""))
    return plan, form, rows, sort


def _league_page(request, pk=None):
    plan, form, rows, sort = _league(request, pk)
    context = {
        "filter_form": form,
        "rows": rows,
        "total": league.league_total(rows),
        "sort": sort,
        "rules": league.RULES,
    }
    return _page(request, "league.html", plan=plan, tab="league", **context)


def _league_export(request, pk=None):
    plan, _form, rows, sort = _league(request, pk)
    stamp = timezone.localdate().strftime("%Y%m%d")
    title = _("%(plan)s 单位排名") % {"plan": plan.title} if plan else _("各单位督办排名")
    filters = {k: v for k, v in request.GET.items() if v}
    workbook = league.league_workbook(rows, title=title, note=_("导出日期：%(day)s") % {"day": stamp})
    security_event_record(
        kind=EventKind.EXPORT,
        actor=request.user,
        request=request,
        target=title,
        detail={"filters": filters, "rows": len(rows)},
    )
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{title}-{stamp}.xlsx", f"league-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def league_table(request, pk):
    return _league_page(request, pk)


@login_required
def league_all(request):
    return _league_page(request)


@login_required
def league_table_export(request, pk):
    return _league_export(request, pk)


@login_required
def league_all_export(request):
    return _league_export(request)


# --- The battle map ------------------------------------------------------------------


class BattleMapFilterForm(StyledFormMixin, forms.Form):
    lead_unit = forms.TypedChoiceField(label=gettext_lazy("牵头单位"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        # One index probe per unit (item_lead_unit) rather than reading every item of the plan.
        led = Exists(items.filter(lead_unit_id=OuterRef("pk")))
        units = Unit.objects.filter(led).order_by("order", "id")
        self.fields["lead_unit"].choices = [("", _("全部单位"))] + [(u.pk, u.name) for u in units]
        labels = dict(Status.choices)
        self.fields["status"].choices = [("", _("全部状态"))] + [(s.value, labels[s]) for s in SEVERITY]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"lead_unit": data.get("lead_unit"), "status": data.get("status") or ""}


def _battle_map(request, pk):
    """One page of the chart (battlemap.PER_PAGE rows; ?page= in the URL with the filters)."""
    plan = plan_for(request, pk)
    every_item = Item.objects.filter(plan=plan)
    items = items_visible(access_for(request.user), every_item)
    form = BattleMapFilterForm(request.GET or None, items=items)
    page = request.GET.get("page", 1)
    everything = items is every_item  # items_visible returns the queryset itself to those who see all
    data = battlemap.battle_map(plan, items, timezone.localdate(), page=page, everything=everything, **form.filters())
    return plan, form, data


@login_required
def battle_map(request, pk):
    plan, form, data = _battle_map(request, pk)
    page_obj = battlemap.pages(data["projects"], data["page"])
    context = {"filter_form": form, "data": data, "page_obj": page_obj}
    return _page(request, "battle_map.html", plan=plan, tab="battle_map", **context)


@login_required
def battle_map_data(request, pk):
    _plan, _form, data = _battle_map(request, pk)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# --- Indicators ----------------------------------------------------------------------


@login_required
def item_indicators(request, pk):
    item = item_for(request, pk)
    return _page(request, "item_indicators.html", item=item, indicator_series=indicator_series(item))
