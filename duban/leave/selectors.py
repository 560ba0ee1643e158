"""Who is away (谁不在岗): approved and pending requests overlapping a date range, the
leaders out of office, and today's counts for a widget. Each is one query."""

import datetime

from django.db.models import Count

from duban.leave.models import LIVE, AbsenceRequest
from duban.org.access import ALL
from duban.org.models import Role, RoleGrant


def last_day(absence) -> datetime.date:
    """The last day a person is away: the day before an early return (销假), else the end date."""
    if absence.returned_on is not None:
        return max(absence.starts_on, min(absence.ends_on, absence.returned_on - datetime.timedelta(days=1)))
    return absence.ends_on


def away(units, start: datetime.date, end: datetime.date) -> list:
    """Live requests (approved or pending) of people of `units` (ids or ALL) overlapping
    [start, end], with person, type and unit, ordered by unit, person and start."""
    rows = AbsenceRequest.objects.filter(status__in=LIVE, starts_on__lte=end, ends_on__gte=start)
    if units != ALL:
        rows = rows.filter(unit_id__in=list(units))
    rows = rows.select_related("person", "absence_type", "unit").order_by(
        "unit__order", "unit_id", "person__name", "person_id", "starts_on", "id"
    )
    return [a for a in rows if last_day(a) >= start]


def leaders_away(start: datetime.date, end: datetime.date) -> list:
    """校领导外出: requests of people holding a 校领导 role overlapping [start, end]."""
    leaders = RoleGrant.objects.filter(role=Role.LEADER).values("person_id")
    rows = (
        AbsenceRequest.objects.filter(status__in=LIVE, starts_on__lte=end, ends_on__gte=start, person_id__in=leaders)
        .select_related("person", "absence_type")
        .order_by("starts_on", "person__name", "id")
    )
    return [a for a in rows if last_day(a) >= start]


def away_today(units, today: datetime.date) -> dict:
    """How many people are away today per type (a widget): {"total": n, "types": [(name, n), …]}."""
    rows = AbsenceRequest.objects.filter(status__in=LIVE, starts_on__lte=today, ends_on__gte=today).exclude(
        returned_on__lte=today
    )
    if units != ALL:
        rows = rows.filter(unit_id__in=list(units))
    counts = (
        rows.values("absence_type__name", "absence_type__order")
        .annotate(n=Count("person", distinct=True))
        .order_by("absence_type__order", "absence_type__name")
    )
    types = [(row["absence_type__name"], row["n"]) for row in counts]
    return {"total": rows.values("person").distinct().count(), "types": types}
