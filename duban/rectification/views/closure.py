"""The measure page and closure against the ledger (对账销号): the unit's request, the
liaison group's review, the office's approval, the queue and the evidence checklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.org.access import ALL, require
from duban.org.models import Role
from duban.rectification import access as rules
from duban.rectification.checklist import DEFAULTS, checklist_for
from duban.rectification.forms import ChecklistFormSet, ClosureRequestForm, DecisionForm, DocumentForm
from duban.rectification.models import (
    ClosureEvidence,
    ClosureRequest,
    ClosureState,
    ClosureStatus,
    EvidenceKind,
    EvidenceRequirement,
    MeasureType,
)
from duban.rectification.services import checklist as checklist_services
from duban.rectification.services import closure as services
from duban.rectification.services.findings import measure_document_save
from duban.rectification.views.fetch import closure_for, error_text, ledger_access, measure_for, office_access
from duban.supervision.views.common import form_error


def _measure_page(request, measure, request_form=None, document_form=None, status=200):
    access = ledger_access(request)
    checklist = checklist_for(measure.type)
    closures = list(
        measure.closures.select_related("requested_by", "reviewed_by", "approved_by", "returned_by").prefetch_related(
            Prefetch("evidence", queryset=ClosureEvidence.objects.select_related("attachment"))
        )
    )
    undone = set(measure.relapses.values_list("closure_id", flat=True))
    for closure in closures:
        closure.undone = closure.pk in undone  # approved, then a relapse reopened the measure
    pending = next((c for c in closures if c.is_pending), None)
    open_ = measure.closure == ClosureState.OPEN
    can = {
        "manage": rules.can_manage(access),
        "request": open_ and rules.can_request_closure(access, measure),
        "review": bool(pending)
        and pending.status == ClosureStatus.PENDING_REVIEW
        and rules.can_review_closure(access, measure),
        "approve": bool(pending)
        and pending.status == ClosureStatus.PENDING_APPROVAL
        and rules.can_approve_closure(access, measure),
        "recheck": rules.can_recheck(access, measure),
        "document": measure.type == MeasureType.INSTITUTION
        and measure.closure != ClosureState.CLOSED
        and (rules.can_request_closure(access, measure) or rules.can_manage(access)),
    }
    # The office may send back a request still at the liaison stage (the service allows it).
    can["return_review"] = (
        bool(pending) and pending.status == ClosureStatus.PENDING_REVIEW and (can["review"] or can["manage"])
    )
    if can["request"] and request_form is None:
        request_form = ClosureRequestForm(checklist=checklist)
    if can["document"] and document_form is None:
        document_form = DocumentForm(
            initial={"title": measure.doc_title, "number": measure.doc_number, "issued_on": measure.doc_date}
        )
    today = timezone.localdate()
    rechecks = list(measure.rechecks.select_related("checked_by"))
    for recheck in rechecks:
        recheck.is_due = recheck.state == "scheduled" and recheck.due_on <= today
    context = {
        "m": measure,
        "item": measure.item,
        "finding": measure.finding,
        "plan": measure.finding.plan,
        "checklist": checklist,
        "closures": closures,
        "pending": pending,
        "approved": next((c for c in closures if c.status == ClosureStatus.APPROVED), None),
        "rechecks": rechecks,
        "relapses": measure.relapses.select_related("found_by", "unit"),
        "co_units": measure.item.co_units.order_by("order"),
        "request_form": request_form,
        "document_form": document_form,
        "can": can,
        "today": today,
    }
    return render(request, "rectification/measure_detail.html", context, status=status)


@require("can_browse_org")
def measure_detail(request, pk):
    return _measure_page(request, measure_for(request, pk))


@require("can_browse_org")
@require_POST
def measure_document(request, pk):
    measure = measure_for(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            measure_document_save(
                acting_user=request.user,
                measure=measure,
                title=form.cleaned_data["title"],
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data["issued_on"],
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("制度文件已登记。"))
            return redirect(measure)
    return _measure_page(request, measure, document_form=form, status=400)


@require("can_browse_org")
@require_POST
def closure_request(request, pk):
    measure = measure_for(request, pk)
    form = ClosureRequestForm(request.POST, request.FILES, checklist=checklist_for(measure.type))
    if form.is_valid():
        try:
            closure = services.closure_request(
                acting_user=request.user,
                measure=measure,
                statement=form.cleaned_data["statement"],
                evidence=form.evidence(),
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            if closure.status == ClosureStatus.PENDING_REVIEW:
                messages.success(request, _("销号申请已提交，等待联络组审核。"))
            else:
                messages.success(request, _("销号申请已提交，等待督查办审批。"))
            return redirect(measure)
    if measure.closure != ClosureState.OPEN or not rules.can_request_closure(ledger_access(request), measure):
        # No form to show again on the page: say why instead.
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect(measure)
    return _measure_page(request, measure, request_form=form, status=400)


def _decide(request, pk, *, forward, stage_status, done_message, returned_message):
    closure = closure_for(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(closure.measure)
    if closure.status != stage_status:
        messages.error(request, _("该申请已处理或不在这个环节，请刷新页面查看最新状态。"))
        return redirect(closure.measure)
    remark = form.cleaned_data["remark"]
    try:
        if form.cleaned_data["decision"] == "return":
            services.closure_return(acting_user=request.user, closure=closure, reason=remark)
            messages.success(request, returned_message)
        else:
            forward(acting_user=request.user, closure=closure, remark=remark)
            messages.success(request, done_message)
    except ValidationError as error:
        messages.error(request, error_text(error))
    target = request.POST.get("next", "")
    if target.startswith("/rectification/") and not target.startswith("//"):
        return redirect(target)
    return redirect(closure.measure)


@require("can_browse_org")
@require_POST
def closure_review(request, pk):
    return _decide(
        request,
        pk,
        forward=services.closure_review,
        stage_status=ClosureStatus.PENDING_REVIEW,
        done_message=_("已审核通过，报督查办审批。"),
        returned_message=_("已退回销号申请，牵头单位会收到退回理由。"),
    )


@require("can_browse_org")
@require_POST
def closure_approve(request, pk):
    return _decide(
        request,
        pk,
        forward=services.closure_approve,
        stage_status=ClosureStatus.PENDING_APPROVAL,
        done_message=_("已同意销号，措施进入防反弹复查期。"),
        returned_message=_("已退回销号申请，牵头单位会收到退回理由。"),
    )


def _pending(status):
    return (
        ClosureRequest.objects.filter(status=status)
        .select_related(
            "measure",
            "measure__item",
            "measure__item__lead_unit",
            "measure__finding",
            "measure__finding__plan",
            "requested_by",
            "reviewed_by",
        )
        .prefetch_related(Prefetch("evidence", queryset=ClosureEvidence.objects.select_related("attachment")))
        .order_by("requested_at", "id")
    )


@require("can_browse_org")
def closure_queue(request):
    access = ledger_access(request)
    is_office = rules.can_manage(access)
    grid_scope = access.scope(Role.TASKFORCE)
    if not is_office and not grid_scope:
        raise PermissionDenied
    to_review = _pending(ClosureStatus.PENDING_REVIEW)
    if grid_scope and grid_scope != ALL:
        mine = to_review.filter(measure__item__lead_unit_id__in=grid_scope)
    else:
        mine = to_review if grid_scope == ALL else to_review.none()
    context = {
        "is_office": is_office,
        "is_grid": bool(grid_scope),
        "to_review": list(mine),
        "to_approve": list(_pending(ClosureStatus.PENDING_APPROVAL)) if is_office else [],
        "watching": list(to_review.exclude(pk__in=[c.pk for c in mine])) if is_office else [],
    }
    return render(request, "rectification/closure_queue.html", context)


@require("can_browse_org")
def checklist_config(request):
    office_access(request)
    measure_type = request.GET.get("type") or request.POST.get("type") or MeasureType.DEADLINE
    if measure_type not in MeasureType.values:
        measure_type = MeasureType.DEADLINE
    configured = list(EvidenceRequirement.objects.filter(measure_type=measure_type).order_by("order", "id"))
    if request.method == "POST" and request.POST.get("reset"):
        checklist_services.checklist_save(acting_user=request.user, measure_type=measure_type, lines=[])
        messages.success(request, _("已恢复为默认要求。"))
        return redirect(f"{request.path}?type={measure_type}")
    source = configured or [
        EvidenceRequirement(key=r.key, label=r.label, kind=r.kind, required=r.required)
        for r in DEFAULTS.get(measure_type, [])
    ]
    initial = [
        {"key": r.key, "label": r.label, "kind": r.kind, "required": r.required, "order": n}
        for n, r in enumerate(source, start=1)
    ]
    formset = ChecklistFormSet(request.POST or None, initial=initial, prefix="lines")
    error = None
    if request.method == "POST" and formset.is_valid():
        lines = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("label")
        ]
        lines.sort(key=lambda d: d.get("order") or 99)
        try:
            checklist_services.checklist_save(acting_user=request.user, measure_type=measure_type, lines=lines)
        except ValidationError as refused:
            error = error_text(refused)
        else:
            messages.success(request, _("“%(t)s”的销号材料要求已保存。") % {"t": MeasureType(measure_type).label})
            return redirect(f"{request.path}?type={measure_type}")
    context = {
        "formset": formset,
        "measure_type": measure_type,
        "type_label": MeasureType(measure_type).label,
        "types": MeasureType.choices,
        "configured": bool(configured),
        "effective": checklist_for(measure_type, configured),
        "error": error,
        "is_institution": measure_type == MeasureType.INSTITUTION,
        "kinds": EvidenceKind.choices,
    }
    return render(request, "rectification/checklist_config.html", context)
