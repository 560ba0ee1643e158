"""The report cycle: slots open on schedule; the liaison fills; the unit head submits;
the office accepts or sends back with a reason."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from duban.lib.refusals import version_lock
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import IndicatorReading, Item, LogKind, ProgressReport, ReportStatus
from duban.supervision.models.reports import UNFINISHED
from duban.supervision.recipients import people_for
from duban.supervision.schedule import slots_between
from duban.supervision.services import Refused
from duban.supervision.services.items import log
from duban.supervision.state import item_state_refresh

ERR_CANNOT_FILL = "只有牵头单位的联络员、负责人或事项责任人可以填报。"
ERR_CANNOT_SUBMIT = "只有牵头单位负责人可以提交报告。"
ERR_CANNOT_REVIEW = "只有督查办可以审核报告。"
ERR_NOT_FILLABLE = "该报告已提交，不能再修改。"
ERR_NOT_SUBMITTABLE = "只有待提交的报告可以提交。"
ERR_NOT_REVIEWABLE = "只有待审核的报告可以审核。"
ERR_INCOMPLETE = "请填写工作进展和完成进度后再提交。"
ERR_RETURN_REASON = "退回报告须说明理由。"
ERR_PERCENT = "完成进度应为 0 到 100 之间的整数。"
ERR_PERCENT_DOWN = "完成进度不能低于上次采纳的 {last}%。如确有倒退，请在“存在问题”中说明并联系督查办。"


def slots_owed(item: Item, today: datetime.date):
    """The item's report slots from `Item.reports_from` to today (or its completion)."""
    last = min(today, item.completed_on) if item.completed_on else today
    return slots_between(item.cadence, item.cadence_day, item.start_date, item.reports_from, last)


def slots_missing(item: Item, today: datetime.date, existing=frozenset()) -> list[ProgressReport]:
    """The unsaved report rows of the item's slots owed (`slots_owed`) whose period start
    is not in `existing`."""
    return [
        ProgressReport(item=item, period_start=slot.period_start, period_end=slot.period_end, due_date=slot.due_date)
        for slot in slots_owed(item, today)
        if slot.period_start not in existing
    ]


def report_slots_open(*, item: Item, today: datetime.date | None = None) -> int:
    """Create the report rows of every slot from `Item.reports_from` to today (idempotent).

    One INSERT for all missing slots; if another worker opened some of them first (the unique
    (item, period_start) constraint), they are inserted one by one and only ours are counted.
    Empty slots are system rows implied by the item's own logged creation, so they are not
    written to the record history (bulk insert): a report's history starts when it is filled."""
    existing = set(item.reports.values_list("period_start", flat=True))
    missing = slots_missing(item, today or timezone.localdate(), existing)
    if not missing:
        return 0
    try:
        with transaction.atomic():
            ProgressReport.objects.bulk_create(missing)
        return len(missing)
    except IntegrityError:
        pass  # another worker opened some of them first: insert one by one, counting ours
    created = 0
    for report in missing:
        try:
            with transaction.atomic():
                ProgressReport.objects.bulk_create([report])
            created += 1
        except IntegrityError:
            pass
    return created


def _last_accepted_percent(report: ProgressReport) -> int | None:
    return (
        ProgressReport.objects.filter(
            item=report.item, status=ReportStatus.ACCEPTED, period_start__lt=report.period_start
        )
        .order_by("-period_start")
        .values_list("percent", flat=True)
        .first()
    )


