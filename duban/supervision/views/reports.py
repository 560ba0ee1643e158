"""Report pages: fill (and submit), review, the office's review queue, the unit's to-do list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.lib.forms import posted_version, stale_changes
from duban.lib.listing import paginate
from duban.org.access import access_for, require
from duban.org.models import Role
from duban.supervision import access as rules
from duban.supervision.forms import ReportForm, ReviewForm
from duban.supervision.models import ProgressReport, ReportStatus
from duban.supervision.models.reports import UNFINISHED
from duban.supervision.selectors.reports import unit_reports
from duban.supervision.services import Stale
from duban.supervision.services import reports as services
from duban.supervision.views.common import form_error, item_for


def _report_for(request, pk) -> ProgressReport:
    report = get_object_or_404(ProgressReport.objects.select_related("item"), pk=pk)
    item_for(request, report.item_id)  # 404 when the item is not visible
    return report


@require("can_browse_org")
def report_fill(request, pk):
    report = _report_for(request, pk)
    item = item_for(request, report.item_id)
    access = access_for(request.user)
    if not rules.can_fill_report(access, item):
        return render(request, "supervision/report_view.html", {"report": report, "item": item})
    if report.status not in UNFINISHED:
        return render(request, "supervision/report_view.html", {"report": report, "item": item})
    indicators = item.indicators.all()
    initial = {
        "progress_text": report.progress_text,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "percent": report.percent,
        "version": report.version,
    }
    previous = (
        item.reports.filter(period_start__lt=report.period_start, status=ReportStatus.ACCEPTED)
        .order_by("-period_start")
        .first()
    )
    if report.status == ReportStatus.OPEN and previous is not None:
        initial["percent"] = previous.percent
    for reading in report.readings.all():
        initial[f"ind_{reading.indicator_id}"] = reading.value
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial, indicators=indicators)
    can_submit = rules.can_submit_report(access, item)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_fill(
                acting_user=request.user,
                report=report,
                progress_text=data["progress_text"],
                problems=data["problems"],
                next_steps=data["next_steps"],
                percent=data["percent"],
                readings=form.readings(),
                uploads=request.FILES.getlist("files"),
                submit=can_submit and "submit" in request.POST,
                expected_version=data["version"],
            )
        except Stale as error:
            stale = stale_changes(form, error)
        except ValidationError as error:
            form_error(form, error)
        else:
            if can_submit and "submit" in request.POST:
                messages.success(request, _("报告已提交督查办审核。"))
            else:
                messages.success(request, _("报告已保存，待单位负责人提交。"))
            return redirect(item)
    context = {
        "report": report,
        "item": item,
        "form": form,
        "can_submit": can_submit,
        "previous": previous,
        "attachments": report.attachments.all(),
        "stale": stale,
        # Browsers cannot keep chosen files across a page: say so when a refused save had some.
        "files_dropped": bool(stale and request.FILES),
    }
    return render(request, "supervision/report_form.html", context)


@require("can_browse_org")
@require_POST
def report_submit(request, pk):
    """The submit button beside a draft on the item page; the form carries the version of the
    draft the head saw there."""
    report = _report_for(request, pk)
    try:
        services.report_submit(acting_user=request.user, report=report, expected_version=posted_version(request.POST))
    except Stale:
        messages.error(request, _("报告在您查看之后又被修改过，没有提交。请打开报告核对后再提交。"))
        return redirect("supervision:report_fill", pk=report.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("报告已提交督查办审核。"))
    return redirect(report.item)


@require("can_browse_org")
def report_review(request, pk):
    report = _report_for(request, pk)
    item = report.item
    if not rules.can_review_report(access_for(request.user), item):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                services.report_accept(acting_user=request.user, report=report, comment=form.cleaned_data["comment"])
                messages.success(request, _("报告已采纳。"))
            else:
                services.report_return(acting_user=request.user, report=report, reason=form.cleaned_data["comment"])
                messages.success(request, _("报告已退回，单位会收到通知。"))
        except ValidationError as error:
            form_error(form, error)
        else:
            next_report = ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("submitted_at").first()
            return (
                redirect("supervision:report_review", pk=next_report.pk)
                if next_report
                else redirect("supervision:review_queue")
            )
    readings = report.readings.select_related("indicator")
    context = {"report": report, "item": item, "form": form, "readings": readings}
    return render(request, "supervision/report_review.html", context)


@require("can_browse_org")
def review_queue(request):
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    reports = (
        ProgressReport.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("item__plan", "item__lead_unit", "submitted_by")
        .order_by("submitted_at")
    )
    page = paginate(request, reports, per_page=50)
    return render(request, "supervision/review_queue.html", {"page_obj": page, "total": page.paginator.count})


@require("can_browse_org")
def my_reports(request):
    access = access_for(request.user)
    today = timezone.localdate()
    reports = list(unit_reports(access, today)[:200])
    for report in reports:
        report.missing = report.is_missing(today, report.item.plan.report_grace_days)
    drafts = ProgressReport.objects.none()
    if access.has(Role.UNIT_HEAD):
        drafts = unit_reports(access, today).filter(status=ReportStatus.DRAFT)
    context = {"reports": reports, "drafts": drafts, "today": today}
    return render(request, "supervision/my_reports.html", context)
