"""纪要转事项: paste or upload a report, review the proposed requirements beside the text,
create them as items of a plan. Office only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.lib.listing import paginate
from duban.minutes import services
from duban.minutes.forms import CreateForm, MinutesInputForm, RowFormSet, plans_to_choose, unit_options
from duban.minutes.models import DraftStatus, MinutesDraft
from duban.org.access import access_for, require
from duban.supervision import access as rules
from duban.supervision.models import PlanKind
from duban.supervision.views.common import form_error


def _require_office(request):
    """The same rule supervision uses for creating items."""
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    return access


@require("can_browse_org")
def draft_list(request):
    _require_office(request)
    drafts = MinutesDraft.objects.select_related("created_by", "plan").prefetch_related("items")
    status = request.GET.get("status", "")
    if status in DraftStatus.values:
        drafts = drafts.filter(status=status)
    page = paginate(request, drafts, per_page=30)
    context = {
        "page_obj": page,
        "total": page.paginator.count,
        "filters": {"status": status},
        "statuses": DraftStatus.choices,
    }
    return render(request, "minutes/draft_list.html", context)


@require("can_browse_org")
def draft_new(request):
    _require_office(request)
    posted = request.method == "POST"
    form = MinutesInputForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"meeting": request.GET.get("meeting", "") if request.GET.get("meeting", "").isdecimal() else None},
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            draft = services.draft_create(
                acting_user=request.user,
                text=data["content"],
                title=data["title"],
                published=data["published"],
                source_name=data["source_name"],
                meeting=data["meeting"],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("已从纪要中找到 %(n)d 条要求，请逐条核对后创建督办事项。") % {"n": len(draft.proposed)}
            )
            return redirect(draft)
    return render(request, "minutes/draft_new.html", {"form": form})


def segments(draft: MinutesDraft, spans: dict) -> list[tuple[str, int | None]]:
    """The original text cut into plain runs and numbered highlighted runs."""
    parts, at = [], 0
    for number, (start, end) in sorted(spans.items(), key=lambda kv: kv[1]):
        if start > at:
            parts.append((draft.original[at:start], None))
        parts.append((draft.original[start:end], number))
        at = end
    parts.append((draft.original[at:], None))
    return [p for p in parts if p[0]]


@require("can_browse_org")
def draft_review(request, pk):
    access = _require_office(request)
    draft = get_object_or_404(MinutesDraft.objects.select_related("created_by", "plan"), pk=pk)
    if draft.status == DraftStatus.CREATED:
        if request.method == "POST":
            messages.error(request, services.ERR_ALREADY_CREATED)
            return redirect(draft)
        return _result(request, draft)
    spans = services.source_spans(draft)
    options = unit_options(access.tree)
    initial_rows = services.rows_from_draft(draft)
    posted = request.method == "POST"
    formset = RowFormSet(request.POST if posted else None, initial=initial_rows, unit_options=options, prefix="row")
    create_form = CreateForm(
        request.POST if posted else None,
        initial={
            "plan": draft.plan_id or _only_meeting_plan(),
            "start_date": draft.meeting_date or timezone.localdate(),
        },
    )
    if posted and formset.is_valid() and create_form.is_valid():
        rows = formset.rows(spans)
        try:
            if "save" in request.POST:
                services.draft_save_rows(acting_user=request.user, draft=draft, rows=rows)
            else:
                items = services.items_from_draft(
                    acting_user=request.user,
                    draft=draft,
                    rows=rows,
                    plan=create_form.cleaned_data["plan"],
                    start_date=create_form.cleaned_data["start_date"],
                )
        except ValidationError as error:
            form_error(create_form, error)
        else:
            if "save" in request.POST:
                messages.success(request, _("修改已保存，可以稍后再创建事项。"))
            else:
                messages.success(request, _("已创建 %(n)d 个督办事项。") % {"n": len(items)})
            return redirect(draft)
    numbered = [(form, _row_extra(form, initial_rows)) for form in formset.forms]
    context = {
        "draft": draft,
        "formset": formset,
        "rows": numbered,
        "create_form": create_form,
        "segments": segments(draft, spans),
        "has_plans": plans_to_choose().exists(),
        "speakers": sorted({it.get("speaker") for it in draft.proposed if it.get("speaker")}),
    }
    return render(request, "minutes/draft_review.html", context)


def _row_extra(form, initial_rows) -> dict:
    """What the page shows beside a row: the unit names the text mentioned."""
    index = int(form.prefix.rsplit("-", 1)[-1])
    row = initial_rows[index] if index < len(initial_rows) else {}
    return {"units_named": row.get("units_named", [])}


def _only_meeting_plan():
    plans = list(plans_to_choose().filter(kind=PlanKind.MEETING).values_list("pk", flat=True)[:2])
    return plans[0] if len(plans) == 1 else None


def _result(request, draft: MinutesDraft):
    items = draft.items.select_related("lead_unit", "plan").prefetch_related("co_units").order_by("ordinal")
    return render(request, "minutes/draft_result.html", {"draft": draft, "items": items})