@transaction.atomic
def report_fill(
    *,
    acting_user,
    report: ProgressReport,
    progress_text: str,
    problems: str = "",
    next_steps: str = "",
    percent: int | None = None,
    readings: dict | None = None,
    uploads=(),
    submit: bool = False,
    expected_version: int | None = None,
) -> ProgressReport:
    """Save the unit's report (and its evidence files); with `submit`, the unit head
    also submits it. All or nothing: a refused file leaves the report as it was.
    `expected_version` is the version the filler loaded: a save over someone else's change
    (another liaison of the unit, or the same person in another tab) is refused (Stale)."""
    report = ProgressReport.objects.select_for_update().select_related("item").get(pk=report.pk)
    item = report.item
    access = access_for(acting_user)
    if not rules.can_fill_report(access, item):
        raise PermissionDenied(ERR_CANNOT_FILL)
    if report.status not in UNFINISHED:
        raise Refused(ERR_NOT_FILLABLE)
    version_lock(report, expected_version)
    if percent is not None and not (0 <= percent <= 100):
        raise Refused(ERR_PERCENT)
    last = _last_accepted_percent(report)
    if percent is not None and last is not None and percent < last:
        raise Refused(ERR_PERCENT_DOWN.format(last=last))
    report.progress_text = progress_text.strip()
    report.problems = problems.strip()
    report.next_steps = next_steps.strip()
    report.percent = percent
    report.status = ReportStatus.DRAFT
    report.filled_by = acting_user
    report.filled_at = timezone.now()
    report.version += 1
    report.save()
    for indicator_id, value in (readings or {}).items():
        if value is None or value == "":
            IndicatorReading.objects.filter(indicator_id=indicator_id, report=report).delete()
            continue
        IndicatorReading.objects.update_or_create(
            indicator_id=indicator_id,
            report=report,
            defaults={"value": Decimal(str(value)), "period_end": report.period_end},
        )
    log(item, LogKind.REPORT_FILLED, acting_user, report=report)
    if uploads:
        from duban.supervision.services.attachments import attachments_add

        attachments_add(acting_user=acting_user, item=item, uploads=uploads, report=report)
    if submit:
        return report_submit(acting_user=acting_user, report=report)
    return report


@transaction.atomic
def report_submit(*, acting_user, report: ProgressReport, expected_version: int | None = None) -> ProgressReport:
    """The unit head hands the draft to the office. `expected_version` is the version of the
    draft the head read: a draft changed since is not submitted unseen (Stale)."""
    report = ProgressReport.objects.select_for_update().select_related("item").get(pk=report.pk)
    access = access_for(acting_user)
    if not rules.can_submit_report(access, report.item):
        raise PermissionDenied(ERR_CANNOT_SUBMIT)
    if report.status != ReportStatus.DRAFT:
        raise Refused(ERR_NOT_SUBMITTABLE)
    version_lock(report, expected_version)
    if not report.progress_text or report.percent is None:
        raise Refused(ERR_INCOMPLETE)
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = acting_user
    report.submitted_at = timezone.now()
    report.version += 1
    report.save()
    log(report.item, LogKind.REPORT_SUBMITTED, acting_user, report=report)
    item_state_refresh(report.item)  # missing and punctual counts
    return report


@transaction.atomic
def report_accept(*, acting_user, report: ProgressReport, comment: str = "") -> ProgressReport:
    report = ProgressReport.objects.select_for_update().select_related("item").get(pk=report.pk)
    if not rules.can_review_report(access_for(acting_user), report.item):
        raise PermissionDenied(ERR_CANNOT_REVIEW)
    if report.status != ReportStatus.SUBMITTED:
        raise Refused(ERR_NOT_REVIEWABLE)
    report.status = ReportStatus.ACCEPTED
    report.reviewed_by = acting_user
    report.reviewed_at = timezone.now()
    report.review_comment = comment.strip()[:300]
    report.version += 1
    report.save()
    log(report.item, LogKind.REPORT_ACCEPTED, acting_user, comment, report=report)
    item_state_refresh(report.item)
    return report


@transaction.atomic
def report_return(*, acting_user, report: ProgressReport, reason: str) -> ProgressReport:
    report = ProgressReport.objects.select_for_update().select_related("item").get(pk=report.pk)
    if not rules.can_review_report(access_for(acting_user), report.item):
        raise PermissionDenied(ERR_CANNOT_REVIEW)
    if report.status != ReportStatus.SUBMITTED:
        raise Refused(ERR_NOT_REVIEWABLE)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(ERR_RETURN_REASON)
    report.status = ReportStatus.RETURNED
    report.reviewed_by = acting_user
    report.reviewed_at = timezone.now()
    report.review_comment = reason[:300]
    report.version += 1
    report.save()
    log(report.item, LogKind.REPORT_RETURNED, acting_user, reason, report=report)
    item = report.item
    item_state_refresh(item)  # missing and punctual counts
    recipients = [p for p in (report.filled_by, report.submitted_by) if p is not None]
    recipients += people_for(item, ["liaison"])
    message_send(
        recipients=recipients,
        kind=MessageKind.REVIEW,
        title=f"进展报告被退回：{item.title}",
        body=f"督查办退回了 {report.period_start:%m月%d日} 起的进展报告，理由：{reason}",
        url=item.get_absolute_url(),
    )
    return report
