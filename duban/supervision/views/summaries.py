"""The weekly summary (周报汇总) with its .xlsx and .docx downloads, and the meeting pack
(调度会材料). Thin: authorize, read one selector, render or send a file.

Whoever may see the plan may open these; everything is restricted by items_visible,
so a unit head's summary and downloads hold only their units' items.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.xlsx import XLSX_CONTENT_TYPE, content_disposition, workbook_bytes
from duban.org.access import access_for
from duban.supervision import summaries
from duban.supervision.access import can_manage, counted_visible, indicators_visible, items_visible
from duban.supervision.documents import DOCX_CONTENT_TYPE
from duban.supervision.exports.meeting_pack import meeting_pack_docx, meeting_pack_filename
from duban.supervision.exports.weekly_docx import weekly_docx as weekly_document
from duban.supervision.exports.weekly_xlsx import weekly_filename, weekly_workbook
from duban.supervision.models import Indicator, Item
from duban.supervision.views.common import plan_for


def _summary(request, pk) -> summaries.WeeklySummary:
    plan = plan_for(request, pk)
    items = items_visible(access_for(request.user), Item.objects.filter(plan=plan))
    today = timezone.localdate()
    start = summaries.week_from_param(request.GET.get("week", ""), today)
    return summaries.weekly_summary(plan, items, start, today)


def _download(request, content: bytes, content_type: str, filename: str, fallback: str, target: str, **detail):
    security_event_record(
        kind=EventKind.EXPORT, actor=request.user, request=request, target=target[:200], detail=detail
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def weekly_summary(request, pk):
    plan = plan_for(request, pk)
    access = access_for(request.user)
    items = items_visible(access, Item.objects.filter(plan=plan))
    today = timezone.localdate()
    start = summaries.week_from_param(request.GET.get("week", ""), today)
    states, tallies = counted_visible(access, plan=plan)
    summary = summaries.weekly_page(
        plan,
        items,
        states,
        start,
        today,
        indicators=indicators_visible(access, Indicator.objects.filter(item__plan=plan)),
        tallies=tallies,
        page=request.GET.get("page"),
        lagging_page=request.GET.get("lagging_page"),
    )
    latest = summaries.last_completed_week(today)
    context = {
        "plan": summary.plan,
        "summary": summary,
        "tab": "weekly",
        "can_manage": can_manage(access),
        "week": summary.start.isoformat(),
        "previous_week": (summary.start - summaries.WEEK).isoformat(),
        # Up to the current week (in progress); no further.
        "next_week": (summary.start + summaries.WEEK).isoformat() if summary.start <= latest else "",
        "is_default_week": summary.start == latest,
    }
    return render(request, "supervision/summaries/weekly.html", context)


@login_required
def weekly_xlsx(request, pk):
    summary = _summary(request, pk)
    content = workbook_bytes(weekly_workbook(summary))
    fallback = f"weekly-{summary.plan.pk}-{summary.start:%Y%m%d}.xlsx"
    target = f"周报汇总：{summary.plan.title}"
    week = summary.start.isoformat()
    return _download(
        request,
        content,
        XLSX_CONTENT_TYPE,
        weekly_filename(summary, "xlsx"),
        fallback,
        target,
        week=week,
        rows=summary.total,
    )


@login_required
def weekly_docx(request, pk):
    summary = _summary(request, pk)
    content = weekly_document(summary)
    fallback = f"weekly-{summary.plan.pk}-{summary.start:%Y%m%d}.docx"
    target = f"周报汇总：{summary.plan.title}"
    week = summary.start.isoformat()
    return _download(
        request,
        content,
        DOCX_CONTENT_TYPE,
        weekly_filename(summary, "docx"),
        fallback,
        target,
        week=week,
        rows=summary.total,
    )


@login_required
def meeting_pack(request, pk):
    plan = plan_for(request, pk)
    items = items_visible(access_for(request.user), Item.objects.filter(plan=plan))
    try:
        on = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        on = timezone.localdate()
    units = summaries.meeting_pack(plan, items)
    content = meeting_pack_docx(plan, units, on)
    rows = sum(len(unit.entries) for unit in units)
    return _download(
        request,
        content,
        DOCX_CONTENT_TYPE,
        meeting_pack_filename(plan, on),
        f"meeting-pack-{plan.pk}-{on:%Y%m%d}.docx",
        f"调度会材料：{plan.title}",
        rows=rows,
    )
