"""Reads of progress reports shared by pages and 我的工作."""

import datetime

from django.db.models import Q

from duban.org.access import ALL
from duban.org.models import Role
from duban.supervision.models import ProgressReport
from duban.supervision.models.reports import UNFINISHED


def unit_reports(access, today: datetime.date):
    """Unfinished reports of the items a unit head / liaison / responsible person answers for."""
    scope = access.scope(Role.LIAISON, Role.UNIT_HEAD)
    reports = ProgressReport.objects.filter(status__in=UNFINISHED, period_start__lte=today, item__completed_on=None)
    condition = Q(item__responsible_person=access.person)
    if scope == ALL:
        condition = Q()
    elif scope:
        condition |= Q(item__lead_unit_id__in=scope)
    return reports.filter(condition).select_related("item__plan", "item__lead_unit").order_by("due_date")
