"""我的工作 panels fed by rectification: closures to review or approve, re-checks due,
relapses, the unit's open measures and what is disclosed to staff."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.org.access import ALL
from duban.org.models import Role
from duban.rectification.models import (
    ClosureRequest,
    ClosureState,
    ClosureStatus,
    Feedback,
    FeedbackState,
    Measure,
    Recheck,
    RecheckState,
    RectificationPlan,
    Relapse,
)
from duban.supervision.status import Status
from duban.workbench.panels import Panel

LIMIT = 8


def _in_scope(queryset, access, role, field):
    scope = access.scope(role)
    return queryset if scope == ALL else queryset.filter(**{f"{field}__in": scope})


def grid_panel(access) -> Panel:
    """A liaison group member: closure requests to review and re-checks that fell due."""
    today = timezone.localdate()
    requests = _in_scope(
        ClosureRequest.objects.filter(status=ClosureStatus.PENDING_REVIEW),
        access,
        Role.TASKFORCE,
        "measure__item__lead_unit",
    ).select_related("measure__item__lead_unit")
    rechecks = _in_scope(
        Recheck.objects.filter(state=RecheckState.SCHEDULED, due_on__lte=today),
        access,
        Role.TASKFORCE,
        "measure__item__lead_unit",
    ).select_related("measure__item__lead_unit")
    rows = [
        {
            "text": _("销号申请 · %(unit)s · %(title)s")
            % {"unit": r.measure.item.lead_unit.name, "title": r.measure.item.title},
            "url": reverse("rectification:measure_detail", args=[r.measure_id]),
            "meta": r.requested_at,
            "is_time": True,
        }
        for r in requests.order_by("requested_at")[:LIMIT]
    ]
    rows += [
        {
            "text": _("复查 · %(title)s（销号后第 %(days)s 天）")
            % {"title": c.measure.item.title, "days": c.offset_days},
            "url": reverse("rectification:recheck_record", args=[c.pk]),
            "meta": c.due_on,
        }
        for c in rechecks.order_by("due_on")[:LIMIT]
    ]
    return Panel(
        _("待我复核"),
        "bi-clipboard-check",
        _("联系单位的销号申请和到期的复查任务会出现在这里。"),
        rows,
        action_url=reverse("rectification:closure_queue"),
        action_label=_("全部销号审核"),
        count=requests.count() + rechecks.count(),
    )


def office_panel() -> Panel:
    """The office: closures to approve and staff feedback to answer."""
    requests = ClosureRequest.objects.filter(status=ClosureStatus.PENDING_APPROVAL).select_related(
        "measure__item__lead_unit"
    )
    rows = [
        {
            "text": _("待审批销号 · %(unit)s · %(title)s")
            % {"unit": r.measure.item.lead_unit.name, "title": r.measure.item.title},
            "url": reverse("rectification:measure_detail", args=[r.measure_id]),
            "meta": r.reviewed_at or r.requested_at,
            "is_time": True,
        }
        for r in requests.order_by("requested_at")[:LIMIT]
    ]
    new_feedback = Feedback.objects.filter(state=FeedbackState.NEW).count()
    if new_feedback:
        rows.append(
            {
                "text": _("职工意见待处理"),
                "url": reverse("rectification:feedback_queue"),
                "meta": _("%(n)s 条") % {"n": new_feedback},
            }
        )
    return Panel(
        _("整改销号"),
        "bi-patch-check",
        _("联络组审核通过的销号申请和职工意见会出现在这里，等待督查办处理。"),
        rows,
        action_url=reverse("rectification:closure_queue"),
        action_label=_("全部待审批"),
        count=requests.count() + new_feedback,
    )


def unit_panel(access) -> Panel:
    """A unit head or liaison: the unit's measures not yet closed, returned requests first."""
    measures = _in_scope(
        Measure.objects.exclude(closure=ClosureState.CLOSED), access, Role.UNIT_HEAD, "item__lead_unit"
    ) | _in_scope(Measure.objects.exclude(closure=ClosureState.CLOSED), access, Role.LIAISON, "item__lead_unit")
    measures = (
        measures.distinct()
        .select_related("item__state")
        .annotate(returned=Count("closures", filter=Q(closures__status=ClosureStatus.RETURNED)))
    )
    rows = [
        {
            "text": m.item.title,
            "url": reverse("rectification:measure_detail", args=[m.pk]),
            "meta": m.get_closure_display() + (_("（曾反弹）") if m.relapse_count else ""),
        }
        for m in measures.order_by("-relapse_count", "item__due_date")[:LIMIT]
    ]
    return Panel(
        _("本单位整改措施"),
        "bi-tools",
        _("本单位牵头的整改措施会出现在这里；完成后在此申请销号。"),
        rows,
        count=measures.count(),
    )


def discipline_panel() -> Panel:
    """Discipline: relapses and overdue measures, the leads for accountability."""
    relapses = Relapse.objects.select_related("measure__item", "unit").order_by("-found_on")
    rows = [
        {
            "text": _("整改反弹 · %(unit)s · %(title)s") % {"unit": r.unit.name, "title": r.measure.item.title},
            "url": reverse("rectification:measure_detail", args=[r.measure_id]),
            "meta": r.found_on,
        }
        for r in relapses[:LIMIT]
    ]
    overdue = Measure.objects.filter(item__state__status=Status.OVERDUE).select_related("item__lead_unit")
    rows += [
        {
            "text": _("整改逾期 · %(unit)s · %(title)s") % {"unit": m.item.lead_unit.name, "title": m.item.title},
            "url": reverse("rectification:measure_detail", args=[m.pk]),
            "meta": _("逾期"),
        }
        for m in overdue[:LIMIT]
    ]
    return Panel(
        _("问责线索"),
        "bi-exclamation-octagon",
        _("逾期未改、整改反弹等需要纪检跟进的事项会出现在这里。"),
        rows,
        count=relapses.count() + overdue.count(),
    )


def disclosure_panel() -> Panel:
    """Everyone: plans disclosed to staff, with the share of measures closed."""
    plans = (
        RectificationPlan.objects.filter(disclosed=True)
        .select_related("plan")
        .annotate(
            total=Count("plan__findings__measures"),
            closed=Count("plan__findings__measures", filter=Q(plan__findings__measures__closure=ClosureState.CLOSED)),
        )
    )
    rows = [
        {
            "text": p.plan.title,
            "url": reverse("rectification:disclosure_page", args=[p.pk]),
            "meta": _("已销号 %(c)s/%(t)s") % {"c": p.closed, "t": p.total},
        }
        for p in plans[:LIMIT]
    ]
    return Panel(
        _("整改公开"),
        "bi-megaphone",
        _("学校公开的整改进展会出现在这里，您也可以在此提出意见。"),
        rows,
        action_url=reverse("rectification:disclosure_index"),
        action_label=_("查看公开内容"),
    )
