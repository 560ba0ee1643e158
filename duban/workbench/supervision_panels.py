"""我的工作 panels fed by supervision: what waits for each role."""

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.supervision.models import Deferral, DeferralStatus, Item, ItemState, ProgressReport, ReportStatus, Status
from duban.supervision.status import LAGGING
from duban.workbench.panels import Panel

LIMIT = 8


def review_panel() -> Panel:
    reports = ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).select_related("item__lead_unit")
    total = reports.count()
    rows = [
        {
            "text": f"{r.item.lead_unit.name} · {r.item.title}",
            "url": reverse("supervision:report_review", args=[r.pk]),
            "meta": r.submitted_at,
            "is_time": True,
        }
        for r in reports.order_by("submitted_at")[:LIMIT]
    ]
    for d in Deferral.objects.filter(status=DeferralStatus.PENDING).select_related("item")[:LIMIT]:
        rows.append(
            {
                "text": _("延期申请 · %(title)s") % {"title": d.item.title},
                "url": reverse("supervision:deferral_decide", args=[d.pk]),
                "meta": d.requested_at,
                "is_time": True,
            }
        )
    return Panel(
        _("待我审核"),
        "bi-inboxes",
        _("各单位提交的进展报告、延期申请会出现在这里，等待督查办审核。"),
        rows,
        action_url=reverse("supervision:review_queue") if total else "",
        action_label=_("全部待审核报告"),
        count=total,
    )


def patron_panel(person) -> Panel:
    items = (
        Item.objects.filter(patron_leader=person, completed_on__isnull=True)
        .select_related("state", "lead_unit")
        .order_by("state__days_left")
    )
    attention = [i for i in items if i.state and i.state.status in (Status.OVERDUE, Status.BEHIND, Status.DUE_SOON)]
    rows = [
        {"text": f"{i.title}（{i.lead_unit.name}）", "url": i.get_absolute_url(), "meta": i.state.get_status_display()}
        for i in attention[:LIMIT]
    ]
    for d in Deferral.objects.filter(status=DeferralStatus.PENDING, item__patron_leader=person).select_related("item"):
        rows.insert(
            0,
            {
                "text": _("延期申请待您审批 · %(title)s") % {"title": d.item.title},
                "url": reverse("supervision:deferral_decide", args=[d.pk]),
                "meta": _("待审批"),
            },
        )
    return Panel(
        _("我帮包的事项"),
        "bi-flag",
        _("您作为帮包领导的事项中，逾期、滞后或临期的会出现在这里。"),
        rows,
        count=items.count(),
    )


def to_fill_panel(access) -> Panel:
    from duban.supervision.selectors.reports import unit_reports

    today = timezone.localdate()
    reports = list(unit_reports(access, today)[:LIMIT])
    rows = []
    for r in reports:
        missing = r.is_missing(today, r.item.plan.report_grace_days)
        rows.append(
            {
                "text": r.item.title,
                "url": reverse("supervision:report_fill", args=[r.pk]),
                "meta": _("缺报") if missing else _("截止 %(d)s") % {"d": f"{r.due_date.month}月{r.due_date.day}日"},
            }
        )
    return Panel(
        _("待我填报"),
        "bi-journal-text",
        _("本单位负责的督办事项到了填报周期，会出现在这里等您填报进展。"),
        rows,
        action_url=reverse("supervision:my_reports") if rows else "",
        action_label=_("全部待填报"),
    )


def to_submit_panel(access) -> Panel:
    from duban.supervision.selectors.reports import unit_reports

    drafts = unit_reports(access, timezone.localdate()).filter(status=ReportStatus.DRAFT)
    rows = [
        {"text": r.item.title, "url": reverse("supervision:report_fill", args=[r.pk]), "meta": _("待提交")}
        for r in drafts[:LIMIT]
    ]
    return Panel(
        _("待我审批"),
        "bi-check2-square",
        _("本单位联络员填好的进展报告，提交督查办前需要您审批。"),
        rows,
    )


def attention_panel(access) -> Panel:
    """Overdue and behind items the person may see, fewest days left first (none last), the
    office's daily look. The first eight are chosen among the entries of the covering index
    itemstate_status (status, plan, days left, ..., item); only those eight are then read with
    their items and units."""
    from duban.supervision.access import states_visible

    states = states_visible(access, ItemState.objects.filter(status__in=LAGGING))
    total = states.count()
    order = (F("days_left").asc(nulls_last=True), "item_id")  # no deadline: last, on both databases
    first = states.order_by(*order).values("item_id")[:LIMIT]
    rows = [
        {
            "text": f"{s.item.title}（{s.item.lead_unit.name}）",
            "url": s.item.get_absolute_url(),
            "meta": f"{s.get_status_display()} · {s.reason}",
        }
        for s in ItemState.objects.filter(item_id__in=first).select_related("item__lead_unit").order_by(*order)
    ]
    return Panel(
        _("需要关注：逾期和滞后"),
        "bi-exclamation-triangle",
        _("所有事项都在按计划推进。出现逾期或进度滞后的事项时会列在这里。"),
        rows,
        action_url=reverse("supervision:plan_list") if total else "",
        action_label=_("查看督办计划"),
        count=total,
    )
