"""Unit assessment (考核评价): the periods, their published rules, the assessors' score grid,
the result page (computed live while published, fixed once closed) and its workbook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.assessment import access as rules
from duban.assessment import exports_periods as exports
from duban.assessment.forms import ordered_rows
from duban.assessment.forms_periods import PeriodForm, ScoreGrid, band_formset, rule_formset
from duban.assessment.models import AssessmentPeriod, ManualScore, Metric, PeriodState
from duban.assessment.services import periods as services
from duban.assessment.views.sessions import error_text
from duban.lib.xlsx_web import xlsx_response
from duban.org.access import Access, access_for
from duban.supervision.views.common import form_error

# --- Fetch and authorize -------------------------------------------------------------------


def viewer(request) -> Access:
    access = access_for(request.user)
    if not rules.can_list_periods(access):
        raise PermissionDenied
    return access


def manager(request) -> Access:
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    return access


def period_for(request, pk) -> tuple[AssessmentPeriod, Access]:
    """A period the person may look at: a draft is 404 to those who could see it published."""
    access = access_for(request.user)
    period = get_object_or_404(AssessmentPeriod, pk=pk)
    if rules.can_see_period(access, period):
        return period, access
    if period.state == PeriodState.DRAFT and (rules.can_see_periods(access) or rules.is_assessor(access, period)):
        raise Http404
    raise PermissionDenied


def _visible(access):
    return lambda unit_ids: rules.period_units_visible(access, unit_ids)


def tabs(request, period, access, tab, **extra):
    """What every page of one period shares: the header, the tabs and who may do what."""
    manual = period.rules.filter(metric=Metric.MANUAL).exists()
    can_score = rules.is_assessor(access, period)
    return {
        "period": period,
        "tab": tab,
        "can_manage": rules.can_manage(access),
        "can_score": can_score,
        "show_scores_tab": manual and (rules.can_manage(access) or can_score),
        **extra,
    }


# --- The list and the period -----------------------------------------------------------------


@login_required
def period_list(request):
    access = viewer(request)
    periods = AssessmentPeriod.objects.annotate(
        n_units=Count("units", distinct=True), n_rules=Count("rules", distinct=True)
    )
    periods = rules.periods_visible(access, periods)
    state = request.GET.get("state", "")
    if state in PeriodState.values:
        periods = periods.filter(state=state)
    periods = list(periods)
    mine = set(
        AssessmentPeriod.objects.filter(assessors=request.user, state=PeriodState.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    for period in periods:
        period.i_score = period.pk in mine
    context = {
        "periods": periods,
        "state": state,
        "states": PeriodState.choices,
        "can_manage": rules.can_manage(access),
    }
    return render(request, "assessment/period_list.html", context)


@login_required
def period_create(request):
    access = manager(request)
    today = timezone.localdate()
    initial = {"year": today.year, "start": today.replace(month=1, day=1), "end": today.replace(month=12, day=31)}
    form = PeriodForm(request.POST or None, tree=access.tree, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_save(
                acting_user=request.user,
                period=form.save(commit=False),
                units=form.cleaned_data["units"],
                plans=form.cleaned_data["plans"],
                assessors=form.cleaned_data["assessors"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("考核期已创建。下一步：制定评分规则和考核等次，然后公布。"))
            return redirect("assessment:period_rules", pk=period.pk)
    return render(request, "assessment/period_form.html", {"form": form, "period": None})


@login_required
def period_edit(request, pk):
    access = manager(request)
    period = get_object_or_404(AssessmentPeriod, pk=pk)
    if period.state == PeriodState.CLOSED:
        messages.error(request, services.ERR_FIXED)
        return redirect(period)
    form = PeriodForm(request.POST or None, instance=period, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        draft = period.state == PeriodState.DRAFT
        try:
            services.period_save(
                acting_user=request.user,
                period=form.save(commit=False),
                units=form.cleaned_data["units"] if draft else None,
                plans=form.cleaned_data["plans"] if draft else None,
                assessors=form.cleaned_data["assessors"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(period)
    return render(request, "assessment/period_form.html", tabs(request, period, access, "detail", form=form))


@login_required
def period_detail(request, pk):
    period, access = period_for(request, pk)
    table = exports.result_table(period, visible=_visible(access))
    context = tabs(
        request,
        period,
        access,
        "detail",
        table=table,
        bands=list(period.bands.order_by("-min_score")),
        formulas=exports.FORMULAS,
        sees_all=rules.sees_all_units(access) or rules.can_manage(access),
    )
    return render(request, "assessment/period_detail.html", context)


# --- Rules and bands ---------------------------------------------------------------------------


def _save_rules(request, period, formset) -> None:
    """Delete, then save the kept rows renumbered 1, 2, 3… in the order the clerk gave."""
    deleted, kept = ordered_rows(formset)
    for rule in deleted:
        services.rule_delete(acting_user=request.user, rule=rule)
    for order, form in enumerate(kept, start=1):
        rule = form.save(commit=False)
        rule.period = period
        rule.order = order
        services.rule_save(acting_user=request.user, rule=rule)


def _save_bands(request, period, formset) -> None:
    # Deletions first, so a label can move from a deleted row to a new one.
    for form in formset.deleted_forms:
        if form.instance.pk:
            services.band_delete(acting_user=request.user, band=form.instance)
    for form in formset.forms:
        if form in formset.deleted_forms or (not form.instance.pk and not form.has_changed()):
            continue
        band = form.save(commit=False)
        band.period = period
        services.band_save(acting_user=request.user, band=band)


@login_required
def period_rules(request, pk):
    period, access = period_for(request, pk)
    editable = rules.can_manage(access) and period.state == PeriodState.DRAFT
    data = request.POST if request.method == "POST" else None
    if data is not None and not editable:
        if not rules.can_manage(access):
            raise PermissionDenied
        messages.error(request, services.ERR_FIXED if period.state == PeriodState.CLOSED else services.ERR_RULES_LOCKED)
        return redirect("assessment:period_rules", pk=period.pk)
    formset = rule_formset(period, data) if editable else None
    bands = band_formset(period, data) if editable else None
    error = None
    if data is not None and formset.is_valid() and bands.is_valid():
        try:
            with transaction.atomic():
                _save_rules(request, period, formset)
                _save_bands(request, period, bands)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("评分规则和考核等次已保存。"))
            return redirect("assessment:period_rules", pk=period.pk)
    context = tabs(
        request,
        period,
        access,
        "rules",
        formset=formset,
        bands_formset=bands,
        editable=editable,
        error=error,
        rule_texts=exports.rule_texts(period),
        bands=list(period.bands.order_by("-min_score")),
        formulas=exports.FORMULAS,
    )
    return render(request, "assessment/period_rules.html", context)


@login_required
@require_POST
def period_publish(request, pk):
    manager(request)
    period = get_object_or_404(AssessmentPeriod, pk=pk)
    try:
        services.period_publish(acting_user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("assessment:period_rules", pk=period.pk)
    messages.success(request, _("评分规则已公布：被考核单位可以查看规则和实时得分，评分人可以开始打分。"))
    return redirect(period)


@login_required
@require_POST
def period_unpublish(request, pk):
    manager(request)
    period = get_object_or_404(AssessmentPeriod, pk=pk)
    try:
        services.period_unpublish(acting_user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(period)
    messages.warning(request, _("已撤回公布，评分规则可以重新修改。"))
    return redirect("assessment:period_rules", pk=period.pk)


# --- The assessors' scores ---------------------------------------------------------------------


def _progress(period):
    """Per assessor: how many cells they have scored (counts, never the scores)."""
    cells = period.units.count() * period.rules.filter(metric=Metric.MANUAL).count()
    counts = dict(
        ManualScore.objects.filter(rule__period=period)
        .values("assessor")
        .annotate(n=Count("id"))
        .values_list("assessor", "n")
    )
    assessors = period.assessors.select_related("unit").order_by("unit__order", "name")
    return [{"person": p, "scored": counts.get(p.pk, 0), "cells": cells} for p in assessors]


@login_required
def period_scores(request, pk):
    period, access = period_for(request, pk)
    can_manage = rules.can_manage(access)
    can_score = rules.is_assessor(access, period)
    if not (can_manage or can_score):
        raise PermissionDenied
    open_for_scoring = period.state == PeriodState.PUBLISHED
    grid = ScoreGrid(period, request.user) if can_score else None
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied
        if not open_for_scoring:
            closed = period.state == PeriodState.CLOSED
            messages.error(request, services.ERR_FIXED if closed else services.ERR_NOT_PUBLISHED)
            return redirect("assessment:period_scores", pk=period.pk)
        grid = ScoreGrid(period, request.user, request.POST)
        with transaction.atomic():
            saved = grid.save(request.user)
            if grid.errors:
                # Nothing half-saved: every cell is kept in the form to correct.
                transaction.set_rollback(True)
        if not grid.errors:
            messages.success(request, _("已保存 %(n)s 项评分。") % {"n": saved})
            return redirect("assessment:period_scores", pk=period.pk)
    context = tabs(
        request,
        period,
        access,
        "scores",
        grid=grid,
        open_for_scoring=open_for_scoring,
        progress=_progress(period) if can_manage else None,
    )
    return render(request, "assessment/period_scores.html", context)


# --- Close and export --------------------------------------------------------------------------


@login_required
@require_POST
def period_close(request, pk):
    manager(request)
    period = get_object_or_404(AssessmentPeriod, pk=pk)
    try:
        services.period_close(acting_user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("考核结果已确定，此后不再随数据变化。"))
    return redirect(period)


@login_required
def period_xlsx(request, pk):
    period, access = period_for(request, pk)
    table = exports.result_table(period, visible=_visible(access))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        exports.workbook(table), f"{period.title}考核结果-{stamp}.xlsx", f"assessment-{period.pk}-{stamp}.xlsx"
    )
