"""Who is away (请假出差日历): a month grid of one unit's people away, coloured per type,
pending requests hatched, and the 校领导外出 panel of this week."""

import calendar as pycalendar
import datetime
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from duban.leave import access as rules
from duban.leave import selectors
from duban.leave.models import AbsenceStatus, AbsenceType
from duban.leave.workdays import Workdays
from duban.org.access import ALL, access_for
from duban.org.models import Unit, UnitKind

COLOURS = 6  # lv-c0 … lv-c5 in leave.css
WEEKDAYS = "一二三四五六日"


@dataclass
class Day:
    date: datetime.date
    weekday: str
    off: bool
    holiday: str = ""
    today: bool = False


@dataclass
class Row:
    person: object
    cells: list = field(default_factory=list)


def month_of(value: str, today: datetime.date) -> datetime.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def unit_choices(units):
    rows = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.GRID_GROUP)
    if units != ALL:
        rows = rows.filter(pk__in=list(units))
    return list(rows.only("pk", "name", "order"))


def chosen_unit(request, access, choices, allowed):
    """The unit asked for ("all" for everyone when allowed), else the person's own unit."""
    raw = request.GET.get("unit", "")
    if raw == "all":
        if allowed != ALL:
            raise PermissionDenied
        return "all"
    if raw:
        try:
            unit_id = int(raw)
        except ValueError:
            unit_id = None
        if unit_id is None or not 0 < unit_id < 2**31 or not rules.can_see_calendar(access, unit_id):
            raise PermissionDenied
        return unit_id
    own = request.user.unit_id
    if own and any(u.pk == own for u in choices):
        return own
    return choices[0].pk if choices else None


def build_days(first: datetime.date, last: datetime.date, today: datetime.date) -> list[Day]:
    workdays = Workdays(first, last)
    names = workdays.names
    days = []
    day = first
    while day <= last:
        off = not workdays.is_workday(day)
        days.append(Day(day, WEEKDAYS[day.weekday()], off, names.get(day, ""), day == today))
        day += datetime.timedelta(days=1)
    return days


def build_rows(absences, days, colour_of) -> list[Row]:
    rows: dict[int, Row] = {}
    for absence in absences:
        row = rows.setdefault(absence.person_id, Row(absence.person, [{"day": d} for d in days]))
        end = absence.last_day
        for index, day in enumerate(days):
            cell = row.cells[index]
            if absence.starts_on <= day.date <= end and "absence" not in cell:
                cell["absence"] = absence
                cell["colour"] = colour_of.get(absence.absence_type_id, 0)
                cell["pending"] = absence.status == AbsenceStatus.PENDING
                cell["first"] = day.date == absence.starts_on or index == 0
    return sorted(rows.values(), key=lambda r: r.person.name)


@login_required
def away_calendar(request):
    access = access_for(request.user)
    allowed = rules.calendar_units(access)
    choices = unit_choices(allowed)
    unit = chosen_unit(request, access, choices, allowed)
    today = timezone.localdate()
    first = month_of(request.GET.get("month", ""), today)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    types = list(AbsenceType.objects.all())
    colour_of = {t.pk: i % COLOURS for i, t in enumerate(types)}
    if unit is None:
        absences = []
    else:
        absences = selectors.away(ALL if unit == "all" else [unit], first, last)
    for absence in absences:
        absence.colour = colour_of.get(absence.absence_type_id, 0)
    details = rules.details_visible(access, absences)
    for absence in absences:
        absence.show_details = absence.pk in details
    days = build_days(first, last, today)
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    leaders = selectors.leaders_away(monday, sunday)
    for absence in leaders:
        absence.colour = colour_of.get(absence.absence_type_id, 0)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    context = {
        "units": choices,
        "unit": unit,
        "can_all": allowed == ALL,
        "month": first,
        "month_value": f"{first:%Y-%m}",
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
        "this_month": f"{today:%Y-%m}",
        "days": days,
        "rows": build_rows(absences, days, colour_of),
        "absences": absences,
        "types": [(t, colour_of[t.pk]) for t in types if t.is_active],
        "leaders": leaders,
        "week": (monday, sunday),
    }
    return render(request, "leave/calendar.html", context)
