"""Look-back rounds (回头看): open over a plan, review every measure against the checklist,
add the problems found, close with a report comparing the ledger with the opening snapshot."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duban.org.access import access_for, require
from duban.rectification import access as rules
from duban.rectification.forms_lookback import (
    ChecklistForm,
    ReviewForm,
    RoundCloseForm,
    RoundFindingForm,
    RoundOpenForm,
    TemplateForm,
    points_text,
)
from duban.rectification.models import (
    FOUR_LOOKS,
    Finding,
    LookbackRound,
    LookbackTemplate,
    Measure,
    ReviewVerdict,
    RoundState,
)
from duban.rectification.selectors import lookback as selectors
from duban.rectification.services import lookback as services
from duban.supervision.models import Plan, PlanKind
from duban.supervision.models.reports import UNFINISHED
from duban.supervision.views.common import form_error


def _access(request):
    access = access_for(request.user)
    if not rules.can_see_ledger(access):
        raise PermissionDenied
    return access


def _plan_for(request, pk) -> Plan:
    _access(request)
    return get_object_or_404(Plan.objects.filter(kind=PlanKind.RECTIFICATION), pk=pk)


def _round_for(request, pk) -> LookbackRound:
    _access(request)
    return get_object_or_404(LookbackRound.objects.select_related("plan", "opened_by", "closed_by"), pk=pk)


def _require_office(request):
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied


@require("can_browse_org")
def round_list(request, pk):
    plan = _plan_for(request, pk)
    rounds = list(plan.lookback_rounds.select_related("opened_by").annotate(reviewed=Count("reviews")))
    current_total = Measure.objects.filter(finding__plan=plan).count()
    for r in rounds:
        r.total = r.report.get("measures_total", 0) if r.state == RoundState.CLOSED else current_total
    context = {
        "plan": plan,
        "rounds": rounds,
        "open_round": next((r for r in rounds if r.state == RoundState.OPEN), None),
        "can_manage": rules.can_manage(access_for(request.user)),
    }
    return render(request, "rectification/lookback/round_list.html", context)


@require("can_browse_org")
def round_open(request, pk):
    plan = _plan_for(request, pk)
    _require_office(request)
    open_round = plan.lookback_rounds.filter(state=RoundState.OPEN).first()
    form = RoundOpenForm(request.POST or None, initial={"points": points_text(services.default_points())})
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.round_open(
                acting_user=request.user,
                plan=plan,
                title=form.cleaned_data["title"],
                checklist=form.cleaned_data["points"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已开展%(title)s，台账已留存快照。") % {"title": opened.title})
            return redirect(opened)
    context = {"plan": plan, "form": form, "open_round": open_round}
    return render(request, "rectification/lookback/round_open.html", context)


@require("can_browse_org")
def round_detail(request, pk):
    round = _round_for(request, pk)
    access = access_for(request.user)
    mine = selectors.grid_units(access)
    unit = request.GET.get("unit", "mine" if mine else "")
    if unit == "mine" and mine:
        units = mine
    elif unit.isdecimal():
        units = {int(unit)}
    else:
        unit, units = "", None
    reviewed = request.GET.get("reviewed", "")
    reviewed = reviewed if reviewed in ("yes", "no") else ""
    verdict = request.GET.get("verdict", "")
    verdict = verdict if verdict in ReviewVerdict.values else ""
    groups = selectors.round_rows(round, access, units=units, reviewed=reviewed, verdict=verdict)
    progress = selectors.round_progress(round)
    is_open = round.state == RoundState.OPEN
    can_manage = rules.can_manage(access)
    context = {
        "round": round,
        "plan": round.plan,
        "groups": groups,
        "shown": sum(len(rows) for _, rows in groups),
        "progress": progress,
        "new_findings": round.new_findings.annotate(measure_count=Count("measures")).order_by("ordinal"),
        "units": selectors.plan_lead_units(round),
        "has_grid": mine is not None,
        "filters": {"unit": unit, "reviewed": reviewed, "verdict": verdict},
        "verdicts": ReviewVerdict.choices,
        "is_open": is_open,
        "can": {
            "manage": can_manage and is_open,
            "edit_checklist": can_manage and is_open and progress.reviewed == 0,
        },
    }
    return render(request, "rectification/lookback/round_detail.html", context)


@require("can_browse_org")
def round_checklist(request, pk):
    round = _round_for(request, pk)
    _require_office(request)
    if round.state != RoundState.OPEN or round.reviews.exists():
        messages.error(
            request, services.ERR_ROUND_CLOSED if round.state != RoundState.OPEN else services.ERR_REVIEWS_EXIST
        )
        return redirect(round)
    form = ChecklistForm(request.POST or None, initial={"points": points_text(round.checklist)})
    if request.method == "POST" and form.is_valid():
        try:
            services.round_checklist_update(
                acting_user=request.user, round=round, checklist=form.cleaned_data["points"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("检查要点已更新。"))
            return redirect(round)
    return render(request, "rectification/lookback/round_checklist.html", {"round": round, "form": form})


@require("can_browse_org")
def round_review(request, pk, measure_pk):
    round = _round_for(request, pk)
    access = access_for(request.user)
    measure = (
        rules.measures_visible(access, Measure.objects.filter(finding__plan_id=round.plan_id, pk=measure_pk))
        .select_related("item__lead_unit", "item__responsible_person", "item__state", "finding", "closed_by")
        .first()
    )
    if measure is None:
        raise Http404
    may_review = round.state == RoundState.OPEN and rules.can_review_lookback(access, measure)
    if request.method == "POST" and not may_review:
        raise PermissionDenied
    review = round.reviews.filter(measure=measure).select_related("reviewer").first()
    initial = {}
    if review is not None:
        initial = {f"point_{k}": v for k, v in review.answers.items()}
        initial.update(verdict=review.verdict, remarks=review.remarks)
    form = ReviewForm(request.POST or None, checklist=round.checklist, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.review_save(
                acting_user=request.user,
                round=round,
                measure=measure,
                answers=form.answers(),
                verdict=form.cleaned_data["verdict"],
                remarks=form.cleaned_data["remarks"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            text = _("已记录对“%(title)s”的检查：%(verdict)s。") % {
                "title": measure.item.title,
                "verdict": saved.get_verdict_display(),
            }
            if saved.verdict == ReviewVerdict.RELAPSED and hasattr(saved, "relapse"):
                text += _("该措施已重新打开整改，并已通知牵头单位。")
            messages.success(request, text)
            return redirect(reverse("rectification:round_detail", args=[round.pk]) + f"#m{measure.pk}")
    before = (round.snapshot.get("measures", {}).get(str(measure.pk)) or {}).get("closure")
    latest_report = (
        measure.item.reports.exclude(status__in=UNFINISHED).select_related("filled_by").order_by("-period_end").first()
    )
    answers = []
    if review is not None:
        labels = dict(services.ANSWERS)
        answers = [(p["label"], labels.get(review.answers.get(p["key"]), "—")) for p in round.checklist]
    context = {
        "round": round,
        "measure": measure,
        "item": measure.item,
        "form": form if may_review else None,
        "review": review,
        "answers": answers,
        "verdict_colour": selectors.VERDICT_COLOURS.get(review.verdict) if review else "grey",
        "before": selectors.closure_label(before) if before else _("（回头看开始后新增）"),
        "latest_report": latest_report,
        "relapses": measure.relapses.select_related("found_by"),
        "closure_colour": selectors.CLOSURE_COLOURS.get(measure.closure, "grey"),
    }
    return render(request, "rectification/lookback/round_review.html", context)


@require("can_browse_org")
def round_finding(request, pk):
    round = _round_for(request, pk)
    _require_office(request)
    added = None
    if request.GET.get("added", "").isdecimal():
        added = Finding.objects.filter(pk=request.GET["added"], origin_round=round).first()
    if round.state != RoundState.OPEN and added is None:
        messages.error(request, services.ERR_ROUND_CLOSED)
        return redirect(round)
    access = access_for(request.user)
    form = RoundFindingForm(request.POST or None, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.round_finding_add(
                acting_user=request.user,
                round=round,
                finding=form.save(commit=False),
                units=form.cleaned_data["units"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("问题已加入整改台账（序号 %(n)d）。") % {"n": finding.ordinal})
            return redirect(reverse("rectification:round_finding", args=[round.pk]) + f"?added={finding.pk}")
    context = {"round": round, "form": form, "added": added, "is_open": round.state == RoundState.OPEN}
    return render(request, "rectification/lookback/round_finding.html", context)


@require("can_browse_org")
def round_close(request, pk):
    round = _round_for(request, pk)
    _require_office(request)
    if round.state != RoundState.OPEN:
        messages.info(request, services.ERR_ROUND_CLOSED)
        return redirect("rectification:round_report", pk=round.pk)
    form = RoundCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_close(acting_user=request.user, round=round, summary=form.cleaned_data["summary"])
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(title)s已结束，对比报告已生成。") % {"title": round.title})
            return redirect("rectification:round_report", pk=round.pk)
    progress = selectors.round_progress(round)
    context = {"round": round, "form": form, "progress": progress, "unreviewed": progress.total - progress.reviewed}
    return render(request, "rectification/lookback/round_close.html", context)


@require("can_browse_org")
def round_report(request, pk):
    round = _round_for(request, pk)
    report = selectors.round_report(round, access_for(request.user))
    return render(request, "rectification/lookback/round_report.html", {"round": round, "plan": round.plan, **report})


@require("can_browse_org")
def template_list(request):
    _require_office(request)
    templates = list(LookbackTemplate.objects.all())
    editing = None
    wanted = request.POST.get("template") or request.GET.get("edit") or ""
    if wanted.isdecimal():
        editing = get_object_or_404(LookbackTemplate, pk=wanted)
    if request.method == "POST" and request.POST.get("action") == "default" and editing is not None:
        services.template_set_default(acting_user=request.user, template=editing)
        messages.success(request, _("已将“%(name)s”设为默认模板。") % {"name": editing.name})
        return redirect("rectification:template_list")
    extra = {}
    if editing is None and not templates:
        # The first template starts from seed 003's 四看.
        extra["initial"] = {"name": "四看", "points": points_text(FOUR_LOOKS), "is_default": True}
    form = TemplateForm(request.POST or None, template=editing, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.template_save(
                acting_user=request.user,
                template=editing or LookbackTemplate(),
                name=form.cleaned_data["name"],
                points=form.cleaned_data["points"],
                is_default=form.cleaned_data["is_default"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("模板“%(name)s”已保存。") % {"name": saved.name})
            return redirect("rectification:template_list")
    context = {
        "templates": templates,
        "form": form,
        "editing": editing,
        "has_default": any(t.is_default for t in templates),
        "four_looks": FOUR_LOOKS,
    }
    return render(request, "rectification/lookback/template_list.html", context)
